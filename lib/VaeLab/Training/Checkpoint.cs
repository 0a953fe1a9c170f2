using System.Text.Json;
using System.Text.Json.Serialization;
using TorchSharp;
using static TorchSharp.torch.optim;
using static TorchSharp.torch.optim.lr_scheduler;
using static TorchSharp.torch;
using VaeLab.Torch;

namespace VaeLab.Training;

/// <summary>What <see cref="Checkpoint.load"/> read besides the states it put back.</summary>
public sealed record CheckpointContents(TrainerPosition position, TrainingHistory history, IReadOnlyDictionary<string, string> metadata);

/// <summary>
/// A training run in one safetensors file, readable by Python's safetensors too: tensors "model.{key}" (the model's
/// state_dict) and "optimizer.{i}.state.{index}.{name}" (each optimizer's flat state); metadata "optimizer.{i}.{key}"
/// and "scheduler.{i}.{key}" (as <see cref="FlatStateDict"/> writes them), "position" and "history" (JSON), and
/// "user.{key}" for the caller's own strings.
/// </summary>
public static class Checkpoint
{
    const string Format = "vaelab-checkpoint-2";
    const string UserPrefix = "user.";

    static readonly JsonSerializerOptions Json = new() { NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals };

    public static void save(string path, nn.Module model, IReadOnlyList<Optimizer> optimizers, IReadOnlyList<LRScheduler> schedulers,
        TrainerPosition position, TrainingHistory history, IReadOnlyDictionary<string, string>? metadata = null)
    {
        // TorchSharp's state_dict holds the module's own tensors, and the optimizers' states are theirs too: nothing to free.
        var tensors = model.state_dict().ToDictionary(e => $"model.{e.Key}", e => e.Value);
        var meta = new Dictionary<string, string>
        {
            ["format"] = Format,
            ["position"] = JsonSerializer.Serialize(position, Json),
            ["history"] = JsonSerializer.Serialize(history, Json),
        };
        for (var i = 0; i < optimizers.Count; i++)
        {
            var (flat, flatMeta) = optimizers[i].flat_state_dict();
            foreach (var (key, t) in flat) tensors[$"optimizer.{i}.{key}"] = t;
            foreach (var (key, value) in flatMeta) meta[$"optimizer.{i}.{key}"] = value;
        }
        for (var i = 0; i < schedulers.Count; i++)
            foreach (var (key, value) in schedulers[i].flat_state_dict()) meta[$"scheduler.{i}.{key}"] = value;
        foreach (var (key, value) in metadata ?? new Dictionary<string, string>()) meta[UserPrefix + key] = value;

        var directory = Path.GetDirectoryName(Path.GetFullPath(path));
        if (directory is not null) Directory.CreateDirectory(directory);
        safetensors.save_file(tensors, path, meta);
    }

    /// <summary>
    /// Puts the saved states back into the model, the optimizers and the schedulers (which must be built as when
    /// saved, in the same order), and returns the position, the history and the caller's metadata.
    /// </summary>
    public static CheckpointContents load(string path, nn.Module model, IReadOnlyList<Optimizer> optimizers, IReadOnlyList<LRScheduler> schedulers)
    {
        var meta = ReadChecked(path);
        var tensors = safetensors.load_file(path);
        try
        {
            LoadModel(path, model, tensors);
            for (var i = 0; i < optimizers.Count; i++)
            {
                var prefix = $"optimizer.{i}.";
                var flatMeta = WithPrefix(meta, prefix);
                if (flatMeta.Count == 0)
                    throw new ArgumentException($"{path}: the checkpoint has no optimizer {i} (it was saved with fewer optimizers)", nameof(optimizers));
                try { optimizers[i].load_flat_state_dict(WithPrefix(tensors, prefix), flatMeta); }
                catch (ArgumentException e) { throw new ArgumentException($"{path}: optimizer {i}: {e.Message}", nameof(optimizers), e); }
            }
            for (var i = 0; i < schedulers.Count; i++)
            {
                var flatMeta = WithPrefix(meta, $"scheduler.{i}.");
                if (flatMeta.Count == 0)
                    throw new ArgumentException($"{path}: the checkpoint has no scheduler {i} (it was saved with fewer schedulers)", nameof(schedulers));
                try { schedulers[i].load_flat_state_dict(flatMeta); }
                catch (ArgumentException e) { throw new ArgumentException($"{path}: scheduler {i}: {e.Message}", nameof(schedulers), e); }
            }
            return new CheckpointContents(Read<TrainerPosition>(path, meta, "position"), Read<TrainingHistory>(path, meta, "history"), UserMetadata(meta));
        }
        finally
        {
            foreach (var t in tensors.Values) t.Dispose();
        }
    }

    /// <summary>Loads only the model's weights (for sampling or evaluation) and returns the caller's metadata.</summary>
    public static IReadOnlyDictionary<string, string> load_model(string path, nn.Module model)
    {
        var meta = ReadChecked(path);
        var tensors = safetensors.load_file(path);
        try
        {
            LoadModel(path, model, tensors);
            return UserMetadata(meta);
        }
        finally
        {
            foreach (var t in tensors.Values) t.Dispose();
        }
    }

    static Dictionary<string, string> ReadChecked(string path)
    {
        var meta = safetensors.read_metadata(path);
        if (!meta.TryGetValue("format", out var format) || format != Format)
            throw new ArgumentException($"{path} is not a VaeLab checkpoint (its metadata has no format '{Format}')", nameof(path));
        return meta;
    }

    static Dictionary<string, T> WithPrefix<T>(IReadOnlyDictionary<string, T> entries, string prefix) =>
        entries.Where(e => e.Key.StartsWith(prefix, StringComparison.Ordinal)).ToDictionary(e => e.Key[prefix.Length..], e => e.Value);

    static void LoadModel(string path, nn.Module model, Dictionary<string, Tensor> tensors)
    {
        try { model.load_weights(WithPrefix(tensors, "model.")); }
        catch (ArgumentException e) { throw new ArgumentException($"{path}: {e.Message}", nameof(model), e); }
    }

    static T Read<T>(string path, Dictionary<string, string> meta, string key)
    {
        if (!meta.TryGetValue(key, out var text)) throw new ArgumentException($"{path}: the checkpoint has no '{key}' metadata", nameof(path));
        try { return JsonSerializer.Deserialize<T>(text, Json) ?? throw new JsonException("null"); }
        catch (JsonException e) { throw new ArgumentException($"{path}: metadata '{key}' is not a {typeof(T).Name}: {e.Message}", nameof(path), e); }
    }

    static Dictionary<string, string> UserMetadata(Dictionary<string, string> meta) => WithPrefix(meta, UserPrefix);
}
