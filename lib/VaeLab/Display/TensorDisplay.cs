using System.Globalization;
using System.Net;
using System.Runtime.CompilerServices;
using System.Text;
using TorchSharp;
using TorchSharp.Modules;
using VaeLab.Torch;
using static TorchSharp.torch;

namespace VaeLab.Display;

/// <summary>
/// Notebook output of a tensor: its values printed as PyTorch's repr() prints them (libtorch's own
/// printout lists every element, which a batch of images turns into megabytes), and an HTML card with
/// the shape, dtype, device, autograd state and value range above that printout.
/// </summary>
public static class TensorDisplay
{
    // PyTorch's default print options.
    const int Precision = 4, Threshold = 1000, EdgeItems = 3, LineWidth = 80;

    /// <summary>
    /// Registers these outputs for tensors (a Parameter too) with the kernel's formatter when VaeLab's code first runs:
    /// a tensor a notebook shows before that shows as TorchSharp's own formatter, which TorchSharp's attribute on Tensor
    /// names, has it. A registered formatter comes before one an attribute names.
    /// </summary>
#pragma warning disable CA2255
    [ModuleInitializer]
#pragma warning restore CA2255
    internal static void RegisterFormatters() => MimeFormatter.RegisterHtmlAndText<Tensor>(Html, Repr);

    public static string Html(Tensor tensor)
    {
        if (tensor.IsInvalid) return "<div class=\"vaelab-tensor\"><pre>tensor(disposed)</pre></div>";
        var facts = new List<string> { $"[{string.Join(", ", tensor.shape)}]", tensor.dtype.PyTorchName(), tensor.device.ToString() };
        if (tensor.requires_grad) facts.Add("requires_grad");
        var html = new StringBuilder("<div class=\"vaelab-tensor\">\n<div><b>Tensor</b> ")
            .Append(WebUtility.HtmlEncode(string.Join(" · ", facts))).Append("</div>\n");
        if (tensor.is_floating_point() && tensor.numel() > 0)
        {
            using var scope = torch.NewDisposeScope();
            using var noGrad = torch.no_grad();
            string Stat(string name, Tensor value) => $"{name} {NumberFormat.General(value.to(ScalarType.Float64).item<double>(), Precision)}";
            html.Append("<div>").Append(WebUtility.HtmlEncode(string.Join(" · ",
                Stat("min", tensor.min()), Stat("max", tensor.max()), Stat("mean", tensor.mean())))).Append("</div>\n");
        }
        return html.Append("<pre>").Append(WebUtility.HtmlEncode(Repr(tensor))).Append("</pre>\n</div>").ToString();
    }

    /// <summary>PyTorch's repr() of the tensor, elided past 1000 elements as PyTorch elides it.</summary>
    public static string Repr(Tensor tensor)
    {
        if (tensor.IsInvalid) return "tensor(disposed)";
        const string prefix = "tensor(";
        var indent = prefix.Length;
        var shape = tensor.shape;
        var dtype = tensor.dtype;
        var suffixes = new List<string>();
        if (tensor.device.type != DeviceType.CPU) suffixes.Add($"device='{tensor.device}'");
        string body;
        if (tensor.numel() == 0)
        {
            if (shape.Length != 1) suffixes.Add($"size=({string.Join(", ", shape)})");
            if (dtype != torch.get_default_dtype()) suffixes.Add($"dtype=torch.{dtype.PyTorchName()}");
            body = "[]";
        }
        else
        {
            if (dtype != torch.get_default_dtype() && dtype is not (ScalarType.Int64 or ScalarType.Bool)) suffixes.Add($"dtype=torch.{dtype.PyTorchName()}");
            body = Body(tensor, indent);
        }
        // PyTorch names a computed tensor's autograd node (grad_fn=<ExpBackward0>); TorchSharp does not expose it.
        if (tensor.requires_grad) suffixes.Add("requires_grad=True");
        var text = AddSuffixes(prefix + body, suffixes, indent);
        return tensor is Parameter ? "Parameter containing:\n" + text : text;
    }

