using System.Collections;
using static VaeLab.Torch.torch;

namespace VaeLab.Torch.Modules;

/// <summary>
/// Runs its layers in order, each on the previous one's output, as torch.nn.Sequential. Layers are
/// children named "0", "1", ... (or the names given), so state_dict keys read "0.weight" as in PyTorch.
/// </summary>
public sealed class Sequential : nn.Module<Tensor, Tensor>, IReadOnlyList<nn.Module<Tensor, Tensor>>
{
    // A list of pairs is not a field the Module base discovers: the layers are registered by name instead.
    readonly List<(string name, nn.Module<Tensor, Tensor> module)> layers = new();

    /// <summary>An empty Sequential to append to (without it, a call with no layers would match both params overloads).</summary>
    public Sequential() { }

    public Sequential(params nn.Module<Tensor, Tensor>[] modules)
    {
        foreach (var module in modules) append(module);
    }

    public Sequential(params (string name, nn.Module<Tensor, Tensor> module)[] modules)
    {
        foreach (var (name, module) in modules) Add(name, module);
    }

    /// <summary>Adds a layer at the end, named by its position.</summary>
    public Sequential append(nn.Module<Tensor, Tensor> module)
    {
        Add(layers.Count.ToString(), module);
        return this;
    }

    void Add(string name, nn.Module<Tensor, Tensor> module)
    {
        if (layers.Any(l => l.name == name)) throw new ArgumentException($"Sequential already has a layer named '{name}'", nameof(name));
        register_module(name, module);
        layers.Add((name, module));
    }

    public int Count => layers.Count;

    /// <summary>The layer at index; negative indices count from the end, as in Python.</summary>
    public nn.Module<Tensor, Tensor> this[int index]
    {
        get
        {
            var i = index < 0 ? index + layers.Count : index;
            if (i < 0 || i >= layers.Count)
                throw new ArgumentOutOfRangeException(nameof(index), index, $"Sequential has {layers.Count} layers");
            return layers[i].module;
        }
    }

    public nn.Module<Tensor, Tensor> this[string name] =>
        layers.FirstOrDefault(l => l.name == name).module ?? throw new KeyNotFoundException($"Sequential has no layer named '{name}'");

    public override Tensor forward(Tensor input)
    {
        var x = input;
        foreach (var (_, module) in layers) x = module.call(x);
        return x;
    }

    public IEnumerator<nn.Module<Tensor, Tensor>> GetEnumerator() => layers.Select(l => l.module).GetEnumerator();
    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();
}
