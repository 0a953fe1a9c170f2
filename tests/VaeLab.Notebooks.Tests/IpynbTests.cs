using System.Text.Json.Nodes;

namespace VaeLab.Notebooks.Tests;

public class IpynbTests
{
    [NbformatFact]
    public async Task ExecutedNotebooksValidateAsNbformat45()
    {
        var folder = TempFolder();
        var files = new List<string>();
        foreach (var (name, parameters) in new (string, Dictionary<string, string>?)[]
                 {
                     ("state.ipynb", null), ("display.ipynb", null), ("errors.ipynb", null), ("compile_error.ipynb", null),
                     ("parameters.ipynb", new() { ["epochs"] = "2" }), ("sample.dib", null),
                 })
        {
            var file = Path.Combine(folder, Path.ChangeExtension(name, ".executed.ipynb"));
            IpynbWriter.Write(await Run(name, parameters), file);
            files.Add(file);
        }

        Assert.Equal("", Nbformat.Validate([.. files]));
    }

    [NbformatFact]
    public void TheCommittedNotebooksAndADibWrittenAsIpynbValidate()
    {
        var dib = Path.Combine(TempFolder(), "sample.ipynb");
        IpynbWriter.Write(NotebookDocument.Load(PathOf("sample.dib")), dib);

        Assert.Equal("", Nbformat.Validate([.. Directory.GetFiles(PathOf(""), "*.ipynb"), dib]));
    }

    [NbformatFact]
    public void ValidationCatchesABrokenNotebook()
    {
        var file = Path.Combine(TempFolder(), "broken.ipynb");
        var json = JsonNode.Parse(IpynbWriter.ToJson(NotebookDocument.Load(PathOf("state.ipynb"))))!;
        json["cells"]![1]!["outputs"] = new JsonArray(new JsonObject { ["output_type"] = "stream" });
        File.WriteAllText(file, json.ToJsonString());

        Assert.NotEqual("", Nbformat.Validate(file));
    }

    [Fact]
    public async Task TheExecutedNotebookKeepsIdsAndRecordsCountsOutputsAndTiming()
    {
        var run = await Run("state.ipynb");
        var json = JsonNode.Parse(IpynbWriter.ToJson(run))!;
        var cells = json["cells"]!.AsArray();

        Assert.Equal(["title", "declare", "print", "result", "statement", "record"], cells.Select(c => (string)c!["id"]!));
        Assert.Equal(".net-csharp", (string)json["metadata"]!["kernelspec"]!["name"]!);
        Assert.Null(cells[0]!["outputs"]);
        Assert.Equal(2, (int)cells[2]!["execution_count"]!);
        var print = cells[2]!["outputs"]!.AsArray();
        Assert.Equal(["stdout", "stderr", "stdout"], print.Select(o => (string)o!["name"]!));
        Assert.Equal(["x is 21\n"], print[0]!["text"]!.AsArray().Select(l => (string)l!));
        var result = cells[3]!["outputs"]![0]!;
        Assert.Equal("execute_result", (string)result["output_type"]!);
        Assert.Equal(3, (int)result["execution_count"]!);
        Assert.StartsWith("<div class=\"dni-plaintext\"><pre>42</pre></div>", (string)result["data"]!["text/html"]![0]!);

        var execution = cells[3]!["metadata"]!["execution"]!;
        var start = DateTimeOffset.Parse((string)execution["iopub.execute_input"]!);
        var end = DateTimeOffset.Parse((string)execution["shell.execute_reply"]!);
        Assert.Equal(run.Cells[3].Started!.Value.UtcDateTime, start.UtcDateTime, TimeSpan.FromMilliseconds(1));
        Assert.InRange((end - start - run.Cells[3].Duration!.Value).Duration(), TimeSpan.Zero, TimeSpan.FromMilliseconds(1));
        Assert.Equal("succeeded", (string)json["metadata"]!["vaelab"]!["run"]!["status"]!);
    }

