namespace VaeLab.Cli.Tests;

[Collection(NotebookCommands.Name)]
public sealed class RunCommandTests : IDisposable
{
    readonly TempRepository repo = new();

    public void Dispose() => repo.Dispose();

    string ParametersNotebook() => repo.AddNotebook("params",
        "//parameters\nint n = 2;\ndouble lr = 0.5;\nstring label = \"x\";\nbool on = false;\nint[] sizes = [1];",
        "Console.WriteLine($\"n={n} lr={lr} label={label} on={on} sizes={string.Join('+', sizes)}\");");

    [Fact]
    public async Task WritesTheExecutedNotebookAndItsReportIntoAnalysisAndShowsEachCell()
    {
        var notebook = repo.AddNotebook("answer", "# The answer", "//parameters\nint n = 2;", "var answer = n * 21;", "Console.WriteLine(answer);");

        var result = await Vaelab.Run("run", notebook);

        Assert.Equal(0, result.ExitCode);
        Assert.Equal("", result.Error);
        Assert.Equal("42\n", repo.Stdout("answer"));
        Assert.Equal("succeeded", (string?)repo.RunMetadata("answer")["status"]);
        var html = File.ReadAllText(repo.AnalysisFile("answer.html"));
        Assert.Contains("<h1>The answer</h1>", html);
        Assert.Contains("42", html);
        // A line per code cell as it ends (i/N, its label, its first line of code past comments), then the table of cells.
        Assert.Matches(@"ok +1/3 +cell 2 .*int n = 2;", result.Output);
        Assert.Matches(@"ok +2/3 +cell 3 .*var answer = n \* 21;", result.Output);
        Assert.Matches(@"ok +3/3 +cell 4 .*Console.WriteLine\(answer\);", result.Output);
        Assert.Contains(repo.AnalysisFile("answer.html"), result.Output);
        Assert.Contains("succeeded", result.Output);
    }

    [Fact]
    public async Task EchoPrintsTheCellsConsoleOutputAsWell()
    {
        // The printed text is computed, so that the source shown in the progress lines does not contain it.
        var notebook = repo.AddNotebook("chatty", "Console.WriteLine(string.Concat(\"first\", \"-line\"));\nConsole.Write($\"{10}%\\r{50}%\\r{100}%\");");

        var quiet = await Vaelab.Run("run", notebook);
        var echoed = await Vaelab.Run("run", notebook, "--echo");

        Assert.DoesNotContain("first-line", quiet.Output);
        Assert.Contains("first-line\n100%\n", echoed.Output);
        Assert.DoesNotContain("50%", echoed.Output);
    }

    [Fact]
    public async Task TheNotebookRunsInItsOwnFolderAndTheWorkingDirectoryComesBack()
    {
        var before = Environment.CurrentDirectory;
        var notebook = repo.AddNotebook("files", "System.IO.File.WriteAllText(\"written.txt\", Environment.CurrentDirectory);");

        var result = await Vaelab.Run("run", notebook);

        Assert.Equal(0, result.ExitCode);
        Assert.Equal(repo.Notebooks, File.ReadAllText(Path.Combine(repo.Notebooks, "written.txt")));
        Assert.Equal(before, Environment.CurrentDirectory);
    }

    [Fact]
    public async Task AFailingCellExitsWith1NamesTheCellAndStillWritesBothFiles()
    {
        var notebook = repo.AddNotebook("broken", "var x = 1;", "throw new InvalidOperationException(\"no data\");", "Console.WriteLine(\"never\");");

        var result = await Vaelab.Run("run", notebook);

        Assert.Equal(1, result.ExitCode);
        Assert.Contains("broken failed: Cell 2, line 1: InvalidOperationException: no data", result.Error);
        Assert.Matches(@"failed +2/3 +cell 2", result.Output);
        Assert.Matches(@"cell 3 +not run", result.Output);
        Assert.Equal("failed", (string?)repo.RunMetadata("broken")["status"]);
        Assert.Contains("no data", File.ReadAllText(repo.AnalysisFile("broken.html")));
    }

    [Fact]
    public async Task HtmlAndIpynbOptionsChooseWhereTheFilesGo()
    {
        var notebook = repo.AddNotebook("elsewhere", "1 + 1");
        var html = Path.Combine(repo.Root, "out", "page.html");
        var ipynb = Path.Combine(repo.Root, "out", "executed.ipynb");

        var result = await Vaelab.Run("run", notebook, "--html", html, "--ipynb", ipynb);

        Assert.Equal(0, result.ExitCode);
        Assert.True(File.Exists(html) && File.Exists(ipynb));
        Assert.False(Directory.Exists(repo.Analysis));
    }

