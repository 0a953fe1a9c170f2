using System.Globalization;
using System.Text.Json.Nodes;
using Microsoft.FSharp.Core;
using Newtonsoft.Json;
using Plotly.NET;
using Plotly.NET.CSharp;
using Plotly.NET.TraceObjects;
using Chart = Plotly.NET.CSharp.Chart;

namespace VaeLab.Display;

/// <summary>
/// A Plotly.NET chart built trace by trace: lines, scatters coloured by label, heatmaps, histograms and bars, with
/// VaeLab's layout (title, axis titles, a height, the width of the output area). <see cref="ToChart"/> gives the
/// <see cref="GenericChart"/> for anything else Plotly.NET offers. Notebooks get the figure as
/// <see cref="PlotlyMimeType"/>, which VS Code draws with its own plotly.js, and as HTML drawing it with the page's
/// plotly.js (VaeLab's exported reports load it before the first figure, inlined or from a copy shared by the reports
/// of analysis/), otherwise with one loaded from Plotly's CDN.
/// </summary>
[TypeFormatterSource(typeof(FormatterSource<Figure>), PreferredMimeTypes = [Mime.Html, PlotlyMimeType, Mime.Text])]
public sealed class Figure(string? title = null, string? xlabel = null, string? ylabel = null) : IRenderable
{
    /// <summary>Plotly's MIME type: a figure as JSON, {"data": [traces], "layout": {...}, "config": {...}}.</summary>
    public const string PlotlyMimeType = "application/vnd.plotly.v1+json";
    public const string PlotlyCdn = "https://cdn.plot.ly/plotly-2.35.2.min.js";

    /// <summary>The traces as makers of fresh charts: Plotly.NET's styling functions change the chart they are given,
    /// so every <see cref="ToChart"/> builds its own.</summary>
    readonly List<Func<GenericChart>> traces = [];

    public string? Title { get; set; } = title;
    public string? XLabel { get; set; } = xlabel;
    public string? YLabel { get; set; } = ylabel;
    public bool LogY { get; set; }

    /// <summary>Height of the plot in pixels; the width follows the output area.</summary>
    public int Height { get; set; } = 420;

    /// <summary>A line through the y values, at x = 0, 1, 2, ... unless x is given. A value that is not finite leaves a gap.</summary>
    public Figure Line(IEnumerable<double> y, IEnumerable<double>? x = null, string? name = null)
    {
        var ys = y.ToArray();
        var xs = x is null ? [.. Enumerable.Range(0, ys.Length).Select(i => (double)i)] : Matching(x, ys.Length, nameof(x));
        return Add(() => Chart.Line<double, double, string>(xs, ys, Name: Named(name), UseDefaults: false));
    }

    public Figure Scatter(IEnumerable<double> x, IEnumerable<double> y, string? name = null)
    {
        var ys = y.ToArray();
        var xs = Matching(x, ys.Length, nameof(x));
        return Add(() => Chart.Point<double, double, string>(xs, ys, Name: Named(name), UseDefaults: false));
    }

    /// <summary>Points coloured by label: one trace per distinct label, in the labels' sort order, named after it.</summary>
    public Figure Scatter<TLabel>(IEnumerable<double> x, IEnumerable<double> y, IEnumerable<TLabel> labels) where TLabel : notnull
    {
        var (xs, ys, ls) = (x.ToList(), y.ToList(), labels.ToList());
        if (xs.Count != ys.Count || xs.Count != ls.Count)
            throw new ArgumentException($"a scatter needs as many x values ({xs.Count}), y values ({ys.Count}) and labels ({ls.Count})", nameof(labels));
        foreach (var group in Enumerable.Range(0, ls.Count).GroupBy(i => ls[i]).OrderBy(g => g.Key))
            Scatter(group.Select(i => xs[i]), group.Select(i => ys[i]), Convert.ToString(group.Key, CultureInfo.InvariantCulture));
        return this;
    }

    /// <summary>A heatmap of z[row, column], row 0 at the top (as a confusion matrix reads), with optional
    /// column (x) and row (y) names; showValues writes each value in its cell.</summary>
    public Figure Heatmap(double[,] z, IEnumerable<string>? x = null, IEnumerable<string>? y = null, bool showValues = false, string? name = null)
    {
        var (rows, columns) = (z.GetLength(0), z.GetLength(1));
        var values = Enumerable.Range(0, rows).Select(r => Enumerable.Range(0, columns).Select(c => z[r, c]).ToArray()).ToArray();
        var xs = x is null ? null : Names(x, columns, "columns", nameof(x));
        var ys = y is null ? null : Names(y, rows, "rows", nameof(y));
        return Add(() =>
        {
            var chart = Chart.Heatmap<double, string, string, string>(values, X: Given(xs), Y: Given(ys), Name: Named(name), ReverseYAxis: true, UseDefaults: false);
            // Plotly.NET.CSharp's Heatmap has no text template: the trace takes plotly.js's attribute as it is.
            if (showValues) GenericChart.getTraces(chart).Head.SetProperty("texttemplate", "%{z}");
            return chart;
        });
    }

    /// <summary>A histogram of the values: Plotly's automatic bins, or exactly <paramref name="bins"/> equal bins over
    /// <paramref name="range"/> (default: the values' finite range). Several histograms overlay each other.</summary>
    public Figure Histogram(IEnumerable<double> values, int? bins = null, string? name = null, bool density = false, (double min, double max)? range = null)
    {
        var data = values.ToArray();
        Optional<Bins> xbins = default;
        if (bins is not null)
        {
            ArgumentOutOfRangeException.ThrowIfLessThan(bins.Value, 1, nameof(bins));
            var finite = data.Where(double.IsFinite).DefaultIfEmpty(0).ToList();
            var (min, max) = range ?? (finite.Min(), finite.Max());
            if (!(max > min)) max = min + 1;
            xbins = Bins.init(FSharpOption<double>.Some(min), FSharpOption<double>.Some(max), FSharpOption<double>.Some((max - min) / bins.Value));
        }
        return Add(() => Chart.Histogram<double, double, string>(X: data, Name: Named(name), Opacity: 0.6, XBins: xbins,
            HistNorm: density ? StyleParam.HistNorm.ProbabilityDensity : default(Optional<StyleParam.HistNorm>), UseDefaults: false));
    }

