using VaeLab.Display;

namespace VaeLab.Tests;

public class DisplayTableTests
{
    public static IEnumerable<object[]> PythonFormats =>
        DisplayFixture.Get("number_format").EnumerateArray().Select(c => new object[] { DisplayFixture.Number(c[0]), c[1].GetInt32(), c[2].GetString()! });

    [Theory]
    [MemberData(nameof(PythonFormats))]
    public void NumbersReadAsPythonsGeneralFormatWritesThem(double value, int digits, string python) =>
        Assert.Equal(python, NumberFormat.General(value, digits));

    sealed record Run(string name, int epoch, double loss, float? accuracy);

    [Fact]
    public void RecordsAndAnonymousObjectsGiveColumnsInDeclarationOrder()
    {
        var table = Table.From([new Run("a", 1, 0.123456, 0.5f), new Run("b<2>", 12, 1234567.0, null)]);
        Assert.Equal(["name", "epoch", "loss", "accuracy"], table.Columns);
        Assert.Equal(["b<2>", "12", "1.235e+06", ""], table.Rows[1].Select(table.FormatCell));

        var anonymous = Table.From(new[] { new { z = 1, a = "x" } });
        Assert.Equal(["z", "a"], anonymous.Columns);
        Assert.Equal(["z", "a"], Table.From(new object[] { new { z = 1, a = "x" } }).Columns);
    }

    [Fact]
    public void IntegersAreNeverRoundedAndFloatsKeepTheirSignificantDigits()
    {
        var table = new Table(["n", "x"], [[123456789L, 2.0 / 3], [7, 1e-7f]]) { Digits = 3 };
        Assert.Equal(["123456789", "0.667"], table.Rows[0].Select(table.FormatCell));
        Assert.Equal("1e-07", table.FormatCell(table.Rows[1][1]));
        Assert.Throws<ArgumentOutOfRangeException>(() => new Table(["a"], []) { Digits = 0 });
        Assert.Contains("row 1 has 1 cells for 2 columns", Assert.Throws<ArgumentException>(() => new Table(["a", "b"], [[1, 2], [3]])).Message);
    }

    [Fact]
    public void HtmlEscapesEveryCellAndRightAlignsNumbers()
    {
        var table = new Table(["name <i>", "value"], [["a & b", 0.5], ["\"c\"", null]]) { Title = "<runs>" };
        var html = Markup.Parse(table.ToHtml()).Element("table")!;
        Assert.Equal("<runs>", html.Element("caption")!.Value);
        Assert.Equal(["name <i>", "value"], html.Element("thead")!.Descendants("th").Select(th => th.Value));
        var cells = html.Element("tbody")!.Elements("tr").Select(tr => tr.Elements("td").ToList()).ToList();
        Assert.Equal(["a & b", "0.5", "\"c\"", ""], cells.SelectMany(r => r).Select(td => td.Value));
        Assert.Contains("text-align:right", cells[0][1].Attribute("style")!.Value);
        Assert.Contains("text-align:left", cells[0][0].Attribute("style")!.Value);
        Assert.DoesNotContain("<i>", table.ToHtml());
    }

    [Fact]
    public void TextAlignsColumnsUnderADashedRule()
    {
        var table = new Table(["model", "loss"], [["vae", 12.5], ["sketch-rnn", 0.25]]) { Title = "results" };
        Assert.Equal(string.Join(Environment.NewLine,
            "results",
            "model       loss",
            "----------  ----",
            "vae         12.5",
            "sketch-rnn  0.25"), table.ToString());
    }
}
