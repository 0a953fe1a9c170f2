using System.Globalization;
using System.Text.Json.Nodes;


namespace VaeLab.Display;

/// <summary>
/// A Plotly figure built trace by trace: lines, scatters coloured by label, heatmaps, histograms and bars.
/// Notebooks show it through plotly.js: the page's own copy when there is one (VaeLab's exported HTML
/// loads it before the first figure, inlined or from a copy shared by the reports of analysis/), otherwise one loaded from
/// Plotly's CDN (VS Code).
/// </summary>
[TypeFormatterSource(typeof(FormatterSource<Figure>))]
public sealed class Figure(string? title = null, string? xlabel = null, string? ylabel = null) : IRenderable
{
    public const string PlotlyCdn = "https://cdn.plot.ly/plotly-2.35.2.min.js";

    readonly List<JsonObject> traces = [];

    public string? Title { get; set; } = title;
    public string? XLabel { get; set; } = xlabel;
    public string? YLabel { get; set; } = ylabel;
    public bool LogY { get; set; }

    /// <summary>Height of the plot in pixels; the width follows the output area.</summary>
    public int Height { get; set; } = 420;

    /// <summary>A line through the y values, at x = 0, 1, 2, ... unless x is given.</summary>
    public Figure Line(IEnumerable<double> y, IEnumerable<double>? x = null, string? name = null)
    {
        var ys = Numbers(y);
        var trace = new JsonObject { ["type"] = "scatter", ["mode"] = "lines" };
        if (x is not null) trace["x"] = Matching(Numbers(x), ys, nameof(x));
        trace["y"] = ys;
        return Add(trace, name);
    }

    public Figure Scatter(IEnumerable<double> x, IEnumerable<double> y, string? name = null)
    {
        var ys = Numbers(y);
        return Add(new JsonObject { ["type"] = "scatter", ["mode"] = "markers", ["x"] = Matching(Numbers(x), ys, nameof(x)), ["y"] = ys }, name);
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
        var trace = new JsonObject
        {
            ["type"] = "heatmap",
            ["z"] = new JsonArray(Enumerable.Range(0, rows).Select(r => (JsonNode)Numbers(Enumerable.Range(0, columns).Select(c => z[r, c]))).ToArray()),
        };
        if (x is not null) trace["x"] = Names(x, columns, "columns", nameof(x));
        if (y is not null) trace["y"] = Names(y, rows, "rows", nameof(y));
        if (showValues) trace["texttemplate"] = "%{z}";
        return Add(trace, name);
    }

    /// <summary>A histogram of the values: Plotly's automatic bins, or exactly <paramref name="bins"/> equal bins over
    /// <paramref name="range"/> (default: the values' finite range). Several histograms overlay each other.</summary>
    public Figure Histogram(IEnumerable<double> values, int? bins = null, string? name = null, bool density = false, (double min, double max)? range = null)
    {
        var data = values.ToList();
        var trace = new JsonObject { ["type"] = "histogram", ["x"] = Numbers(data), ["opacity"] = 0.6 };
        if (bins is not null)
        {
            ArgumentOutOfRangeException.ThrowIfLessThan(bins.Value, 1, nameof(bins));
            var finite = data.Where(double.IsFinite).DefaultIfEmpty(0).ToList();
            var (min, max) = range ?? (finite.Min(), finite.Max());
            if (!(max > min)) max = min + 1;
            trace["xbins"] = new JsonObject { ["start"] = min, ["end"] = max, ["size"] = (max - min) / bins.Value };
            trace["autobinx"] = false;
        }
        if (density) trace["histnorm"] = "probability density";
        return Add(trace, name);
    }

    public Figure Bar(IEnumerable<string> categories, IEnumerable<double> values, string? name = null)
    {
        var ys = Numbers(values);
        return Add(new JsonObject { ["type"] = "bar", ["x"] = Matching(Names(categories), ys, nameof(categories)), ["y"] = ys }, name);
    }

    /// <summary>The figure as Plotly JSON: {"data": [traces], "layout": {...}}.</summary>
    public string ToJson() => Json().ToJsonString();

    JsonObject Json() => new() { ["data"] = new JsonArray(traces.Select(t => (JsonNode)t.DeepClone()).ToArray()), ["layout"] = Layout() };

    JsonObject Layout()
    {
        static JsonObject Text(string? text) => text is null ? new JsonObject() : new JsonObject { ["title"] = new JsonObject { ["text"] = text } };
        var layout = new JsonObject { ["height"] = Height, ["margin"] = new JsonObject { ["t"] = Title is null ? 30 : 50, ["r"] = 20 } };
        if (Title is not null) layout["title"] = new JsonObject { ["text"] = Title };
        layout["xaxis"] = Text(XLabel);
        layout["yaxis"] = Text(YLabel);
        if (LogY) layout["yaxis"]!["type"] = "log";
        if (traces.Any(t => (string?)t["type"] == "heatmap")) layout["yaxis"]!["autorange"] = "reversed";
        if (traces.Count(t => (string?)t["type"] == "histogram") > 1) layout["barmode"] = "overlay";
        return layout;
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
               $"  var id = \"{id}\", figure = {Json().ToJsonString()};\n" +
               "  function draw() { Plotly.newPlot(id, figure.data, figure.layout, {responsive: true}); }\n" +
               "  if (window.Plotly) { draw(); return; }\n" +
               $"  var src = \"{PlotlyCdn}\";\n" +
               "  var script = document.querySelector('script[src=\"' + src + '\"]');\n" +
               "  if (!script) { script = document.createElement('script'); script.src = src; document.head.appendChild(script); }\n" +
               "  script.addEventListener('load', draw);\n" +
               "})();\n</script>";
    }

    public override string ToString() =>
        $"Figure{(Title is null ? "" : $" \"{Title}\"")} with {traces.Count} trace(s): {string.Join(", ", traces.Select(t => (string?)t["type"]))}";

    static IReadOnlyList<string> IRenderable.MimeTypes => [Mime.Html, Mime.Text];

    string IRenderable.Render(string mimeType) => mimeType switch
    {
        Mime.Html => ToHtml(),
        Mime.Text => ToString(),
        _ => throw Mime.Unsupported(typeof(Figure), mimeType),
    };

    Figure Add(JsonObject trace, string? name)
    {
        if (name is not null) trace["name"] = name;
        traces.Add(trace);
        return this;
    }

    /// <summary>Numbers for Plotly: NaN and infinities, which JSON cannot hold, become null, which Plotly draws as a gap.</summary>
    static JsonArray Numbers(IEnumerable<double> values) =>
        new(values.Select(v => double.IsFinite(v) ? JsonValue.Create(v) : null).ToArray<JsonNode?>());

    static JsonArray Names(IEnumerable<string> values) => new(values.Select(v => (JsonNode?)v).ToArray());

    static JsonArray Names(IEnumerable<string> values, int count, string what, string argument)
    {
        var names = Names(values);
        return names.Count == count ? names : throw new ArgumentException($"{names.Count} names for {count} {what}", argument);
    }

    static JsonArray Matching(JsonArray values, JsonArray y, string argument) =>
        values.Count == y.Count ? values : throw new ArgumentException($"{values.Count} {argument} values for {y.Count} y values", argument);
}
