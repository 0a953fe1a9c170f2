using System.Buffers.Binary;
using System.Text;
using System.Xml.Linq;
using VaeLab.Display;

namespace VaeLab.Cli.Tests;

/// <summary>The figure file of a notebook whose cell is tagged "figure", as reproduce and run write it.</summary>
[Collection(NotebookCommands.Name)]
public sealed class FigureTests : IDisposable
{
    readonly TempRepository repo = new();

    public void Dispose() => repo.Dispose();

    static readonly string Setup = TempRepository.ReferenceVaeLab + "\nusing VaeLab.Display;";

    // A 7x5 grey image with a different value in every pixel, shown three times enlarged.
    const string ImageCell = "//figure\nvar pixels = Enumerable.Range(0, 35).Select(i => (byte)(i * 7)).ToArray();\ndisplay(new Image(pixels, 7, 5) { Scale = 3 });";

    [Fact]
    public async Task ReproduceWritesTheImageTheTaggedCellShowsAsAPng()
    {
        repo.AddNotebook("digits", Setup, "display(\"before the figure\");", ImageCell);

        var result = await Vaelab.Run("reproduce", "--root", repo.Root);

        Assert.Equal(0, result.ExitCode);
        var path = repo.FigureFile("digits.png");
        Assert.Contains($"wrote {path}", result.Output);
        var png = File.ReadAllBytes(path);
        // The signature, then the IHDR chunk: width and height big-endian, 8 bits of grey.
        Assert.Equal(new byte[] { 0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A }, png[..8]);
        Assert.Equal("IHDR", Encoding.ASCII.GetString(png, 12, 4));
        Assert.Equal((21, 15), (BinaryPrimitives.ReadInt32BigEndian(png.AsSpan(16)), BinaryPrimitives.ReadInt32BigEndian(png.AsSpan(20))));
        Assert.Equal((8, 0), (png[24], png[25]));
        var decoded = Image.FromPng(png);
        for (var y = 0; y < 15; y++)
        for (var x = 0; x < 21; x++)
            Assert.Equal((y / 3 * 7 + x / 3) * 7, decoded.Pixels[y * 21 + x]);
        Assert.False(File.Exists(repo.FigureFile("digits.svg")));
    }

    [Fact]
    public async Task ADrawingFigureIsAnSvgDocumentOfItsOwn()
    {
        repo.AddNotebook("strokes", Setup, "//figure\nnew StrokeGrid([new StrokeDrawing(new PenStroke([0, 10, 20], [0, 5, 0])) { Caption = \"vee\" }, " +
                                           "new StrokeDrawing(new PenStroke([0, 10], [0, 10]), new PenStroke([5], [5]))], columns: 2) { Title = \"two\" }");

        var result = await Vaelab.Run("reproduce", "--root", repo.Root);

        Assert.Equal(0, result.ExitCode);
        var svg = XDocument.Load(repo.FigureFile("strokes.svg")).Root!;
        XNamespace ns = "http://www.w3.org/2000/svg";
        Assert.Equal(ns + "svg", svg.Name);
        Assert.Equal(3, svg.Descendants(ns + "path").Count());
        Assert.Equal(["two", "vee"], svg.Descendants(ns + "text").Select(t => t.Value));
        Assert.False(File.Exists(repo.FigureFile("strokes.png")));
    }

    [Fact]
    public async Task ATaggedCellWithoutAPictureWarnsLeavesNoFigureAndTheRunSucceeds()
    {
        repo.AddNotebook("chart", Setup, "//figure\ndisplay(new Figure(\"loss\").Line([3, 2, 1]));");
        // An earlier run's figure, in either format, would be taken for this run's.
        Directory.CreateDirectory(repo.FigureFile(""));
        File.WriteAllText(repo.FigureFile("chart.png"), "an earlier figure");
        File.WriteAllText(repo.FigureFile("chart.svg"), "an earlier figure");

        var result = await Vaelab.Run("reproduce", "--root", repo.Root);

        Assert.Equal(0, result.ExitCode);
        Assert.Contains("warning: no figure: cell 2 (tagged figure) showed nothing that renders as SVG or PNG", result.Output);
        Assert.False(File.Exists(repo.FigureFile("chart.png")));
        Assert.False(File.Exists(repo.FigureFile("chart.svg")));
        Assert.Equal("succeeded", (string?)repo.RunMetadata("chart")["status"]);
    }

    [Fact]
    public async Task RunWritesTheFigureIntoAnalysisOrBesideAReportWrittenElsewhere()
    {
        var notebook = repo.AddNotebook("digits", Setup, ImageCell);
        var elsewhere = Path.Combine(repo.Root, "out");

        var inAnalysis = await Vaelab.Run("run", notebook);
        var beside = await Vaelab.Run("run", notebook, "--html", Path.Combine(elsewhere, "report.html"), "--ipynb", Path.Combine(elsewhere, "report.ipynb"));

        Assert.Equal((0, 0), (inAnalysis.ExitCode, beside.ExitCode));
        Assert.Equal(File.ReadAllBytes(repo.FigureFile("digits.png")), File.ReadAllBytes(Path.Combine(elsewhere, "report.figure.png")));
        Assert.Contains($"wrote {Path.Combine(elsewhere, "report.figure.png")}", beside.Output);
    }
}