    static string Body(Tensor tensor, int indent)
    {
        using var scope = torch.NewDisposeScope();
        using var noGrad = torch.no_grad();
        var summarize = tensor.numel() > Threshold;
        var shape = tensor.shape;
        var elided = new bool[shape.Length];
        var preview = tensor.detach();
        for (var d = 0; summarize && d < shape.Length; d++)
        {
            if (shape[d] <= 2 * EdgeItems) continue;
            elided[d] = true;
            var n = shape[d];
            var edges = Enumerable.Range(0, EdgeItems).Select(i => (long)i).Concat(Enumerable.Range(0, EdgeItems).Select(i => n - EdgeItems + i)).ToArray();
            preview = preview.index_select(d, torch.tensor(edges).to(tensor.device));
        }
        var cells = Cells(preview.cpu());
        return shape.Length == 0 ? cells[0] : Block(cells, preview.shape, elided, 0, 0, indent);
    }

    /// <summary>Every element as PyTorch's _Formatter writes it: one width, and for floats one style
    /// (whole numbers with a point, fixed or scientific) chosen from the non-zero finite values.</summary>
    static string[] Cells(Tensor preview)
    {
        string[] text;
        Func<int, bool> measured = _ => true;
        if (preview.dtype == ScalarType.Bool) text = preview.data<bool>().ToArray().Select(b => b ? "True" : "False").ToArray();
        else if (!preview.is_floating_point()) text = preview.to(ScalarType.Int64).data<long>().ToArray().Select(v => v.ToString(CultureInfo.InvariantCulture)).ToArray();
        else
        {
            var values = preview.to(ScalarType.Float64).data<double>().ToArray();
            var nonzero = values.Where(v => double.IsFinite(v) && v != 0).Select(Math.Abs).ToArray();
            var whole = nonzero.All(v => v == Math.Ceiling(v));
            var scientific = nonzero.Length > 0 && (nonzero.Max() / nonzero.Min() > 1000 || nonzero.Max() > 1e8 || (!whole && nonzero.Min() < 1e-4));
            var sciFormat = "0." + new string('0', Precision) + "e+00";
            text = values.Select(v =>
                !double.IsFinite(v) ? NumberFormat.General(v, Precision)
                : scientific ? v.ToString(sciFormat, CultureInfo.InvariantCulture)
                : whole ? v.ToString("F0", CultureInfo.InvariantCulture) + "."
                : v.ToString("F" + Precision, CultureInfo.InvariantCulture)).ToArray();
            // PyTorch measures the width on the non-zero finite values only.
            measured = i => double.IsFinite(values[i]) && values[i] != 0;
        }
        var width = text.Where((_, i) => measured(i)).Select(s => s.Length).Append(1).Max();
        return text.Select(s => s.PadLeft(width)).ToArray();
    }

    /// <summary>The nested brackets of one block, PyTorch's _tensor_str_with_formatter.</summary>
    static string Block(string[] cells, long[] shape, bool[] elided, int dim, long offset, int indent)
    {
        var items = new List<string>();
        if (dim == shape.Length - 1)
        {
            for (var i = 0; i < shape[dim]; i++)
            {
                if (elided[dim] && i == EdgeItems) items.Add(" ...");
                items.Add(cells[offset + i]);
            }
            var perLine = Math.Max(1, (LineWidth - indent) / (cells[0].Length + 2));
            var lines = items.Chunk(perLine).Select(line => string.Join(", ", line));
            return "[" + string.Join(",\n" + new string(' ', indent + 1), lines) + "]";
        }
        long stride = 1;
        for (var d = dim + 1; d < shape.Length; d++) stride *= shape[d];
        for (var i = 0; i < shape[dim]; i++)
        {
            if (elided[dim] && i == EdgeItems) items.Add("...");
            items.Add(Block(cells, shape, elided, dim + 1, offset + i * stride, indent + 1));
        }
        return "[" + string.Join("," + new string('\n', shape.Length - dim - 1) + new string(' ', indent + 1), items) + "]";
    }

    /// <summary>PyTorch's _add_suffixes: a suffix moves to its own line when the line would pass 80 characters.</summary>
    static string AddSuffixes(string text, List<string> suffixes, int indent)
    {
        var result = new StringBuilder(text);
        var lastLine = text.Length - text.LastIndexOf('\n') + 1;
        foreach (var suffix in suffixes)
        {
            if (lastLine + suffix.Length + 2 > LineWidth)
            {
                result.Append(",\n").Append(' ', indent).Append(suffix);
                lastLine = indent + suffix.Length;
            }
            else
            {
                result.Append(", ").Append(suffix);
                lastLine += suffix.Length + 2;
            }
        }
        return result.Append(')').ToString();
    }
}
