using System.Text;

namespace VaeLab.Notebooks.Tests;

/// <summary>A notebook's figure: the first value a cell tagged "figure" shows that renders as SVG or PNG.</summary>
public class FigureTests
{
    /// <summary>Display types declared in a notebook by the formatter convention: a picture (HTML and PNG), a drawing
    /// (HTML, SVG and PNG) and a type whose picture cannot be drawn.</summary>
    const string Convention = """
        using System.IO;

        class TypeFormatterSourceAttribute(Type formatterSourceType) : Attribute
        {
            public Type FormatterSourceType { get; } = formatterSourceType;
        }

        class Formatter(string mimeType, Func<object, string> format)
        {
            public string MimeType => mimeType;
            public bool Format(object instance, TextWriter writer)
            {
                writer.Write(format(instance));
                return true;
            }
        }

        class PictureFormatters
        {
            public IEnumerable CreateTypeFormatters() => new object[]
            {
                new Formatter("text/html", o => "<img>"), new Formatter("image/png", o => Convert.ToBase64String(((Picture)o).Bytes)),
            };
        }

        [TypeFormatterSource(typeof(PictureFormatters))]
        class Picture(params byte[] bytes) { public byte[] Bytes => bytes; }

        class DrawingFormatters
        {
            public IEnumerable CreateTypeFormatters() => new object[]
            {
                new Formatter("text/html", o => "<figure>"), new Formatter("image/png", o => "AQID"),
                new Formatter("image/svg+xml", o => $"<svg xmlns=\"http://www.w3.org/2000/svg\">{((Drawing)o).Name}</svg>"),
            };
        }

        [TypeFormatterSource(typeof(DrawingFormatters))]
        class Drawing(string name) { public string Name => name; }

        class BrokenFormatters
        {
            public IEnumerable CreateTypeFormatters() => new object[]
            {
                new Formatter("text/html", o => "<i>broken</i>"), new Formatter("image/png", o => throw new InvalidOperationException("no pixels")),
            };
        }

        [TypeFormatterSource(typeof(BrokenFormatters))]
        class Broken;
        """;

    /// <summary>Runs the convention's cell, then the given cells; those starting with "//figure" are tagged figure.</summary>
    static Task<NotebookRun> RunWith(params string[] cells) => NotebookRunner.RunAsync(new NotebookDocument(
        [NotebookCell.Code(Convention), .. cells.Select(c => c.StartsWith("//figure") ? NotebookCell.Code(c, NotebookFigure.Tag) : NotebookCell.Code(c))],
        PathOf("in-memory.ipynb")));

    [Fact]
    public async Task TheFirstPictureTheTaggedCellShowsIsTheFigureAndTheOutputsStayAsTheyWere()
    {
        var run = await RunWith("display(new Picture(9));", "//figure\ndisplay(\"text first\");\ndisplay(new Picture(1, 2, 3));\nnew Picture(4)");

        Assert.True(run.Succeeded, run.Error);
        var figure = Assert.IsType<NotebookFigure>(run.Figure);
        Assert.Equal(("image/png", ".png"), (figure.MimeType, figure.Extension));
        Assert.Equal([1, 2, 3], figure.Content);
        Assert.Null(run.FigureProblem);
        // The notebook's outputs are what they would be without the tag, the HTML the kernel shows: the figure is kept beside them.
        var untagged = run.Cells[1].Outputs.OfType<DisplayOutput>().Single();
        var pictures = run.Cells[2].Outputs.OfType<DisplayOutput>().Skip(1).ToList();
        Assert.Equal(["text/html"], untagged.Data.Keys);
        Assert.All(pictures, o => Assert.Equal(untagged.Data.Keys.Order(), o.Data.Keys.Order()));
        Assert.Null(untagged.Figure);

        var folder = TempFolder();
        var path = figure.Save(Path.Combine(folder, "figures", "notebook"));
        Assert.Equal(Path.Combine(folder, "figures", "notebook.png"), path);
        Assert.Equal([1, 2, 3], File.ReadAllBytes(path));
    }

    [Fact]
    public async Task SvgComesBeforePngAndTheTrailingValueCounts()
    {
        var run = await RunWith("//figure\nnew Drawing(\"lines & dots\")");

        var figure = Assert.IsType<NotebookFigure>(run.Figure);
        Assert.Equal(("image/svg+xml", ".svg"), (figure.MimeType, figure.Extension));
        Assert.Equal("<svg xmlns=\"http://www.w3.org/2000/svg\">lines & dots</svg>", Encoding.UTF8.GetString(figure.Content));
    }

    [Fact]
    public async Task AnUpdatedDisplayGivesTheFigureItsLatestValueAndAPictureAskedForCounts()
    {
        const string show = "var shown = Microsoft.DotNet.Interactive.KernelInvocationContextExtensions.Display(Microsoft.DotNet.Interactive.KernelInvocationContext.Current, ";
        var updated = await RunWith($"//figure\n{show}\"placeholder\");\nshown.Update(new Picture(5));");
        var replaced = await RunWith($"//figure\n{show}new Picture(5));\nshown.Update(\"gone\");");
        var asked = await RunWith("//figure\ndisplay(new Drawing(\"d\"), \"image/png\");");

        Assert.Equal([1, 2, 3], asked.Figure?.Content);

        Assert.Equal([5], updated.Figure?.Content);
        Assert.Null(replaced.Figure);
        Assert.NotNull(replaced.FigureProblem);
    }

    [Fact]
    public async Task ATaggedCellWithoutAPictureLeavesNoFigureAndTheProblemNamesIt()
    {
        var text = await RunWith("var x = 1;", "//figure\ndisplay(\"a table, say\");");
        var broken = await RunWith("//figure\ndisplay(new Broken());");
        var unreached = await RunWith("throw new InvalidOperationException(\"stop\");", "//figure\nnew Picture(1)");
        var untagged = await RunWith("new Picture(1)");

        Assert.True(text.Succeeded, text.Error);
        Assert.Null(text.Figure);
        Assert.StartsWith("cell 3 (tagged figure) showed nothing that renders as SVG or PNG", text.FigureProblem);
        Assert.True(broken.Succeeded, broken.Error);
        Assert.Equal("<i>broken</i>", broken.Cells[1].Outputs.OfType<DisplayOutput>().Single().Data["text/html"]);
        Assert.Null(broken.Figure);
        Assert.Equal("cell 2 (tagged figure): its Broken could not be drawn: no pixels", broken.FigureProblem);
        Assert.False(unreached.Succeeded);
        Assert.Equal("cell 3 (tagged figure) did not run", unreached.FigureProblem);
        Assert.Null(untagged.Figure);
        Assert.Null(untagged.FigureProblem);
    }
}
