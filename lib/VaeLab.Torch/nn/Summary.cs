using System.Globalization;
using System.Net;
using System.Reflection;
using System.Runtime.CompilerServices;
using System.Text;

namespace VaeLab.Torch;

public static partial class torch
{
    /// <summary>
    /// A torchinfo-style table of a model: runs one forward pass on zero inputs of the given shapes
    /// (in the dtype and on the device of the model's parameters) and lists every module that ran.
    /// </summary>
    public static ModelSummary summary(nn.Module model, params long[][] input_shapes)
    {
        var reference = model.parameters().Cast<Tensor>().Concat(model.buffers()).FirstOrDefault(t => t.is_floating_point());
        using var scope = NewDisposeScope();
        // Zeros rather than random inputs: a summary must not advance the random generator of a seeded run.
        var inputs = input_shapes.Select(shape => zeros(shape, reference?.dtype, reference?.device)).ToArray();
        return summary(model, inputs);
    }

    /// <summary>
    /// A torchinfo-style table of a model run on the given inputs, passed to its call(). The pass runs
    /// without grad and in eval mode (so batch-norm statistics are left alone); each module's training
    /// flag is restored afterwards, and the hooks the summary adds are removed.
    /// </summary>
    public static ModelSummary summary(nn.Module model, params Tensor[] inputs)
    {
        var call = model.GetType().GetMethods().FirstOrDefault(m => m.Name == "call"
            && m.GetParameters().Length == inputs.Length && m.GetParameters().All(p => p.ParameterType == typeof(Tensor)))
            ?? throw new ArgumentException($"{model.GetType().Name} has no call() taking {inputs.Length} tensor(s)", nameof(inputs));
        return summary(model, () => call.Invoke(model, BindingFlags.DoNotWrapExceptions, null, inputs, null));
    }

    /// <summary>
    /// The table of a model whose call() takes other inputs than tensors (a batch record, lengths):
    /// <c>summary(model, () => model.call(batch))</c> lists the modules that the pass runs, under the same
    /// conditions as <see cref="summary(nn.Module, Tensor[])"/> (no grad, eval mode, modes restored).
    /// </summary>
    public static ModelSummary summary(nn.Module model, Action forward)
    {
        var tree = ModelSummary.Tree(model);
        var finished = new List<ModelSummary.Row>();
        var hooks = tree.Select(node => node.module.register_forward_hook((_, _, output) =>
            finished.Add(new ModelSummary.Row(node.depth, ModelSummary.TypeName(node.module), node.path, ModelSummary.Shapes(output),
                node.module.named_parameters(recurse: false).Sum(p => p.parameter.numel()), false)))).ToList();
        var modes = tree.Select(node => (node.module, node.module.training)).ToList();
        try
        {
            model.eval();
            using (NewDisposeScope())
            using (no_grad())
                forward();
        }
        finally
        {
            foreach (var hook in hooks) hook.Dispose();
            // Parents first: train() also sets every descendant, which then gets its own flag back.
            foreach (var (module, training) in modes) module.train(training);
        }
        return new ModelSummary(model, ModelSummary.InCallOrder(finished));
    }
}

/// <summary>The result of <see cref="torch.summary(torch.nn.Module, long[][])"/>: rows, totals, and a text or HTML table.</summary>
public sealed partial class ModelSummary
{
    /// <summary>One module call: depth 0 is the model; parameters counts the module's own (not its children's).
    /// A module called again is listed again with repeated set, and its parameters are not counted twice.</summary>
    public sealed record Row(int depth, string type, string path, IReadOnlyList<long[]> output_shapes, long parameters, bool repeated)
    {
        public string name => path.Length == 0 ? type : $"{type} ({path})";
        public string output_shape => output_shapes.Count == 0 ? "--" : string.Join(", ", output_shapes.Select(s => $"[{string.Join(", ", s)}]"));
        public string parameter_text => repeated ? "(recursive)" : parameters == 0 ? "--" : parameters.ToString("N0", CultureInfo.InvariantCulture);
    }

    public IReadOnlyList<Row> rows { get; }
    public long total_params { get; }
    public long trainable_params { get; }
    public long non_trainable_params => total_params - trainable_params;

    /// <summary>Bytes of parameter storage / 10^6, as torchinfo's "Params size (MB)".</summary>
    public double params_size_mb { get; }

    internal ModelSummary(torch.nn.Module model, IReadOnlyList<Row> rows)
    {
        this.rows = rows;
        var parameters = model.parameters().ToList();
        total_params = parameters.Sum(p => p.numel());
        trainable_params = parameters.Where(p => p.requires_grad).Sum(p => p.numel());
        params_size_mb = parameters.Sum(p => p.numel() * p.element_size()) / 1e6;
    }

    IEnumerable<(string label, string value)> Totals() =>
    [
        ("Total params", Count(total_params)),
        ("Trainable params", Count(trainable_params)),
        ("Non-trainable params", Count(non_trainable_params)),
        ("Params size (MB)", params_size_mb.ToString("F2", CultureInfo.InvariantCulture)),
    ];