    [Fact]
    public async Task AReportInAnalysisLinksTheSharedPlotlyAndOneElsewhereInlinesIt()
    {
        var notebook = repo.AddNotebook("curve", TempRepository.ReferenceVaeLab + "\nusing VaeLab.Display;", TempRepository.FigureCell("curve"));
        var elsewhere = Path.Combine(repo.Root, "out", "curve.html");
        var shared = TempRepository.SharedPlotly;

        Assert.Equal(0, (await Vaelab.Run("run", notebook)).ExitCode);
        Assert.Equal(0, (await Vaelab.Run("run", notebook, "--html", repo.AnalysisFile("named.html"))).ExitCode);
        Assert.Equal(0, (await Vaelab.Run("run", notebook, "--html", elsewhere)).ExitCode);

        foreach (var report in new[] { "curve.html", "named.html" })
        {
            var html = File.ReadAllText(repo.AnalysisFile(report));
            Assert.Contains($"<script src=\"{shared}\"></script>", html);
            Assert.DoesNotContain("plotly.js v", html);
        }
        Assert.Equal(File.ReadAllBytes(TempRepository.PlotlyScript), File.ReadAllBytes(repo.AnalysisFile(shared)));
        var inlined = File.ReadAllText(elsewhere);
        Assert.Contains("plotly.js v", inlined);
        Assert.DoesNotContain("<script src=", inlined);
        Assert.Equal(["curve.html"], Directory.GetFiles(Path.GetDirectoryName(elsewhere)!).Select(Path.GetFileName));
    }

    [Fact]
    public async Task ParametersTakeAPresetsValuesAndPOverridesWinOverThem()
    {
        var notebook = ParametersNotebook();
        repo.AddPreset("params", "quick", """{ "n": 5, "lr": 1e-3, "label": "from preset", "on": true, "sizes": [4, 8] }""");

        var preset = await Vaelab.Run("run", notebook, "--preset", "quick");
        Assert.Equal(0, preset.ExitCode);
        Assert.Matches(@"ok +2/3 +injected .*n = 5;", preset.Output);
        Assert.Equal("n=5 lr=0.001 label=from preset on=True sizes=4+8\n", repo.Stdout("params"));

        var overridden = await Vaelab.Run("run", notebook, "--preset", "quick", "-p", "n=7", "-p", "label=a=b", "--parameter", "sizes=[2, 3]");
        Assert.Equal(0, overridden.ExitCode);
        Assert.Equal("n=7 lr=0.001 label=a=b on=True sizes=2+3\n", repo.Stdout("params"));
        var parameters = repo.RunMetadata("params")["parameters"]!;
        Assert.Equal("7", (string?)parameters["n"]);
        Assert.Equal("\"a=b\"", (string?)parameters["label"]);
    }

    [Fact]
    public async Task AnUnknownPresetNamesTheAvailableOnes()
    {
        var notebook = ParametersNotebook();
        repo.AddPreset("params", "seed", "{}");
        repo.AddPreset("params", "quick", "{}");

        var result = await Vaelab.Run("run", notebook, "--preset", "full");

        Assert.Equal(2, result.ExitCode);
        Assert.Contains("no preset 'full' for params", result.Error);
        Assert.Contains("available: quick, seed", result.Error);
        Assert.False(File.Exists(repo.AnalysisFile("params.ipynb")));
    }

    [Fact]
    public async Task APresetValueThatIsAnObjectOrAPresetThatIsNotJsonIsRejectedByName()
    {
        var notebook = ParametersNotebook();
        repo.AddPreset("params", "nested", """{ "n": { "value": 1 } }""");
        repo.AddPreset("params", "broken", """{ "n": 1,""");

        var nested = await Vaelab.Run("run", notebook, "--preset", "nested");
        var broken = await Vaelab.Run("run", notebook, "--preset", "broken");

        Assert.Equal(2, nested.ExitCode);
        Assert.Contains("nested.json: 'n' is an object", nested.Error);
        Assert.Equal(2, broken.ExitCode);
        Assert.Contains("broken.json is not valid JSON", broken.Error);
    }

    [Fact]
    public async Task AnUnknownParameterListsTheNotebooksParameters()
    {
        var result = await Vaelab.Run("run", ParametersNotebook(), "-p", "epochs=3");

        Assert.Equal(2, result.ExitCode);
        Assert.Contains("unknown parameter 'epochs'; the parameters cell declares n, lr, label, on, sizes", result.Error);
    }

    [Theory]
    [InlineData("n", "-p expects name=value, not 'n'")]
    [InlineData("=3", "-p expects name=value, not '=3'")]
    [InlineData("n=two", "parameter 'n' is int, and 'two' is not a valid int")]
    public async Task AMalformedOverrideIsAUsageError(string argument, string message)
    {
        var result = await Vaelab.Run("run", ParametersNotebook(), "-p", argument);

        Assert.Equal(2, result.ExitCode);
        Assert.Contains(message, result.Error);
    }

    [Fact]
    public async Task AMissingNotebookIsAUsageError()
    {
        var result = await Vaelab.Run("run", Path.Combine(repo.Notebooks, "nothing.ipynb"));

        Assert.Equal(2, result.ExitCode);
        Assert.Contains("notebook not found: " + Path.Combine(repo.Notebooks, "nothing.ipynb"), result.Error);
    }
}