    public Figure Bar(IEnumerable<string> categories, IEnumerable<double> values, string? name = null)
    {
        var ys = values.ToArray();
        var keys = Names(categories, ys.Length, "values", nameof(categories));
        return Add(() => Chart.Column<double, string, string>(ys, Keys: keys, Name: Named(name), UseDefaults: false));
    }

    /// <summary>The figure as a Plotly.NET chart, built anew: its traces combined, with the figure's layout.</summary>
    public GenericChart ToChart()
    {
        var chart = traces.Count == 0 ? Chart.Invisible() : Chart.Combine(traces.Select(make => make()));
        if (Title is not null) chart = Plotly.NET.Chart.withTitle(Title, null).Invoke(chart);
        chart = chart.WithXAxisStyle<double, double, string>(TitleText: Named(XLabel))
            .WithYAxisStyle<double, double, string>(TitleText: Named(YLabel), AxisType: LogY ? StyleParam.AxisType.Log : default(Optional<StyleParam.AxisType>))
            .WithSize(Height: Height);
        // Plotly's default margins (80 px right, 100 top) are sized for a title it may not have.
        chart = Plotly.NET.Chart.withMarginSize<int, int, int, int, int, bool>(null, FSharpOption<int>.Some(20), FSharpOption<int>.Some(Title is null ? 30 : 50), null, null, null).Invoke(chart);
        // Plotly.NET's typed Layout.init and Config.init take each of their dozens of options as an argument from C#;
        // the two attributes go in as plotly.js names them.
        var layout = new Layout();
        if (GenericChart.getTraces(chart).Count(t => t.type == "histogram") > 1) layout.SetProperty("barmode", StyleParam.BarMode.Overlay.Convert());
        chart = Plotly.NET.Chart.withLayout(layout).Invoke(chart);
        var config = new Config();
        config.SetProperty("responsive", true);
        return Plotly.NET.Chart.withConfig(config).Invoke(chart);
    }

    /// <summary>The figure as <see cref="PlotlyMimeType"/> holds it: {"data": [traces], "layout": {...}, "config": {...}},
    /// as Plotly.NET writes them.</summary>
    public string ToJson()
    {
        var chart = ToChart();
        var figure = JsonNode.Parse(GenericChart.toFigureJson(chart))!.AsObject();
        figure.Remove("frames");
        figure["config"] = JsonNode.Parse(JsonConvert.SerializeObject(GenericChart.getConfig(chart)));
        return figure.ToJsonString();
    }

    /// <summary>
    /// A div with a script that draws the figure into it. The JSON is escaped for a script element (no
    /// raw &lt; or &gt;); the CDN copy of plotly.js is added to the page once and shared by later figures.
    /// </summary>
    public string ToHtml()
    {
        var id = "vaelab-plot-" + Guid.NewGuid().ToString("N")[..12];
        return $"<div class=\"vaelab-plotly\" id=\"{id}\" style=\"width:100%;height:{Height}px\"></div>\n" +
               "<script type=\"text/javascript\">\n(function () {\n" +
               $"  var id = \"{id}\", figure = {ToJson()};\n" +
               "  function draw() { Plotly.newPlot(id, figure); }\n" +
               "  if (window.Plotly) { draw(); return; }\n" +
               $"  var src = \"{PlotlyCdn}\";\n" +
               "  var script = document.querySelector('script[src=\"' + src + '\"]');\n" +
               "  if (!script) { script = document.createElement('script'); script.src = src; document.head.appendChild(script); }\n" +
               "  script.addEventListener('load', draw);\n" +
               "})();\n</script>";
    }

    public override string ToString() =>
        $"Figure{(Title is null ? "" : $" \"{Title}\"")} with {traces.Count} trace(s): {string.Join(", ", traces.Select(make => GenericChart.getTraces(make()).Head.type))}";

    static IReadOnlyList<string> IRenderable.MimeTypes => [Mime.Html, PlotlyMimeType, Mime.Text];

    string IRenderable.Render(string mimeType) => mimeType switch
    {
        Mime.Html => ToHtml(),
        PlotlyMimeType => ToJson(),
        Mime.Text => ToString(),
        _ => throw Mime.Unsupported(typeof(Figure), mimeType),
    };

    Figure Add(Func<GenericChart> trace)
    {
        traces.Add(trace);
        return this;
    }

    /// <summary>An option Plotly.NET leaves out when null, rather than writing a null into the JSON.</summary>
    static Optional<string> Named(string? text) => text is null ? default : (Optional<string>)text;

    static Optional<IEnumerable<string>> Given(string[]? names) => names is null ? default : (Optional<IEnumerable<string>>)names;

    static string[] Names(IEnumerable<string> values, int count, string what, string argument)
    {
        var names = values.ToArray();
        return names.Length == count ? names : throw new ArgumentException($"{names.Length} names for {count} {what}", argument);
    }

    static double[] Matching(IEnumerable<double> values, int count, string argument)
    {
        var array = values.ToArray();
        return array.Length == count ? array : throw new ArgumentException($"{array.Length} {argument} values for {count} y values", argument);
    }
}
