using System.Text.Json;

namespace VaeLab.Notebooks.Tests;

/// <summary>
/// Plotly.NET figures and DataFrames in a notebook that #r's lib/VaeLab's Release build, as the experiment notebooks do.
/// Plotly.NET runs on the host's FSharp.Core, one copy in the process: the library folder keeps its own in fsharp/, away
/// from beside VaeLab.dll, where the .NET Interactive kernel, whose own is older, would load it as a second copy.
/// </summary>
[Collection(ShippedNotebooks.Name)]
public class PlotlyTests
{
    [Fact]
    public async Task AFigureShowsAsPlotlyJsonAndHtmlAndADataFrameAsATable()
    {
        var run = await NotebookRunner.RunAsync(new NotebookDocument(
        [
            NotebookCell.Code($"#r \"{Path.Combine(LibraryFolder, "VaeLab.dll")}\"\nusing VaeLab.Display;\nusing Microsoft.Data.Analysis;"),
            NotebookCell.Code("new Figure(\"loss\", \"step\", \"nats\").Line([3.0, 2.0], name: \"train\")"),
            NotebookCell.Code("new DataFrame(DataFrameColumn.Create(\"run\", [\"a\", \"b\"]), DataFrameColumn.Create(\"loss\", [0.123456, 2.0]))"),
            NotebookCell.Code("AppDomain.CurrentDomain.GetAssemblies().Single(a => a.GetName().Name == \"FSharp.Core\").Location"),
        ], Path.Combine(TempFolder(), "plotly.ipynb")));

        Assert.True(run.Succeeded, run.Error);
        var figure = run.Cells[1].Outputs.OfType<DisplayOutput>().Single().Data;
        Assert.Equal(["application/vnd.plotly.v1+json", "text/html", "text/plain"], figure.Keys.Order());
        var json = JsonDocument.Parse(figure["application/vnd.plotly.v1+json"]).RootElement;
        Assert.Equal("train", json.GetProperty("data")[0].GetProperty("name").GetString());
        Assert.Equal("nats", json.GetProperty("layout").GetProperty("yaxis").GetProperty("title").GetProperty("text").GetString());
        Assert.Contains("class=\"vaelab-plotly\"", figure["text/html"]);
        var table = run.Cells[2].Outputs.OfType<DisplayOutput>().Single().Data["text/html"];
        Assert.Contains("<td style=\"text-align:right\">0.1235</td>", table);
        Assert.Equal(AppDomain.CurrentDomain.GetAssemblies().Single(a => a.GetName().Name == "FSharp.Core").Location,
            run.Cells[3].Outputs.OfType<DisplayOutput>().Single().Data["text/plain"]);
        Assert.False(File.Exists(Path.Combine(LibraryFolder, "FSharp.Core.dll")));
    }
}