    static string Count(long n) => n.ToString("N0", CultureInfo.InvariantCulture);

    static readonly string[] Header = ["Layer (type (path))", "Output Shape", "Param #"];

    public override string ToString()
    {
        var cells = rows.Select(r => new[] { new string(' ', 2 * r.depth) + r.name, r.output_shape, r.parameter_text }).ToList();
        var widths = Enumerable.Range(0, 3).Select(c => cells.Select(row => row[c].Length).Append(Header[c].Length).Max()).ToArray();
        string Line(string[] row) => $"{row[0].PadRight(widths[0])}   {row[1].PadRight(widths[1])}   {row[2]}".TrimEnd();
        var rule = new string('=', widths[0] + widths[1] + widths[2] + 6);
        var text = new StringBuilder().AppendLine(rule).AppendLine(Line(Header)).AppendLine(rule);
        foreach (var row in cells) text.AppendLine(Line(row));
        text.AppendLine(rule);
        foreach (var (label, value) in Totals()) text.AppendLine($"{label}: {value}");
        return text.Append(rule).ToString();
    }

    public string ToHtml()
    {
        static string E(string s) => WebUtility.HtmlEncode(s);
        var html = new StringBuilder("<table class=\"model-summary\">\n<thead><tr>");
        foreach (var h in Header) html.Append($"<th>{E(h)}</th>");
        html.Append("</tr></thead>\n<tbody>\n");
        foreach (var r in rows)
            html.Append($"<tr><td style=\"padding-left:{1.5 * r.depth:0.#}em\">{E(r.name)}</td><td>{E(r.output_shape)}</td><td>{E(r.parameter_text)}</td></tr>\n");
        html.Append("</tbody>\n<tfoot>\n");
        foreach (var (label, value) in Totals()) html.Append($"<tr><td colspan=\"2\">{E(label)}</td><td>{E(value)}</td></tr>\n");
        return html.Append("</tfoot>\n</table>").ToString();
    }

    // ---- helpers for torch.summary ---------------------------------------------------------------
    /// <summary>Every module once, depth first, with its dotted path and its depth in the module tree.</summary>
    internal static List<(torch.nn.Module module, string path, int depth)> Tree(torch.nn.Module model)
    {
        var result = new List<(torch.nn.Module, string, int)>();
        var seen = new HashSet<torch.nn.Module>(ReferenceEqualityComparer.Instance);
        Walk(model, "", 0);
        return result;

        void Walk(torch.nn.Module module, string path, int depth)
        {
            if (!seen.Add(module)) return;
            result.Add((module, path, depth));
            foreach (var (name, child) in module.named_children()) Walk(child, path.Length == 0 ? name : $"{path}.{name}", depth + 1);
        }
    }

    /// <summary>
    /// Hooks fire when a module finishes, so a parent comes after its children. Rebuilds call order:
    /// the rows deeper than a finishing module that are still waiting are its children.
    /// </summary>
    internal static List<Row> InCallOrder(List<Row> finished)
    {
        var waiting = new List<(Row row, List<Row> subtree)>();
        foreach (var row in finished)
        {
            var first = waiting.Count;
            while (first > 0 && waiting[first - 1].row.depth > row.depth) first--;
            var subtree = new List<Row> { row };
            foreach (var (_, children) in waiting.Skip(first)) subtree.AddRange(children);
            waiting.RemoveRange(first, waiting.Count - first);
            waiting.Add((row, subtree));
        }
        var ordered = waiting.SelectMany(w => w.subtree).ToList();
        var seen = new HashSet<string>();
        return ordered.Select(r => seen.Add(r.path) ? r : r with { parameters = 0, repeated = true }).ToList();
    }

    internal static string TypeName(torch.nn.Module module)
    {
        var name = module.GetType().Name;
        var tick = name.IndexOf('`');
        return tick < 0 ? name : name[..tick];
    }

    /// <summary>Shapes of a module's output: a tensor, or the tensors in a tuple or a sequence.</summary>
    internal static IReadOnlyList<long[]> Shapes(object? output) => output switch
    {
        Tensor t => [t.shape],
        ITuple tuple => Enumerable.Range(0, tuple.Length).SelectMany(i => Shapes(tuple[i])).ToList(),
        IEnumerable<Tensor> tensors => tensors.Select(t => t.shape).ToList(),
        _ => [],
    };
}

public static class ModelSummaryExtensions
{
    /// <summary>model.summary(x): see <see cref="torch.summary(torch.nn.Module, Tensor[])"/>.</summary>
    public static ModelSummary summary(this torch.nn.Module model, params Tensor[] inputs) => torch.summary(model, inputs);

    /// <summary>model.summary([1, 3, 64, 64]): see <see cref="torch.summary(torch.nn.Module, long[][])"/>.</summary>
    public static ModelSummary summary(this torch.nn.Module model, params long[][] input_shapes) => torch.summary(model, input_shapes);
}
