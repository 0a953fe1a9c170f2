using Microsoft.DotNet.Interactive.Formatting;
using System.Globalization;
using System.Text.RegularExpressions;
using System.Xml.Linq;
using VaeLab.Display;

namespace VaeLab.Tests.Display;

public class StrokeTests
{
    static List<XElement> Paths(StrokeDrawing drawing) => Markup.Parse(drawing.ToSvg()).All("path").ToList();

    static double[] Numbers(string text) =>
        Regex.Matches(text, @"-?\d+(\.\d+)?").Select(m => double.Parse(m.Value, CultureInfo.InvariantCulture)).ToArray();

    /// <summary>(delay, duration) in seconds from a path's inline animation style.</summary>
    static (double delay, double duration) Animation(XElement path)
    {
        var style = path.Attribute("style")!.Value;
        double Seconds(string property) => double.Parse(Regex.Match(style, property + @":([\d.]+)s").Groups[1].Value, CultureInfo.InvariantCulture);
        return (Seconds("animation-delay"), Seconds("animation-duration"));
    }

    [Fact]
    public void PointsAreScaledUniformlyIntoTheBoxLessPaddingAndCentred()
    {
        var drawing = new StrokeDrawing(new PenStroke([0, 100], [0, 50]), new PenStroke([50], [25])) { Size = 160, Padding = 8 };
        var svg = Markup.Parse(drawing.ToSvg()).Elements().Single();
        Assert.Equal("0 0 160 160", svg.Attribute("viewBox")!.Value);
        Assert.Equal(("160", "160"), (svg.Attribute("width")!.Value, svg.Attribute("height")!.Value));

        // The longer extent (100 across) spans 160 - 2 * 8 = 144 pixels: scale 1.44; the 72-pixel height is centred.
        const double scale = 144.0 / 100, top = (160 - 50 * scale) / 2;
        var paths = Paths(drawing);
        Assert.Equal([8, top, 8 + 100 * scale, top + 50 * scale], Numbers(paths[0].Attribute("d")!.Value));
        Assert.Equal([8 + 50 * scale, top + 25 * scale], Numbers(paths[1].Attribute("d")!.Value)[..2]);
        Assert.StartsWith("M", paths[1].Attribute("d")!.Value);

        var tall = new StrokeDrawing(new PenStroke([10, 20], [-20, 20])) { Size = 100, Padding = 0 };
        Assert.Equal([(100 - 10 * 2.5) / 2, 0, (100 + 10 * 2.5) / 2, 100], Numbers(Paths(tall)[0].Attribute("d")!.Value));
    }

    [Fact]
    public void ConstantSpeedGivesEachStrokeItsLengthOverTheSpeedAndChainsStartsWithAPause()
    {
        var drawing = new StrokeDrawing(new PenStroke([0, 30, 30], [0, 0, 40]), new PenStroke([0, 10], [40, 40]), new PenStroke([15], [20]))
            { Size = 50, Padding = 5, Speed = 100, Pause = 0.25 };
        // Extent 40 -> 40 pixels: scale 1, so lengths are 30 + 40, 10 and 0 pixels.
        var expected = new[] { (0.0, 0.7), (0.95, 0.1), (1.3, 0.0) };
        Assert.Equal(StrokeReplay.ConstantSpeed, drawing.Replay);
        var timings = drawing.Timings();
        for (var i = 0; i < 3; i++)
        {
            Assert.Equal(expected[i].Item1, timings[i].Delay, 1e-9);
            Assert.Equal(expected[i].Item2, timings[i].Duration, 1e-9);
            var (delay, duration) = Animation(Paths(drawing)[i]);
            Assert.Equal(expected[i].Item1, delay, 1e-3);
            Assert.Equal(expected[i].Item2, duration, 1e-3);
        }
    }

