using VaeLab.Torch;
using TorchSharp.Modules;
using System.Xml.Linq;
using VaeLab.Display;

namespace VaeLab.Tests;

/// <summary>Every display type renders through the formatter convention exactly as a kernel reads it.</summary>
public class DisplayConventionTests
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
        ["DataFrame"] = () => new Microsoft.Data.Analysis.DataFrame(Microsoft.Data.Analysis.DataFrameColumn.Create("loss", [0.5])),
        ["Metric"] = () => new Metric("accuracy", 0.95),
        ["Tensor"] = () => ones(2, 3),
        ["Parameter"] = () => new Parameter(ones(2)),
        ["ModelSummary"] = () => nn.Sequential(nn.Linear(3, 2)).summary([1, 3]),
    };

    static readonly Dictionary<string, string[]> ExpectedMimeTypes = new()
    {
        ["Image"] = ["text/html", "image/png", "text/plain"],
        ["ImageGrid"] = ["text/html", "image/png", "text/plain"],
        ["StrokeDrawing"] = ["text/html", "image/svg+xml", "text/plain"],
        ["StrokeGrid"] = ["text/html", "image/svg+xml", "text/plain"],
        ["Figure"] = ["text/html", "application/vnd.plotly.v1+json", "text/plain"],
        ["DataFrame"] = ["text/html", "text/plain"],
        ["Metric"] = ["text/html", "text/plain"],
        ["Tensor"] = ["text/html", "text/plain"],
        ["Parameter"] = ["text/html", "text/plain"],
        ["ModelSummary"] = ["text/html", "text/plain"],
    };

    [Theory]
    [MemberData(nameof(Values))]
    public void TheKernelFindsHtmlAndEveryOtherMimeTypeByName(string name)
    {
        var value = Samples()[name]();
        var result = ConventionKernel.Format(value);
        // A figure is also shown as Plotly's JSON, which VS Code draws with its own plotly.js.
        Assert.Equal(value is Figure ? ExpectedMimeTypes[name] : ["text/html"], result.Preferred);
        Assert.Equal(ExpectedMimeTypes[name], result.Outputs.Keys);
        var text = result.Outputs["text/plain"];
        if (value is Tensor) Assert.Contains("tensor([", text);
        else if (value is Microsoft.Data.Analysis.DataFrame frame) Assert.Equal(DataFrameDisplay.Text(frame), text);
        else Assert.Equal(value.ToString(), text);
        Assert.StartsWith("<", result.Outputs["text/html"]);
        Markup.Parse(result.Outputs["text/html"]);
        if (result.Outputs.TryGetValue(Figure.PlotlyMimeType, out var json))
            Assert.Equal(["data", "layout", "config"], System.Text.Json.JsonDocument.Parse(json).RootElement.EnumerateObject().Select(p => p.Name));
        if (result.Outputs.TryGetValue("image/png", out var png))
            Assert.Equal([0x89, (byte)'P', (byte)'N', (byte)'G'], Convert.FromBase64String(png)[..4]);
        // An SVG is a document of its own, as an image file needs to be.
        if (result.Outputs.TryGetValue("image/svg+xml", out var svg))
            Assert.Equal(XName.Get("svg", "http://www.w3.org/2000/svg"), XElement.Parse(svg).Name);
        (value as IDisposable)?.Dispose();
    }

    [Fact]
    public void TheAttributeIsNamedAsTheConventionWantsAndCarriesItsProperties()
    {
        var attribute = typeof(Image).GetCustomAttributes(true).Single(a => a.GetType().Name == "TypeFormatterSourceAttribute");
        var type = attribute.GetType();
        Assert.Equal(typeof(Type), type.GetProperty("FormatterSourceType")!.PropertyType);
        Assert.Equal(typeof(string[]), type.GetProperty("PreferredMimeTypes")!.PropertyType);
        Assert.True(type.GetProperty("PreferredMimeTypes")!.CanWrite);
    }

    [Fact]
    public void FormattersDeclineValuesOfOtherTypes()
    {
        var result = ConventionKernel.Format(Pixel());
        foreach (var formatter in result.Formatters)
        {
            using var writer = new StringWriter();
            Assert.False(ConventionKernel.Invoke(formatter, "not an image", writer));
            Assert.False(ConventionKernel.Invoke(formatter, new Metric("x", 1), writer));
            Assert.Equal("", writer.ToString());
        }
    }

    [Fact]
    public void ADerivedTypeInheritsItsBaseTypesFormatters()
    {
        using var parameter = new Parameter(tensor(new[] { 1.0f, 2.0f }));
        var html = ConventionKernel.Format(parameter).Outputs["text/html"];
        Assert.Contains("requires_grad", html);
        Assert.Contains("Parameter containing:", html);
    }
}
