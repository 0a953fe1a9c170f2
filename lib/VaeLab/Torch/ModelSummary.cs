using System.Globalization;
using System.Linq.Expressions;
using System.Net;
using System.Reflection;
using System.Runtime.CompilerServices;
using System.Text;
using VaeLab.Display;
using static TorchSharp.torch;

namespace VaeLab.Torch;

/// <summary>
/// A torchinfo-style table of a model, from <see cref="ModelSummaryExtensions.summary(nn.Module, long[][])"/>: every
/// module call of one forward pass in call order, with its output shapes and its own parameter count, and the totals.
/// </summary>
[TypeFormatterSource(typeof(FormatterSource<ModelSummary>))]
public sealed class ModelSummary : IRenderable
{
    /// <summary>One module call: depth 0 is the model; parameters counts the module's own (not its children's).
    /// A module called again is listed again with repeated set, and its parameters are not counted twice.</summary>
    public sealed record Row(int depth, string type, string path, IReadOnlyList<long[]> output_shapes, long parameters, bool repeated)
    {
        public string name => path.Length == 0 ? type : $"{type} ({path})";
        public string output_shape => output_shapes.Count == 0 ? "--" : string.Join(", ", output_shapes.Select(s => $"[{string.Join(", ", s)}]"));
        public string parameter_text => repeated ? "(recursive)" : parameters == 0 ? "--" : Count(parameters);
    }

    public IReadOnlyList<Row> rows { get; }
    public long total_params { get; }
    public long trainable_params { get; }
    public long non_trainable_params => total_params - trainable_params;

    /// <summary>Bytes of parameter storage / 10^6, as torchinfo's "Params size (MB)".</summary>
    public double params_size_mb { get; }

    internal ModelSummary(nn.Module model, IReadOnlyList<Row> rows)
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
            html.Append($"<tr><td style=\"padding-left:{(1.5 * r.depth).ToString("0.#", CultureInfo.InvariantCulture)}em\">{E(r.name)}</td><td>{E(r.output_shape)}</td><td>{E(r.parameter_text)}</td></tr>\n");
        html.Append("</tbody>\n<tfoot>\n");
        foreach (var (label, value) in Totals()) html.Append($"<tr><td colspan=\"2\">{E(label)}</td><td>{E(value)}</td></tr>\n");
        return html.Append("</tfoot>\n</table>").ToString();
    }

    static IReadOnlyList<string> IRenderable.MimeTypes => [Mime.Html, Mime.Text];

    string IRenderable.Render(string mimeType) => mimeType switch
    {
        Mime.Html => ToHtml(),
        Mime.Text => ToString(),
        _ => throw Mime.Unsupported(typeof(ModelSummary), mimeType),
    };
}

public static class ModelSummaryExtensions
{
    /// <summary>
    /// The summary of one forward pass on zero inputs of the given shapes, in the dtype and on the device of the
    /// model's parameters: <c>model.summary([1, 3, 64, 64])</c>.
    /// </summary>
    public static ModelSummary summary(this nn.Module model, params long[][] input_shapes)
    {
        var reference = model.parameters().Cast<Tensor>().Concat(model.buffers()).FirstOrDefault(t => t.is_floating_point());
        using var scope = NewDisposeScope();
        // Zeros rather than random inputs: a summary must not advance the random generator of a seeded run.
        var inputs = input_shapes.Select(shape => zeros(shape, reference?.dtype, reference?.device)).ToArray();
        return model.summary(inputs);
    }

    /// <summary>The summary of one forward pass on the given inputs, passed to the model's call().</summary>
    public static ModelSummary summary(this nn.Module model, params Tensor[] inputs)
    {
        var call = model.GetType().GetMethods().FirstOrDefault(m => m.Name == "call"
            && m.GetParameters().Length == inputs.Length && m.GetParameters().All(p => p.ParameterType == typeof(Tensor)))
            ?? throw new ArgumentException($"{model.GetType().Name} has no call() taking {inputs.Length} tensor(s)", nameof(inputs));
        return model.summary(() => call.Invoke(model, BindingFlags.DoNotWrapExceptions, null, inputs, null));
    }