    [Fact]
    public void RecordedTimesSetEachStrokesStartAndDuration()
    {
        var drawing = new StrokeDrawing(new PenStroke([0, 10], [0, 0], [1000, 1600]), new PenStroke([0, 5, 10], [5, 5, 9], [2500, 2600, 3100]));
        Assert.Equal(StrokeReplay.RecordedTiming, drawing.Replay);
        Assert.Equal([new StrokeTiming(0, 0.6), new StrokeTiming(1.5, 0.6)], drawing.Timings());
        Assert.Equal([(0, 0.6), (1.5, 0.6)], Paths(drawing).Select(Animation));

        var faster = new StrokeDrawing(drawing.Strokes) { TimeScale = 2 };
        Assert.Equal([(0, 0.3), (0.75, 0.3)], Paths(faster).Select(Animation));

        var steady = new StrokeDrawing(drawing.Strokes) { Replay = StrokeReplay.ConstantSpeed };
        Assert.NotEqual(0.6, steady.Timings()[0].Duration, 1e-6);
    }

    [Fact]
    public void RecordedTimingNeedsTimesOnEveryStroke()
    {
        var strokes = new[] { new PenStroke([0, 1], [0, 1], [0, 50]), new PenStroke([2, 3], [2, 3]) };
        Assert.Equal(StrokeReplay.ConstantSpeed, new StrokeDrawing(strokes).Replay);
        Assert.Contains("needs times on every stroke", Assert.Throws<ArgumentException>(() => new StrokeDrawing(strokes) { Replay = StrokeReplay.RecordedTiming }).Message);
    }

    [Fact]
    public void TheReplayIsPureCssAndRestartsFromAButton()
    {
        var drawing = new StrokeDrawing(new PenStroke([0, 10], [0, 10])) { Caption = "cat & dog" };
        var svg = Markup.Parse(drawing.ToSvg()).Elements().Single();
        Assert.Contains("vaelab-play", svg.Attribute("class")!.Value.Split(' '));
        var style = svg.All("style").Single().Value;
        Assert.Contains("@keyframes vaelab-draw", style);
        Assert.Contains("stroke-dashoffset", style);
        Assert.Empty(svg.All("script"));
        Assert.Equal("1", svg.All("path").Single().Attribute("pathLength")!.Value);

        var figure = Markup.Parse(drawing.ToHtml()).Element("figure")!;
        Assert.Equal("cat & dog", figure.Element("figcaption")!.Value);
        var button = figure.Element("button")!;
        Assert.Contains("classList.remove('vaelab-play')", button.Attribute("onclick")!.Value);
        Assert.Contains("classList.add('vaelab-play')", button.Attribute("onclick")!.Value);
    }

    [Fact]
    public void AStillDrawingHasNoAnimation()
    {
        var drawing = new StrokeDrawing(new PenStroke([0, 10], [0, 10], [0, 100])) { Replay = StrokeReplay.Off };
        var svg = Markup.Parse(drawing.ToSvg()).Elements().Single();
        Assert.DoesNotContain("vaelab-play", svg.Attribute("class")!.Value);
        Assert.Empty(svg.All("style"));
        Assert.Null(svg.All("path").Single().Attribute("style"));
        Assert.Empty(Markup.Parse(drawing.ToHtml()).All("button"));
    }

    [Fact]
    public void StrokeColoursAreEscapedAttributes()
    {
        var drawing = new StrokeDrawing(new PenStroke([0, 1], [0, 1]) { Color = "red\"" }, new PenStroke([2, 3], [2, 3])) { Color = "#00f" };
        var paths = Paths(drawing);
        Assert.Equal("red\"", paths[0].Attribute("stroke")!.Value);
        Assert.Null(paths[1].Attribute("stroke"));
        Assert.Equal("#00f", Markup.Parse(drawing.ToSvg()).All("g").Single().Attribute("stroke")!.Value);
    }

    [Fact]
    public void StrokesCheckTheirPoints()
    {
        Assert.Contains("at least one point", Assert.Throws<ArgumentException>(() => new PenStroke([], [])).Message);
        Assert.Contains("2 x values has 1 y values", Assert.Throws<ArgumentException>(() => new PenStroke([0, 1], [0])).Message);
        Assert.Contains("2 points has 3 times", Assert.Throws<ArgumentException>(() => new PenStroke([0, 1], [0, 1], [0, 1, 2])).Message);
        Assert.Throws<ArgumentOutOfRangeException>(() => new StrokeDrawing(new PenStroke([0], [0])) { Speed = 0 });
        Assert.Contains("must not go back", Assert.Throws<ArgumentException>(() => new PenStroke([0, 1], [0, 1], [50, 10])).Message);
    }

