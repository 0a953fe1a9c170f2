namespace VaeLab.Notebooks.Tests;

/// <summary>
/// Outputs are what .NET Interactive's formatter makes of a value, as in VS Code: a type's own formatters (here through
/// the convention a library without a reference to the formatter follows: an attribute matched by name), HTML for most
/// values and plain text for strings, exactly the MIME types asked for when display names some, and updates in place.
/// (VaeLab's own types: tests/VaeLab.Tests, DisplayFormatterTests.)
/// </summary>
public class FormatterTests
{
    [Fact]
    public async Task DisplayInANotebookShowsWhatTheKernelSFormatterMakes()
    {
        var run = await Run("display.ipynb");
        Assert.True(run.Succeeded, run.Error);

        IReadOnlyDictionary<string, string> Data(string id) => Shown(CellWithId(run, id)).Data;

        Assert.Equal(new Dictionary<string, string> { ["text/html"] = "<b>circle</b>" }, Data("derived"));
        Assert.False(Shown(CellWithId(run, "derived")).IsResult);
        var plain = Assert.Single(Data("plain"));
        Assert.Equal("text/plain", plain.Key);
        Assert.Contains("Name: circle", plain.Value);
        var trailing = Shown(CellWithId(run, "trailing"));
        Assert.True(trailing.IsResult);
        Assert.Equal(new Dictionary<string, string> { ["text/html"] = "<b>square</b>" }, trailing.Data);
        Assert.Equal(new Dictionary<string, string> { ["text/plain"] = "<i>not html</i>" }, Data("string"));
        Assert.Equal(new Dictionary<string, string> { ["text/html"] = "<u>raw</u>" }, Data("html"));
        Assert.Equal("[ 1, 2, 3 ]", Text(Shown(CellWithId(run, "list"))));
        Assert.Contains("b&lt;", Data("objects")["text/html"]);
        var styles = CellWithId(run, "styles").Outputs.OfType<DisplayOutput>().Select(o => o.Data["text/html"]).ToList();
        Assert.Equal(2, styles.Count);
        Assert.Contains(".note { color: red; }", styles[0]);
        Assert.Equal("<script type=\"text/javascript\">console.log(1);</script>", styles[1]);
    }

    [Fact]
    public async Task AnUpdateReplacesTheOutputOfTheValueItNamesAndOneNamingNoOutputIsDropped()
    {
        var run = await Run("display.ipynb");

        Assert.Equal(new Dictionary<string, string> { ["text/plain"] = "second" }, Shown(CellWithId(run, "update")).Data);
        // As in VS Code and Jupyter with this kernel version: display's copy names an output that does not exist.
        Assert.Equal(new Dictionary<string, string> { ["text/plain"] = "kept" }, Shown(CellWithId(run, "lost-update")).Data);
    }
}