    /// <summary>
    /// The summary of the modules that forward runs, for a model whose call() takes other inputs than tensors:
    /// <c>model.summary(() => model.call(batch))</c>. The pass runs without grad and in eval mode (so batch-norm
    /// statistics are left alone); each module's training flag is restored afterwards, and the summary's hooks removed.
    /// </summary>
    public static ModelSummary summary(this nn.Module model, Action forward)
    {
        var tree = Tree(model);
        var calls = new List<(Node node, IReadOnlyList<long[]> shapes)>();
        // Calls nest, so the module that finishes is the latest one still open.
        var open = new Stack<int>();
        var removers = new List<Action>();
        var modes = tree.Select(node => (node.module, node.module.training)).ToList();
        try
        {
            foreach (var node in tree)
            {
                removers.AddRange(Hooks(node.module,
                    () =>
                    {
                        open.Push(calls.Count);
                        calls.Add((node, []));
                    },
                    output => calls[open.Pop()] = (node, Shapes(output))));
            }
            model.eval();
            using (NewDisposeScope())
            using (no_grad())
                forward();
        }
        finally
        {
            foreach (var remove in removers) remove();
            // Parents first: train() also sets every descendant, which then gets its own flag back.
            foreach (var (module, training) in modes) module.train(training);
        }

        var seen = new HashSet<string>();
        var rows = calls.Select(c => seen.Add(c.node.path)
            ? new ModelSummary.Row(c.node.depth, TypeName(c.node.module), c.node.path, c.shapes, OwnParameters(c.node.module), false)
            : new ModelSummary.Row(c.node.depth, TypeName(c.node.module), c.node.path, c.shapes, 0, true)).ToList();
        // A module whose weights a function uses without calling it (PackedLstm runs an nn.LSTM's weights) still has a
        // row, under its parent and without an output shape.
        foreach (var node in tree.Where(n => !seen.Contains(n.path) && OwnParameters(n.module) > 0))
        {
            var parent = node.path.Contains('.') ? node.path[..node.path.LastIndexOf('.')] : "";
            rows.Insert(rows.FindIndex(r => r.path == parent) + 1, new ModelSummary.Row(node.depth, TypeName(node.module), node.path, [], OwnParameters(node.module), false));
        }
        return new ModelSummary(model, rows);
    }

    static long OwnParameters(nn.Module module) => module.named_parameters(recurse: false).Sum(p => p.parameter.numel());

    sealed record Node(nn.Module module, string path, int depth);

    /// <summary>Every module once, depth first, with its dotted path and its depth in the module tree.</summary>
    static List<Node> Tree(nn.Module model)
    {
        var result = new List<Node>();
        var seen = new HashSet<nn.Module>(ReferenceEqualityComparer.Instance);
        Walk(model, "", 0);
        return result;

        void Walk(nn.Module module, string path, int depth)
        {
            if (!seen.Add(module)) return;
            result.Add(new Node(module, path, depth));
            foreach (var (name, child) in module.named_children()) Walk(child, path.Length == 0 ? name : $"{path}.{name}", depth + 1);
        }
    }

    /// <summary>
    /// Hooks on one module, entered before its forward and output with what it returns; returns their removers. TorchSharp types a module's output hook by the module's signature (Func&lt;Module&lt;T, TResult&gt;,
    /// T, TResult, TResult&gt; for one input), so the hook is built for that type; it returns the output unchanged.
    /// Modules that cannot be called (ModuleList, ModuleDict) take no hooks.
    /// </summary>
    static IEnumerable<Action> Hooks(nn.Module module, Action entered, Action<object?> output)
    {
        var hookable = module.GetType();
        while (hookable is not null && !(hookable.IsGenericType && hookable.GetGenericTypeDefinition() == typeof(nn.HookableModule<,>)))
            hookable = hookable.BaseType;
        if (hookable is null) return [];

        var outputHookType = hookable.GetGenericArguments()[1];
        var parameters = outputHookType.GetMethod("Invoke")!.GetParameters().Select(p => Expression.Parameter(p.ParameterType)).ToArray();
        var result = parameters[^1];
        var outputHook = Expression.Lambda(outputHookType,
            Expression.Block(Expression.Invoke(Expression.Constant(output), Expression.Convert(result, typeof(object))), result), parameters).Compile();

        Action Register(string method, Type hookType, Delegate hook)
        {
            var remover = hookable.GetMethod(method, [hookType])!.Invoke(module, [hook])!;
            return () => remover.GetType().GetMethod("remove")!.Invoke(remover, null);
        }
        return
        [
            Register("register_forward_pre_hook", typeof(Action<nn.Module>), (Action<nn.Module>)(_ => entered())),
            Register("register_forward_hook", outputHookType, outputHook),
        ];
    }

    static string TypeName(nn.Module module)
    {
        var name = module.GetType().Name;
        var tick = name.IndexOf('`');
        return tick < 0 ? name : name[..tick];
    }

    /// <summary>Shapes of a module's output: a tensor, or the tensors in a tuple or a sequence.</summary>
    static IReadOnlyList<long[]> Shapes(object? output) => output switch
    {
        Tensor t => [t.shape],
        ITuple tuple => Enumerable.Range(0, tuple.Length).SelectMany(i => Shapes(tuple[i])).ToList(),
        IEnumerable<Tensor> tensors => tensors.Select(t => t.shape).ToList(),
        _ => [],
    };
}
