using Microsoft.DotNet.Interactive.Formatting;
using TorchSharp.Modules;
using VaeLab.Display;

namespace VaeLab.Tests.Display;

/// <summary>Tensors print as PyTorch's repr() prints them (display.json), and show an HTML card.</summary>
[Collection(TrainingSerial.Name)]
public class TensorTests
{
    static string Text(Tensor t) => t.ToDisplayString("text/plain");

    // TorchSharp does not expose autograd nodes, so PyTorch's grad_fn=<ExpBackward0> cannot be printed.
    public static IEnumerable<object[]> Reprs => DisplayFixture.Cases("repr").Where(c => (string)c[0] != "grad_fn");

    [Theory]
    [MemberData(nameof(Reprs))]
    public void TextIsPyTorchsRepr(string name)
    {
        var fixture = DisplayFixture.Case("repr", name);
        using var scope = NewDisposeScope();
        var t = DisplayFixture.Tensor(fixture.GetProperty("tensor"));
        if (fixture.GetProperty("requires_grad").GetBoolean()) t.requires_grad_();
        if (fixture.GetProperty("exp").GetBoolean()) t = t.exp();
        using var parameter = fixture.GetProperty("parameter").GetBoolean() ? new Parameter(t) : null;
        Assert.Equal(fixture.GetProperty("repr").GetString(), Text(parameter ?? t));
    }

    [Fact]
    public void HtmlShowsShapeTypeDeviceGradRangeAndTheRepr()
    {
        using var x = tensor(new[] { 0.5f, -2f, 4f, 1.5f, 0f, 2f }, [2, 3], requires_grad: true);
        var html = Markup.Parse(x.ToDisplayString("text/html")).Element("div")!;
        Assert.Equal("vaelab-tensor", html.Attribute("class")!.Value);
        var lines = html.Elements("div").Select(d => d.Value).ToList();
        Assert.Equal("Tensor [2, 3] · float32 · cpu · requires_grad", lines[0]);
        Assert.Equal("min -2 · max 4 · mean 1", lines[1]);
        Assert.Equal(Text(x), html.Element("pre")!.Value);

        using var y = x * 2;
        Assert.Contains("requires_grad", Markup.Parse(y.ToDisplayString("text/html")).Element("div")!.Element("div")!.Value);
    }

    [Fact]
    public void IntegerAndEmptyTensorsShowNoRange()
    {
        using var counts = tensor(new long[] { 1, 2, 3 });
        var html = Markup.Parse(counts.ToDisplayString("text/html")).Element("div")!;
        Assert.Equal("Tensor [3] · int64 · cpu", Assert.Single(html.Elements("div")).Value);
        using var empty = zeros(0, 4);
        Assert.Single(Markup.Parse(empty.ToDisplayString("text/html")).Element("div")!.Elements("div"));
    }

    [Fact]
    public void BigTensorsPrintOnlyTheirEdges()
    {
        using var big = rand(64, 1, 28, 28);
        var text = Text(big);
        Assert.True(text.Length < 4000, $"{text.Length} characters");
        Assert.Contains("...", text);
    }

    [Fact]
    public void ADisposedTensorRendersWithoutThrowing()
    {
        var x = ones(2);
        x.Dispose();
        Assert.Equal("tensor(disposed)", Text(x));
        Assert.Contains("tensor(disposed)", x.ToDisplayString("text/html"));
    }

    [Fact]
    public void AModelSummaryShowsItsTable()
    {
        using var model = nn.Sequential(nn.Linear(3, 4), nn.ReLU(), nn.Linear(4, 2));
        var summary = model.summary([1, 3]);
        Assert.Equal(summary.ToHtml(), summary.ToDisplayString("text/html"));
        Assert.Equal(summary.ToString(), summary.ToDisplayString("text/plain"));
        Assert.Contains("Total params", summary.ToHtml());
    }
}
