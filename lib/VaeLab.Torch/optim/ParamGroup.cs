namespace VaeLab.Torch.Optim;

/// <summary>
/// Parameters optimized with the same hyperparameters: one entry of PyTorch's optimizer.param_groups.
/// Options not set here take the optimizer's defaults, so per-group overrides read as in PyTorch:
/// <code>torch.optim.SGD([new ParamGroup(encoder.parameters()), new ParamGroup(head.parameters()) { ["lr"] = 1e-3 }], lr: 1e-2)</code>
/// Values are doubles, bools or (double, double) pairs (Adam's betas).
/// </summary>
public sealed class ParamGroup
{
    readonly Dictionary<string, object> options = new();

    public ParamGroup(IEnumerable<Tensor> @params) => this.@params = @params.ToArray();

    public IReadOnlyList<Tensor> @params { get; }

    /// <summary>The learning rate; schedulers change it between steps.</summary>
    public double lr
    {
        get => Get<double>(nameof(lr));
        set => this[nameof(lr)] = value;
    }

    public IEnumerable<string> Keys => options.Keys;

    public bool ContainsKey(string key) => options.ContainsKey(key);

    /// <summary>An option by its PyTorch name. Integers are stored as doubles; an option keeps its type.</summary>
    public object this[string key]
    {
        get => options.TryGetValue(key, out var value) ? value : throw new KeyNotFoundException($"the param group has no option '{key}'");
        set
        {
            var normalized = value switch
            {
                int i => (double)i,
                long l => (double)l,
                float f => (double)f,
                double or bool or (double, double) => value,
                _ => throw new ArgumentException($"option '{key}' must be a number, a bool or a pair of numbers, not {value.GetType().Name}", key),
            };
            if (options.TryGetValue(key, out var old) && old.GetType() != normalized.GetType())
                throw new ArgumentException($"option '{key}' holds a {TypeName(old)}, not a {TypeName(normalized)}", key);
            options[key] = normalized;
        }
    }

    public T Get<T>(string key) => this[key] is T value ? value : throw new InvalidCastException($"option '{key}' is a {TypeName(this[key])}, not a {typeof(T).Name}");

    internal IReadOnlyDictionary<string, object> Options => options;

    /// <summary>Swaps in another set of options wholesale, as loading PyTorch's state dict replaces each group dict.</summary>
    internal void ReplaceOptions(IReadOnlyDictionary<string, object> replacement)
    {
        options.Clear();
        foreach (var (key, value) in replacement) options[key] = value;
    }

    internal static string TypeName(object value) => value switch
    {
        double => "number",
        bool => "bool",
        (double, double) => "pair of numbers",
        _ => value.GetType().Name,
    };
}
