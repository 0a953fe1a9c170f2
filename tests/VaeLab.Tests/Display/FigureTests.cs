using System.Text.Json;
using System.Text.RegularExpressions;
using Microsoft.DotNet.Interactive.Formatting;
using GenericChart = Plotly.NET.GenericChart;
using VaeLab.Display;

namespace VaeLab.Tests.Display;

public class FigureTests
{
    static JsonElement Json(Figure figure) => JsonDocument.Parse(figure.ToJson()).RootElement;

    static JsonElement Trace(Figure figure, int index) => Json(figure).GetProperty("data")[index];

    static JsonElement Layout(Figure figure) => Json(figure).GetProperty("layout");

    /// <summary>Numbers as Plotly.NET writes them: a value JSON cannot hold as a number ("NaN") is a string, which
    /// plotly.js takes for a missing value.</summary>
    static double[] Numbers(JsonElement array) =>
        [.. array.EnumerateArray().Select(v => v.ValueKind == JsonValueKind.String ? double.Parse(v.GetString()!) : v.GetDouble())];

    static string[] Strings(JsonElement array) => [.. array.EnumerateArray().Select(v => v.GetString()!)];

    [Fact]
    public void LinesAreScatterTracesInLinesModeWithTheirData()
    {
        var figure = new Figure("loss", "epoch", "nats").Line([3.5, 2, double.NaN, 1], name: "train").Line([4, 3], x: [1, 2]);
        var json = Json(figure);
        Assert.Equal(["data", "layout", "config"], json.EnumerateObject().Select(p => p.Name));
        Assert.Equal(2, json.GetProperty("data").GetArrayLength());
        var train = Trace(figure, 0);
        Assert.Equal(("scatter", "lines", "train"), (train.GetProperty("type").GetString(), train.GetProperty("mode").GetString(), train.GetProperty("name").GetString()));
        Assert.Equal([3.5, 2, double.NaN, 1], Numbers(train.GetProperty("y")));
        Assert.Equal([0.0, 1, 2, 3], Numbers(train.GetProperty("x")));
        var second = Trace(figure, 1);
        Assert.Equal([1.0, 2.0], Numbers(second.GetProperty("x")));
        Assert.False(second.TryGetProperty("name", out _));

        var layout = json.GetProperty("layout");
        Assert.Equal("loss", layout.GetProperty("title").GetProperty("text").GetString());
        Assert.Equal("epoch", layout.GetProperty("xaxis").GetProperty("title").GetProperty("text").GetString());
        Assert.Equal("nats", layout.GetProperty("yaxis").GetProperty("title").GetProperty("text").GetString());
        Assert.Equal(420, layout.GetProperty("height").GetInt32());
        Assert.False(layout.TryGetProperty("width", out _));
        Assert.True(json.GetProperty("config").GetProperty("responsive").GetBoolean());
        Assert.False(layout.GetProperty("yaxis").TryGetProperty("type", out _));
        figure.LogY = true;
        Assert.Equal("log", Layout(figure).GetProperty("yaxis").GetProperty("type").GetString());
        Assert.Contains("1 x values for 2 y values", Assert.Throws<ArgumentException>(() => figure.Line([1, 2], x: [0])).Message);
        Assert.Equal(2, Json(figure).GetProperty("data").GetArrayLength());
    }

    [Fact]
    public void WithoutTitlesTheLayoutHasNone()
    {
        var layout = Layout(new Figure().Line([1, 2]));
        Assert.False(layout.TryGetProperty("title", out _));
        Assert.All(["xaxis", "yaxis"], axis => Assert.False(layout.GetProperty(axis).TryGetProperty("title", out var title) && title.TryGetProperty("text", out _)));
    }

    [Fact]
    public void ScattersColouredByLabelGetOneTracePerLabelInLabelOrder()
    {
        double[] x = [1, 2, 3, 4, 5], y = [10, 20, 30, 40, 50];
        int[] labels = [7, 2, 7, 10, 2];
        var figure = new Figure().Scatter(x, y, labels);
        var traces = Json(figure).GetProperty("data").EnumerateArray().ToList();
        Assert.Equal(["2", "7", "10"], traces.Select(t => t.GetProperty("name").GetString()));
        Assert.All(traces, t => Assert.Equal(("scatter", "markers"), (t.GetProperty("type").GetString(), t.GetProperty("mode").GetString())));
        Assert.Equal([2.0, 5.0], Numbers(traces[0].GetProperty("x")));
        Assert.Equal([20.0, 50.0], Numbers(traces[0].GetProperty("y")));
        Assert.Equal([1.0, 3.0], Numbers(traces[1].GetProperty("x")));
        Assert.Equal([40.0], Numbers(traces[2].GetProperty("y")));
        Assert.Throws<ArgumentException>(() => new Figure().Scatter(x, y, labels[..4]));
    }

    [Fact]
    public void HeatmapsHoldRowsTopDownWithNames()
    {
        var figure = new Figure("confusion").Heatmap(new double[,] { { 5, 1, 0 }, { 2, 6, 1 } }, x: ["a", "b", "c"], y: ["A", "B"], showValues: true);
        var trace = Trace(figure, 0);
        Assert.Equal("heatmap", trace.GetProperty("type").GetString());
        Assert.Equal([[5.0, 1.0, 0.0], [2.0, 6.0, 1.0]], trace.GetProperty("z").EnumerateArray().Select(Numbers));
        Assert.Equal(["a", "b", "c"], Strings(trace.GetProperty("x")));
        Assert.Equal(["A", "B"], Strings(trace.GetProperty("y")));
        Assert.Equal("%{z}", trace.GetProperty("texttemplate").GetString());
        Assert.Equal("reversed", Layout(figure).GetProperty("yaxis").GetProperty("autorange").GetString());
        Assert.False(Trace(new Figure().Heatmap(new double[1, 1]), 0).TryGetProperty("texttemplate", out _));
        Assert.Contains("2 names for 3 columns", Assert.Throws<ArgumentException>(() => figure.Heatmap(new double[2, 3], x: ["a", "b"])).Message);
    }

