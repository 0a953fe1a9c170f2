using System.Xml.Linq;
using Microsoft.Data.Analysis;
using Microsoft.DotNet.Interactive.Formatting;
using TorchSharp.Modules;
using VaeLab.Display;

namespace VaeLab.Tests.Display;

/// <summary>Every display type renders through .NET Interactive's formatter, which the kernel uses in VS Code, Jupyter
/// and VaeLab's engine alike: the MIME types it shows by default and the output of each MIME type the type renders.</summary>
public class FormatterTests
{
    static Image Pixel() => new([200], 1, 1) { Caption = "one" };

    public static TheoryData<string> Values() => new(Samples().Keys);

    static Dictionary<string, Func<object>> Samples() => new()
    {
        ["Image"] = Pixel,
        ["ImageGrid"] = () => new ImageGrid([Pixel(), Pixel()], columns: 2),
        ["StrokeDrawing"] = () => new StrokeDrawing(new PenStroke([0, 10], [0, 5])),
        ["StrokeGrid"] = () => new StrokeGrid([new StrokeDrawing(new PenStroke([0, 10], [0, 5]))]),
        ["Figure"] = () => new Figure("loss").Line([3, 2, 1]),
        ["DataFrame"] = () => new DataFrame(DataFrameColumn.Create("loss", [0.5])),
        ["Metric"] = () => new Metric("accuracy", 0.95),
        ["Tensor"] = () => ones(2, 3),
        ["Parameter"] = () => new Parameter(ones(2)),
        ["ModelSummary"] = () => nn.Sequential(nn.Linear(3, 2)).summary([1, 3]),
    };

    static readonly string[] Pictures = [Mime.Png, Mime.Svg];

    static readonly Dictionary<string, string[]> ExpectedPictures = new()
    {
        ["Image"] = [Mime.Png],
        ["ImageGrid"] = [Mime.Png],
        ["StrokeDrawing"] = [Mime.Svg],
        ["StrokeGrid"] = [Mime.Svg],
    };

    [Theory]
    [MemberData(nameof(Values))]
    public void TheKernelShowsHtmlAndFindsPlainTextAndEachPictureTheTypeRenders(string name)
    {
        var value = Samples()[name]();
        // A figure is also shown as Plotly's JSON, which VS Code draws with its own plotly.js.
        Assert.Equal(value is Figure ? [Mime.Html, Figure.PlotlyMimeType, Mime.Text] : [Mime.Html], Formatter.GetPreferredMimeTypesFor(value.GetType()));
        var html = value.ToDisplayString(Mime.Html);
        Assert.StartsWith("<", html);
        Markup.Parse(html);
        var text = value.ToDisplayString(Mime.Text);
        if (value is Tensor) Assert.Contains("tensor([", text);
        else if (value is DataFrame frame) Assert.Equal(DataFrameDisplay.Text(frame), text);
        else Assert.Equal(value.ToString(), text);
        if (value is Figure)
            Assert.Equal(["data", "layout", "config"], System.Text.Json.JsonDocument.Parse(value.ToDisplayString(Figure.PlotlyMimeType)).RootElement.EnumerateObject().Select(p => p.Name));

        var pictures = ExpectedPictures.GetValueOrDefault(name, []);
        foreach (var picture in Pictures.Except(pictures))
            Assert.Throws<ArgumentException>(() => value.ToDisplayString(picture));
        if (pictures.Contains(Mime.Png))
            Assert.Equal([0x89, (byte)'P', (byte)'N', (byte)'G'], Convert.FromBase64String(value.ToDisplayString(Mime.Png))[..4]);
        // An SVG is a document of its own, as an image file needs to be.
        if (pictures.Contains(Mime.Svg))
            Assert.Equal(XName.Get("svg", "http://www.w3.org/2000/svg"), XElement.Parse(value.ToDisplayString(Mime.Svg)).Name);
        (value as IDisposable)?.Dispose();
    }

    [Fact]
    public void FormattersDeclineValuesOfOtherTypes()
    {
        foreach (var formatter in new FormatterSource<Image>().CreateTypeFormatters())
        {
            using var writer = new StringWriter();
            using var context = new FormatContext(writer);
            Assert.False(formatter.Format("not an image", context));
            Assert.False(formatter.Format(new Metric("x", 1), context));
            Assert.Equal("", writer.ToString());
        }
    }

    [Fact]
    public void TensorsShowAsVaeLabShowsThemInPlaceOfTorchSharpSOwnFormatterAndAParameterAsATensor()
    {
        using var parameter = new Parameter(tensor(new[] { 1.0f, 2.0f }));
        var html = parameter.ToDisplayString(Mime.Html);
        Assert.StartsWith("<div class=\"vaelab-tensor\">", html);
        Assert.Contains("requires_grad", html);
        Assert.Contains("Parameter containing:", html);
    }
}
