using System.Collections;
using TorchSharp;
using TorchSharp.PyBridge;
using VaeLab.Data;
using static TorchSharp.torch;

namespace VaeLab.Torch;

/// <summary>What <see cref="Weights.load_weights(nn.Module, IReadOnlyDictionary{string, Tensor}, bool, bool)"/> left out:
/// the module's keys the state did not have, and the state's keys the module does not have.</summary>
public sealed record LoadedWeights(IReadOnlyList<string> missing_keys, IReadOnlyList<string> unexpected_keys);

/// <summary>
/// Weights by name, as PyTorch's load_state_dict loads them, but checked whole before anything changes: every missing,
/// unexpected and mis-shaped key is named at once, and a state that does not fit leaves the module as it was
/// (TorchSharp's own load_state_dict stops at the first mis-shaped key after copying the ones before it).
/// Files: PyTorch checkpoints (torch.save's zip format: .pth, .pt, .bin) and safetensors.
/// </summary>
public static class Weights
{
    /// <summary>The tensors of a state_dict file: a safetensors file, or a PyTorch checkpoint whose top level is the
    /// state_dict itself or holds it under "state_dict" or "model" (as training scripts often save it).</summary>
    public static Dictionary<string, Tensor> read(string path)
    {
        if (!File.Exists(path)) throw new FileNotFoundException($"{path}: no such weights file", path);
        Span<byte> magic = stackalloc byte[4];
        using (var stream = File.OpenRead(path)) magic = magic[..stream.ReadAtLeast(magic, 4, throwOnEndOfStream: false)];
        // torch.save's format is a zip archive (PK\x03\x04); a safetensors file starts with its header's length.
        if (!magic.SequenceEqual("PK\x03\x04"u8)) return safetensors.load_file(path);

        Hashtable pickled;
        try { pickled = PyTorchUnpickler.UnpickleStateDict(path); }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            throw new DataFormatException(path, "torch.save archive", $"not a state_dict that TorchSharp.PyBridge can read: {e.Message}", e);
        }
        var state = pickled["state_dict"] as Hashtable ?? pickled["model"] as Hashtable ?? pickled;
        var tensors = new Dictionary<string, Tensor>();
        foreach (DictionaryEntry entry in state)
        {
            // A checkpoint may hold other things beside the weights (an epoch number, an optimizer's state).
            if (entry is { Key: string key, Value: Tensor tensor }) tensors[key] = tensor;
        }
        if (tensors.Count == 0) throw new DataFormatException(path, "torch.save archive", "holds no tensors by name (not a state_dict)");
        return tensors;
    }

    /// <summary>Loads the weights of a file (see <see cref="read"/>) into the module.</summary>
    public static LoadedWeights load_weights(this nn.Module module, string path, bool strict = true, bool allow_unexpected = false)
    {
        var state = read(path);
        try { return module.load_weights(state, strict, allow_unexpected); }
        catch (ArgumentException e) { throw new ArgumentException($"{path}: {e.Message}", nameof(path), e); }
        finally
        {
            foreach (var tensor in state.Values) tensor.Dispose();
        }
    }

    /// <summary>
    /// Copies each tensor of the state into the module's parameter or buffer of the same name (converting the dtype, as
    /// PyTorch does). Mis-shaped keys always refuse the load; missing and unexpected keys refuse it when strict, and are
    /// returned otherwise. <paramref name="allow_unexpected"/> lets a strict load leave keys the module has no use for
    /// (weights of layers a checkpoint's model declared and never called), returning them.
    /// </summary>
    public static LoadedWeights load_weights(this nn.Module module, IReadOnlyDictionary<string, Tensor> state, bool strict = true,
        bool allow_unexpected = false)
    {
        var own = module.state_dict();
        var missing = own.Keys.Where(key => !state.ContainsKey(key)).ToList();
        var unexpected = state.Keys.Where(key => !own.ContainsKey(key)).ToList();
        var misshapen = own.Where(e => state.TryGetValue(e.Key, out var given) && !given.shape.SequenceEqual(e.Value.shape))
            .Select(e => $"{e.Key} is [{string.Join(", ", state[e.Key].shape)}] where the model has [{string.Join(", ", e.Value.shape)}]").ToList();

        var problems = new List<string>();
        if (misshapen.Count > 0) problems.Add("wrong shapes: " + string.Join("; ", misshapen));
        if (strict && missing.Count > 0) problems.Add("missing keys: " + string.Join(", ", missing));
        if (strict && !allow_unexpected && unexpected.Count > 0) problems.Add("unexpected keys: " + string.Join(", ", unexpected));
        if (problems.Count > 0)
            throw new ArgumentException($"the weights do not fit {module.GetName()}: {string.Join(". ", problems)}", nameof(state));

        using (no_grad())
        {
            foreach (var (key, target) in own)
                if (state.TryGetValue(key, out var source)) target.copy_(source);
        }
        return new LoadedWeights(missing, unexpected);
    }
}
