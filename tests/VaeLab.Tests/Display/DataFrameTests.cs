using Microsoft.Data.Analysis;
using VaeLab.Display;

namespace VaeLab.Tests.Display;

public class DataFrameTests
{
    public static IEnumerable<object[]> PythonFormats =>
        DisplayFixture.Get("number_format").EnumerateArray().Select(c => new object[] { DisplayFixture.Number(c[0]), c[1].GetInt32(), c[2].GetString()! });

    [Theory]
    [MemberData(nameof(PythonFormats))]
    public void NumbersReadAsPythonsGeneralFormatWritesThem(double value, int digits, string python) =>
        Assert.Equal(python, NumberFormat.General(value, digits));

    static DataFrame Runs() => new(
        DataFrameColumn.Create("name <i>", ["a & b", "\"c\"", null!]),
        DataFrameColumn.Create("epoch", [1L, 12, 123456789]),
        DataFrameColumn.Create("loss", [0.123456, 1234567.0, 2.0 / 3]),
        DataFrameColumn.Create("accuracy", new float?[] { 0.5f, null, 1e-7f }));

    static List<List<string>> Cells(System.Xml.Linq.XElement table) =>
        [.. table.Element("tbody")!.Elements("tr").Select(tr => tr.Elements("td").Select(td => td.Value).ToList())];

    [Fact]
    public void FloatsKeepFourSignificantDigitsIntegersAllAndMissingValuesAreEmpty()
    {
        var table = Markup.Parse(DataFrameDisplay.Html(Runs())).Element("table")!;

        Assert.Equal(["name <i>", "epoch", "loss", "accuracy"], table.Element("thead")!.Descendants("th").Select(th => th.Value));
        Assert.Equal([["a & b", "1", "0.1235", "0.5"], ["\"c\"", "12", "1.235e+06", ""], ["", "123456789", "0.6667", "1e-07"]], Cells(table));
        Assert.DoesNotContain("<i>", DataFrameDisplay.Html(Runs()));
    }

    [Fact]
    public void NumericColumnsAreRightAlignedAndTextLeftAligned()
    {
        var table = Markup.Parse(DataFrameDisplay.Html(Runs())).Element("table")!;
        var row = table.Element("tbody")!.Elements("tr").First().Elements("td").Select(td => td.Attribute("style")!.Value).ToList();

        Assert.Equal(["text-align:left", "text-align:right", "text-align:right", "text-align:right"], row);
        Assert.Equal(row, table.Element("thead")!.Descendants("th").Select(th => th.Attribute("style")!.Value));
    }

    [Fact]
    public void TextAlignsColumnsUnderADashedRule()
    {
        var frame = new DataFrame(DataFrameColumn.Create("model", ["vae", "sketch-rnn"]), DataFrameColumn.Create("loss", [12.5, 0.25]));
        Assert.Equal(string.Join(Environment.NewLine,
            "model       loss",
            "----------  ----",
            "vae         12.5",
            "sketch-rnn  0.25"), DataFrameDisplay.Text(frame));
    }

    [Fact]
    public void ALongFrameShowsItsFirstRowsAndCountsTheRest()
    {
        var frame = new DataFrame(DataFrameColumn.Create("i", Enumerable.Range(0, DataFrameDisplay.MaxRows + 2)));
        var table = Markup.Parse(DataFrameDisplay.Html(frame)).Element("table")!;

        Assert.Equal(DataFrameDisplay.MaxRows, Cells(table).Count);
        Assert.Equal($"{DataFrameDisplay.MaxRows - 1}", Cells(table)[^1][0]);
        Assert.Equal("... 2 more rows", table.Element("tfoot")!.Value);
        Assert.EndsWith($"{Environment.NewLine}{DataFrameDisplay.MaxRows - 1}{Environment.NewLine}... 2 more rows", DataFrameDisplay.Text(frame));
        Assert.Null(Markup.Parse(DataFrameDisplay.Html(frame.Head(3))).Element("table")!.Element("tfoot"));
    }
}