    [Fact]
    public void TheSvgOutputIsAStandaloneSvgDocument()
    {
        var drawing = new StrokeDrawing(new PenStroke([0, 10], [0, 10]));
        var svg = XElement.Parse(drawing.ToDisplayString("image/svg+xml"));
        Assert.Equal(XName.Get("svg", "http://www.w3.org/2000/svg"), svg.Name);
    }

    [Fact]
    public void AGridAsSvgIsOneDocumentOfTheDrawingsInRowsWithCaptionsAndOneReplayStyle()
    {
        XNamespace svgNs = "http://www.w3.org/2000/svg";
        var drawings = Enumerable.Range(0, 7).Select(i => new StrokeDrawing(new PenStroke([0, i + 1], [0, 1])) { Caption = $"d{i} <&>" }).ToList();
        var svg = XElement.Parse(new StrokeGrid(drawings, columns: 3) { Title = "samples" }.ToDisplayString("image/svg+xml"));

        Assert.Equal(svgNs + "svg", svg.Name);
        Assert.Equal(["samples", .. drawings.Select(d => d.Caption!)], svg.All("text").Select(t => t.Value));
        var cells = svg.Elements(svgNs + "g").ToList();
        var nested = cells.Select(g => g.Elements().Single()).ToList();
        Assert.All(nested, e => Assert.Equal(svgNs + "svg", e.Name));
        Assert.All(nested, e => Assert.Contains("vaelab-play", e.Attribute("class")!.Value.Split(' ')));
        // Each drawing's own paths, in order; the replay style once, for all of them.
        Assert.Equal(drawings.Select(d => Paths(d).Single().Attribute("d")!.Value), nested.Select(e => e.All("path").Single().Attribute("d")!.Value));
        Assert.Equal(svg, svg.All("style").Single().Parent);

        var corners = cells.Select(g => Numbers(g.Attribute("transform")!.Value)).ToList();
        Assert.Equal([3, 3, 1], corners.GroupBy(c => c[1]).OrderBy(g => g.Key).Select(g => g.Count()));
        Assert.Equal(corners.Take(3).Select(c => c[0]), corners.Skip(3).Take(3).Select(c => c[0]));
        Assert.True(corners.Take(3).Select(c => c[0]).SequenceEqual(corners.Take(3).Select(c => c[0]).Order()) && corners[1][0] - corners[0][0] >= 160);
        Assert.True(corners[3][1] - corners[0][1] >= 160 + 12, "a row leaves room for the drawings and their captions");
        var (width, height) = (double.Parse(svg.Attribute("width")!.Value, CultureInfo.InvariantCulture), double.Parse(svg.Attribute("height")!.Value, CultureInfo.InvariantCulture));
        Assert.All(corners, c => Assert.True(c[0] + 160 <= width && c[1] + 160 <= height, $"a drawing at ({c[0]}, {c[1]}) leaves the {width}x{height} picture"));

        var still = XElement.Parse(new StrokeGrid(drawings.Select(d => new StrokeDrawing(d.Strokes) { Replay = StrokeReplay.Off })).ToSvg());
        Assert.Empty(still.All("style"));
    }

    [Fact]
    public void AGridShowsDrawingsInRowsWithCaptionsAndOneReplayButton()
    {
        var drawings = Enumerable.Range(0, 7).Select(i => new StrokeDrawing(new PenStroke([0, i + 1], [0, 1])) { Caption = $"d{i}" });
        var html = Markup.Parse(new StrokeGrid(drawings, columns: 3) { Title = "samples" }.ToHtml());
        var table = html.All("table").Single();
        Assert.Equal("samples", table.Element("caption")!.Value);
        Assert.Equal([3, 3, 1], table.Element("tbody")!.Elements("tr").Select(r => r.Elements("td").Count()));
        Assert.Equal(Enumerable.Range(0, 7).Select(i => $"d{i}"), html.All("figcaption").Select(c => c.Value));
        Assert.Single(html.All("button"));
        Assert.Equal(7, html.All("svg").Count());
    }
}