    [Fact]
    public void HistogramsUseExactBinsWhenAskedAndOverlay()
    {
        var figure = new Figure().Histogram([1, 2, 2, 5], bins: 8, name: "real", density: true).Histogram([0, 3], name: "generated");
        var real = Trace(figure, 0);
        Assert.Equal("histogram", real.GetProperty("type").GetString());
        Assert.Equal([1.0, 2, 2, 5], Numbers(real.GetProperty("x")));
        var bins = real.GetProperty("xbins");
        Assert.Equal((1.0, 5.0, 0.5), (bins.GetProperty("start").GetDouble(), bins.GetProperty("end").GetDouble(), bins.GetProperty("size").GetDouble()));
        Assert.Equal("probability density", real.GetProperty("histnorm").GetString());
        Assert.False(Trace(figure, 1).TryGetProperty("xbins", out _));
        Assert.False(Trace(figure, 1).TryGetProperty("histnorm", out _));
        Assert.Equal("overlay", Layout(figure).GetProperty("barmode").GetString());
        Assert.False(Layout(new Figure().Histogram([1])).TryGetProperty("barmode", out _));

        var ranged = Trace(new Figure().Histogram([0.5], bins: 4, range: (-1, 1)), 0).GetProperty("xbins");
        Assert.Equal((-1.0, 1.0, 0.5), (ranged.GetProperty("start").GetDouble(), ranged.GetProperty("end").GetDouble(), ranged.GetProperty("size").GetDouble()));
    }

    [Fact]
    public void BarsPairCategoriesWithValues()
    {
        var trace = Trace(new Figure().Bar(["cat", "dog"], [0.9, 0.8], name: "accuracy"), 0);
        Assert.Equal(("bar", "accuracy"), (trace.GetProperty("type").GetString(), trace.GetProperty("name").GetString()));
        Assert.Equal(["cat", "dog"], Strings(trace.GetProperty("x")));
        Assert.Equal([0.9, 0.8], Numbers(trace.GetProperty("y")));
        Assert.Throws<ArgumentException>(() => new Figure().Bar(["cat"], [1, 2]));
    }

    [Fact]
    public void TheChartIsPlotlyNetsAndTakesItsFurtherStyling()
    {
        var figure = new Figure("loss").Line([3, 2, 1], name: "train").Histogram([1, 2]);
        var chart = figure.ToChart();

        Assert.Equal(["scatter", "histogram"], GenericChart.getTraces(chart).Select(t => t.type));
        Assert.Equal(JsonDocument.Parse(figure.ToJson()).RootElement.GetProperty("data").GetRawText(),
                     JsonDocument.Parse(GenericChart.toFigureJson(chart)).RootElement.GetProperty("data").GetRawText());
        // Styling one chart leaves the figure, and the next chart, as they were.
        var styled = Plotly.NET.CSharp.GenericChartExtensions.WithXAxisStyle<double, double, string>(chart, TitleText: "styled");
        Assert.Contains("\"styled\"", GenericChart.toFigureJson(styled));
        Assert.DoesNotContain("\"styled\"", figure.ToJson());
        Assert.Equal("Figure \"loss\" with 2 trace(s): scatter, histogram", figure.ToString());
    }

    [Fact]
    public void TheNotebookGetsThePlotlyMimeTypeBesideHtmlAndText()
    {
        var figure = new Figure("loss").Line([3, 2, 1]);

        Assert.Equal("application/vnd.plotly.v1+json", Figure.PlotlyMimeType);
        Assert.Equal(["text/html", Figure.PlotlyMimeType, "text/plain"], Formatter.GetPreferredMimeTypesFor(typeof(Figure)));
        var json = JsonDocument.Parse(figure.ToDisplayString(Figure.PlotlyMimeType)).RootElement;
        Assert.Equal(figure.ToJson(), json.GetRawText());
        Assert.Equal([3.0, 2, 1], Numbers(json.GetProperty("data")[0].GetProperty("y")));
    }

    [Fact]
    public void HtmlDrawsIntoItsDivWithThePagesPlotlyOrTheCdnsAndKeepsTheJsonInsideTheScript()
    {
        var figure = new Figure("</script><b>x & y</b>").Line([1, 2]);
        var html = figure.ToHtml();
        var div = Markup.Parse(html).Element("div")!;
        Assert.Equal("vaelab-plotly", div.Attribute("class")!.Value);
        var id = div.Attribute("id")!.Value;
        Assert.NotEqual(id, Markup.Parse(figure.ToHtml()).Element("div")!.Attribute("id")!.Value);

        var script = Markup.Parse(html).Element("script")!.Value;
        Assert.Contains($"var id = \"{id}\"", script);
        Assert.Contains("Plotly.newPlot(id, figure)", script);
        Assert.Contains("if (window.Plotly) { draw(); return; }", script);
        Assert.Contains(Figure.PlotlyCdn, script);
        Assert.StartsWith("https://cdn.plot.ly/", Figure.PlotlyCdn);
        Assert.Equal(1, Regex.Matches(html, "</script>").Count);
        Assert.DoesNotContain("<b>", script);

        var embedded = JsonDocument.Parse(Regex.Match(script, @"figure = (\{.*\});").Groups[1].Value).RootElement;
        Assert.Equal(figure.ToJson(), embedded.GetRawText());
        Assert.Equal("</script><b>x & y</b>", embedded.GetProperty("layout").GetProperty("title").GetProperty("text").GetString());
    }
}
