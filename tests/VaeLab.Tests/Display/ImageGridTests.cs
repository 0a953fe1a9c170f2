using Microsoft.DotNet.Interactive.Formatting;
using System.Xml.Linq;
using VaeLab.Display;

namespace VaeLab.Tests.Display;

[Collection(TrainingSerial.Name)]
public class ImageGridTests
{
    static Image Plain(byte value, int width = 5, int height = 4, int channels = 1) =>
        new(Enumerable.Repeat(value, width * height * channels).ToArray(), width, height, channels);

    static List<XElement> BodyRows(XElement html) => html.Element("table")!.Element("tbody")!.Elements("tr").ToList();

    [Fact]
    public void ABatchFillsRowsOfTheGivenWidthWithItsCaptions()
    {
        using var batch = rand(10, 1, 4, 5);
        var grid = ImageGrid.FromTensor(batch, columns: 4, captions: Enumerable.Range(0, 10).Select(i => $"#{i}"));
        var rows = BodyRows(Markup.Parse(grid.ToHtml()));
        Assert.Equal([4, 4, 2], rows.Select(r => r.Elements("td").Count()));
        Assert.Equal(Enumerable.Range(0, 10).Select(i => $"#{i}"), rows.SelectMany(r => r.All("figcaption")).Select(c => c.Value));
        Assert.Empty(rows.SelectMany(r => r.Elements("th")));
        Assert.Contains("1 captions for 10 images", Assert.Throws<ArgumentException>(() => ImageGrid.FromTensor(batch, captions: ["a"])).Message);
    }

    [Fact]
    public void TriptychRowsCarryTheirLabelsAndColumnsTheirs()
    {
        using var partial = rand(3, 1, 8, 8);
        using var completion = rand(3, 1, 8, 8);
        using var binarised = completion > 0.5;
        var grid = ImageGrid.FromRows(("partial", partial), ("completion", completion), ("binarised <0.5>", binarised));
        var labelled = new ImageGrid(grid.Rows) { RowLabels = grid.RowLabels, ColumnLabels = ["cat", "dog", "fish"], Title = "Seed 000 & co" };
        var html = Markup.Parse(labelled.ToHtml());
        var table = html.Element("table")!;
        Assert.Equal("Seed 000 & co", table.Element("caption")!.Value);
        Assert.Equal(["", "cat", "dog", "fish"], table.Element("thead")!.All("th").Select(th => th.Value));
        var rows = BodyRows(html);
        Assert.Equal(["partial", "completion", "binarised <0.5>"], rows.Select(r => r.Element("th")!.Value));
        Assert.All(rows, r => Assert.Equal(3, r.Elements("td").Count()));
        Assert.All(rows, r => Assert.Equal("row", r.Element("th")!.Attribute("scope")!.Value));
    }

    [Fact]
    public void LabelCountsMustMatchTheGrid()
    {
        var grid = new ImageGrid([Plain(1), Plain(2), Plain(3)], columns: 2);
        Assert.Equal((2, 2), (grid.Rows.Count, grid.Columns));
        Assert.Contains("1 row labels for 2 rows", Assert.Throws<ArgumentException>(() => new ImageGrid(grid.Rows) { RowLabels = ["a"] }).Message);
        Assert.Contains("3 column labels for 2 columns", Assert.Throws<ArgumentException>(() => new ImageGrid(grid.Rows) { ColumnLabels = ["a", "b", "c"] }).Message);
        Assert.Throws<ArgumentOutOfRangeException>(() => new ImageGrid([Plain(1)], columns: 0));
    }

    [Fact]
    public void CellsShareOneScale()
    {
        var digits = new ImageGrid([Plain(1, 28, 28), Plain(2, 28, 28)]);
        Assert.All(Markup.Parse(digits.ToHtml()).All("img"), img => Assert.Equal("56", img.Attribute("width")!.Value));
        var native = new ImageGrid(digits.Rows) { Scale = 1 };
        Assert.All(Markup.Parse(native.ToHtml()).All("img"), img => Assert.Equal("28", img.Attribute("height")!.Value));
    }

    [Fact]
    public void OneImageLaysCellsOutWithBordersAsMakeGridDoes()
    {
        var images = Enumerable.Range(0, 5).Select(i => new Image(Enumerable.Range(0, 20).Select(p => (byte)(i * 40 + p)).ToArray(), 5, 4)).ToList();
        var composed = new ImageGrid(images, columns: 3).ToImage(padding: 2, border: 128);
        Assert.Equal((3 * 7 + 2, 2 * 6 + 2, 1), (composed.Width, composed.Height, composed.Channels));
        byte At(int x, int y) => composed.Pixels[y * composed.Width + x];
        Assert.Equal(128, At(0, 0));
        Assert.Equal(128, At(1, 13));
        for (var i = 0; i < 5; i++)
        {
            var (left, top) = (2 + i % 3 * 7, 2 + i / 3 * 6);
            for (var y = 0; y < 4; y++)
            for (var x = 0; x < 5; x++)
                Assert.Equal(images[i].Pixels[y * 5 + x], At(left + x, top + y));
        }
        // The missing sixth cell is background.
        Assert.Equal(128, At(2 + 2 * 7 + 1, 2 + 6 + 1));
    }

    [Fact]
    public void OneImageWidensChannelsToTheMostColourfulImage()
    {
        var composed = new ImageGrid([Plain(10), Plain(200, channels: 3)]).ToImage(padding: 1, border: 0);
        Assert.Equal(3, composed.Channels);
        Assert.Equal(new byte[] { 10, 10, 10 }, composed.Pixels.AsSpan(((1 * composed.Width) + 1) * 3, 3).ToArray());
        var alpha = new ImageGrid([Plain(10), Plain(200, channels: 2)]).ToImage(padding: 0);
        Assert.Equal(2, alpha.Channels);
        Assert.Equal(new byte[] { 10, 255 }, alpha.Pixels[..2]);
        Assert.Contains("5x4 and 6x4", Assert.Throws<InvalidOperationException>(() => new ImageGrid([Plain(1), Plain(1, width: 6)]).ToImage()).Message);
    }

    [Fact]
    public void ThePngOutputIsTheComposedImage()
    {
        var grid = new ImageGrid([Plain(10), Plain(20)]) { Scale = 1 };
        var png = grid.ToDisplayString("image/png");
        Assert.Equal(grid.ToImage().Pixels, Image.FromPng(Convert.FromBase64String(png)).Pixels);
    }
}
