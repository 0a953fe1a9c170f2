using System.Collections;
using static VaeLab.Torch.torch;

namespace VaeLab.Torch.Modules;

/// <summary>
/// Holds modules as children named "0", "1", ..., as torch.nn.ModuleList: for a varying number of layers
/// that forward code loops over itself. It has no forward of its own.
/// </summary>
public sealed class ModuleList<T> : nn.Module, IReadOnlyList<T> where T : nn.Module
{
    // A list of pairs is not a field the Module base discovers: the modules are registered by name instead.
    readonly List<(string name, T module)> items = new();

    public ModuleList(params T[] modules)
    {
        foreach (var module in modules) append(module);
    }

    public ModuleList<T> append(T module)
    {
        var name = items.Count.ToString();
        register_module(name, module);
        items.Add((name, module));
        return this;
    }

    public int Count => items.Count;

    /// <summary>The module at index; negative indices count from the end, as in Python.</summary>
    public T this[int index]
    {
        get
        {
            var i = index < 0 ? index + items.Count : index;
            if (i < 0 || i >= items.Count)
                throw new ArgumentOutOfRangeException(nameof(index), index, $"ModuleList has {items.Count} modules");
            return items[i].module;
        }
    }

    public IEnumerator<T> GetEnumerator() => items.Select(m => m.module).GetEnumerator();
    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();
}