    [Fact]
    public async Task JsonOutputsAreWrittenAsJsonAsNbformatKeepsThem()
    {
        // A string shown as Plotly's MIME type stands for the figure JSON a display type renders to.
        var run = await NotebookRunner.RunAsync(new NotebookDocument(
            [NotebookCell.Code(""" "{\"data\": [{\"type\": \"bar\"}]}".DisplayAs("application/vnd.plotly.v1+json");""")],
            PathOf("in-memory.ipynb")));
        var data = JsonNode.Parse(IpynbWriter.ToJson(run))!["cells"]![0]!["outputs"]![0]!["data"]!;

        Assert.Equal("bar", (string)data["application/vnd.plotly.v1+json"]!["data"]![0]!["type"]!);
    }

    [Fact]
    public async Task ErrorsParametersAndMetricsAreWritten()
    {
        var failed = JsonNode.Parse(IpynbWriter.ToJson(await Run("errors.ipynb")))!;
        var error = failed["cells"]![2]!["outputs"]![0]!;
        Assert.Equal("error", (string)error["output_type"]!);
        Assert.Equal(("InvalidOperationException", "boom"), ((string)error["ename"]!, (string)error["evalue"]!));
        Assert.Equal("Cell 3, line 2: InvalidOperationException: boom", (string)error["traceback"]![0]!);
        Assert.Null(failed["cells"]![3]!["execution_count"]);
        Assert.Equal("failed", (string)failed["metadata"]!["vaelab"]!["run"]!["status"]!);

        var json = JsonNode.Parse(IpynbWriter.ToJson(await Run("parameters.ipynb", new Dictionary<string, string> { ["name"] = "tuned" })))!;
        var record = json["metadata"]!["vaelab"]!["run"]!;
        Assert.Equal("\"tuned\"", (string)record["parameters"]!["name"]!);
        Assert.Equal(3.0, (double)record["metrics"]!["epochs"]!);
        Assert.Equal([NotebookParameters.InjectedTag], json["cells"]![2]!["metadata"]!["tags"]!.AsArray().Select(t => (string)t!));
    }

    [Fact]
    public void ASourceNotebookRoundTripsAndCellsWithoutIdsGetStableOnes()
    {
        var original = File.ReadAllText(PathOf("display.ipynb"));
        Assert.Equal(original, IpynbWriter.ToJson(NotebookDocument.Load(PathOf("display.ipynb"))));

        var dib = NotebookDocument.Load(PathOf("sample.dib"));
        var written = IpynbWriter.ToJson(dib);
        Assert.Equal(written, IpynbWriter.ToJson(NotebookDocument.Load(PathOf("sample.dib"))));
        var reread = NotebookReader.ReadIpynb(written, PathOf("sample.ipynb"));
        Assert.Equal(["cell-1", "cell-2", "cell-3"], reread.Cells.Select(c => c.Id));
        Assert.Equal(dib.Cells.Select(c => (c.Kind, c.Source)), reread.Cells.Select(c => (c.Kind, c.Source)));
        Assert.Equal("csharp", (string)reread.Cells[1].Metadata["polyglot_notebook"]!["kernelName"]!);
    }

    [Fact]
    public void ReadingReportsWhatIsWrongWithTheFile()
    {
        Assert.Contains("not valid JSON", Assert.Throws<NotebookException>(() => NotebookReader.ReadIpynb("{", "x.ipynb")).Message);
        Assert.Contains("only nbformat 4", Assert.Throws<NotebookException>(() => NotebookReader.ReadIpynb("{\"nbformat\": 3, \"cells\": []}", "x.ipynb")).Message);
        Assert.Contains("notebook not found", Assert.Throws<NotebookException>(() => NotebookDocument.Load("/no/such.ipynb")).Message);
        var text = Path.Combine(TempFolder(), "notes.txt");
        File.WriteAllText(text, "");
        Assert.Contains("unknown notebook extension '.txt'", Assert.Throws<NotebookException>(() => NotebookDocument.Load(text)).Message);
    }
}
