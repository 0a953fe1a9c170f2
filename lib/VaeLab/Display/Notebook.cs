using System.Globalization;
using System.Net;
using VaeLab.Runs;


namespace VaeLab.Display;

/// <summary>Calls for notebook cells, meant for <c>using static VaeLab.Display.Notebook;</c>.</summary>
public static class Notebook
{
    static readonly List<Metric> reported = [];
    static readonly Lock gate = new();

    /// <summary>Raised by <see cref="report"/>. VaeLab's notebook engine subscribes by reflection to collect
    /// a run's headline numbers, so the signature is part of the contract.</summary>
    public static event Action<string, double>? MetricReported;

    /// <summary>Every metric reported in this process, oldest first.</summary>
    public static IReadOnlyList<Metric> ReportedMetrics
    {
        get { lock (gate) return reported.ToArray(); }
    }

    /// <summary>Records a headline metric of the run (e.g. test accuracy), also on the run going (<see cref="Run.current"/>)
    /// if there is one, and returns it for display as a badge.</summary>
    public static Metric report(string name, double value, string? unit = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        var metric = new Metric(name, value, unit);
        lock (gate) reported.Add(metric);
        MetricReported?.Invoke(name, value);
        Run.current?.metric(name, value);
        return metric;
    }
}

/// <summary>A named number with an optional unit, shown as a one-line badge with six significant digits.</summary>
[TypeFormatterSource(typeof(FormatterSource<Metric>))]
public sealed record Metric(string Name, double Value, string? Unit = null) : IRenderable
{
    const int Digits = 6;

    string ValueText => NumberFormat.General(Value, Digits) + (Unit is null ? "" : " " + Unit);

    public string ToHtml() =>
        "<span class=\"vaelab-metric\" style=\"display:inline-flex;border-radius:4px;overflow:hidden;font:13px sans-serif\">" +
        $"<span style=\"padding:2px 8px;background:#555;color:#fff\">{WebUtility.HtmlEncode(Name)}</span>" +
        $"<span style=\"padding:2px 8px;background:#4c1;color:#fff\" title=\"{Value.ToString("R", CultureInfo.InvariantCulture)}\">{WebUtility.HtmlEncode(ValueText)}</span></span>";

    public override string ToString() => $"{Name}: {ValueText}";

    static IReadOnlyList<string> IRenderable.MimeTypes => [Mime.Html, Mime.Text];

    string IRenderable.Render(string mimeType) => mimeType switch
    {
        Mime.Html => ToHtml(),
        Mime.Text => ToString(),
        _ => throw Mime.Unsupported(typeof(Metric), mimeType),
    };
}
