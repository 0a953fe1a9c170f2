using System.Text.RegularExpressions;

namespace VaeLab.Cli.Tests;

[Collection(NotebookCommands.Name)]
public sealed class ReproduceCommandTests : IDisposable
{
    readonly TempRepository repo = new();

    public void Dispose() => repo.Dispose();

    void ThreeNotebooks(double loss = 0.25)
    {
        repo.AddNotebook("alpha", "# Alpha run", TempRepository.ReferenceVaeLab + "\nusing static VaeLab.Display.Notebook;",
            $"report(\"loss\", {loss.ToString(System.Globalization.CultureInfo.InvariantCulture)});\nreport(\"accuracy\", 0.875);");
        repo.AddNotebook("beta", "var x = 1;", "int.Parse(\"not a number\");");
        repo.AddNotebook("gamma", "Console.WriteLine(\"gamma ran\");");
    }

    /// <summary>The index's row of a notebook (rows carry the notebook's name as id).</summary>
    string Row(string name)
    {
        var html = File.ReadAllText(repo.AnalysisFile("index.html"));
        return Regex.Match(html, $"<tr class=\"[^\"]*\" id=\"{name}\">.*?</td></tr>\n", RegexOptions.Singleline).Value;
    }

    [Fact]
    public async Task RunsEveryNotebookGoesOnAfterAFailureAndIndexesThemAll()
    {
        ThreeNotebooks();

        var result = await Vaelab.Run("reproduce", "--root", repo.Root);

        Assert.Equal(1, result.ExitCode);
        Assert.Contains("1 of 3 notebooks failed: beta", result.Error);
        foreach (var name in new[] { "alpha", "beta", "gamma" })
        {
            Assert.True(File.Exists(repo.AnalysisFile(name + ".html")), name);
            Assert.True(File.Exists(repo.AnalysisFile(name + ".ipynb")), name);
        }
        Assert.Equal("gamma ran\n", repo.Stdout("gamma"));

        var alpha = Row("alpha");
        Assert.Contains("<a href=\"alpha.html\">Alpha run</a>", alpha);
        Assert.Contains("<a href=\"alpha.ipynb\">.ipynb</a>", alpha);
        Assert.Contains("<span class=\"status ok\">succeeded</span>", alpha);
        Assert.Contains("<tr><td>loss</td><td class=\"value\">0.25</td></tr>", alpha);
        Assert.Contains("<tr><td>accuracy</td><td class=\"value\">0.875</td></tr>", alpha);
        var beta = Row("beta");
        Assert.Contains("<a href=\"beta.html\">beta</a>", beta);
        Assert.Contains("<span class=\"status failed\">failed</span>", beta);
        Assert.Contains("Cell 2, line 1: FormatException", beta);
        Assert.Contains("<span class=\"status ok\">succeeded</span>", Row("gamma"));
        Assert.Contains("3 notebooks: 2 succeeded, 1 failed, 0 not run", File.ReadAllText(repo.AnalysisFile("index.html")));
    }

    [Fact]
    public async Task TheRunsANotebookStartsGetItsExecutedNotebookAndReportAndArePrinted()
    {
        Directory.CreateDirectory(Path.Combine(repo.Root, "experiments"));
        repo.AddNotebook("delta", TempRepository.ReferenceVaeLab, "var run = VaeLab.Runs.Run.start(\"delta\");\nrun.finish();");

        var result = await Vaelab.Run("reproduce", "--root", repo.Root);

        Assert.Equal(0, result.ExitCode);
        var run = Assert.Single(Directory.GetDirectories(Path.Combine(repo.Root, "experiments", "delta", "runs")));
        Assert.Contains($"run: {run}\n", result.Output);
        Assert.Equal(File.ReadAllText(repo.AnalysisFile("delta.ipynb")), File.ReadAllText(Path.Combine(run, "delta.ipynb")));
        Assert.True(File.Exists(Path.Combine(run, "delta.html")));
    }

    [Fact]
    public async Task CompareRunsRunsLastSoThatItSeesTheRunsJustMade()
    {
        repo.AddNotebook("compare-runs", "Console.WriteLine(System.IO.File.Exists(\"conv-vae ran\") ? \"after conv-vae\" : \"before conv-vae\");");
        repo.AddNotebook("conv-vae", "System.IO.File.WriteAllText(\"conv-vae ran\", \"\");");

        var result = await Vaelab.Run("reproduce", "--root", repo.Root);

        Assert.True(result.ExitCode == 0, result.Output + result.Error);
        Assert.Equal("after conv-vae\n", repo.Stdout("compare-runs"));
    }

    [Fact]
    public async Task NamedNotebooksRunAloneAndTheIndexKeepsTheOthersEarlierRuns()
    {
        ThreeNotebooks();
        Assert.Equal(1, (await Vaelab.Run("reproduce", "--root", repo.Root, "beta")).ExitCode);
        Assert.Contains("not run", Row("alpha"));
        Assert.DoesNotContain("href", Row("alpha"));

        ThreeNotebooks(loss: 0.125);
        var result = await Vaelab.Run("reproduce", "--root", repo.Root, "alpha.ipynb", "gamma");

        Assert.Equal(0, result.ExitCode);
        Assert.Contains("<td class=\"value\">0.125</td>", Row("alpha"));
        var beta = Row("beta");
        Assert.Contains("<span class=\"status failed\">failed</span>", beta);
        Assert.Contains("earlier run", beta);
        Assert.Contains("FormatException", beta);
        Assert.DoesNotContain("earlier run", Row("gamma"));
    }

    [Fact]
    public async Task AnUnknownNameListsTheNotebooksAndRunsNothing()
    {
        ThreeNotebooks();

        var result = await Vaelab.Run("reproduce", "--root", repo.Root, "alpha", "delta");

        Assert.Equal(2, result.ExitCode);
        Assert.Contains("no notebook 'delta'", result.Error);
        Assert.Contains("the notebooks are: alpha, beta, gamma", result.Error);
        Assert.False(Directory.Exists(repo.Analysis));
    }

    [Fact]
    public async Task ANotebookThatCannotBeReadFailsAloneWithoutReports()
    {
        repo.AddNotebook("fine", "1");
        File.WriteAllText(Path.Combine(repo.Notebooks, "garbled.ipynb"), "{ not json");
        Directory.CreateDirectory(repo.Analysis);
        File.WriteAllText(repo.AnalysisFile("garbled.html"), "an earlier report");
        Directory.CreateDirectory(repo.FigureFile(""));
        File.WriteAllText(repo.FigureFile("garbled.svg"), "an earlier figure");

        var result = await Vaelab.Run("reproduce", "--root", repo.Root);

        Assert.Equal(1, result.ExitCode);
        Assert.False(File.Exists(repo.AnalysisFile("garbled.html")));
        Assert.False(File.Exists(repo.FigureFile("garbled.svg")));
        Assert.Contains("<span class=\"status failed\">failed</span>", Row("garbled"));
        Assert.Contains("<span class=\"status ok\">succeeded</span>", Row("fine"));
    }

    [Fact]
    public async Task TheReportsShareOneCopyOfPlotlyAndCopiesNoReportLinksGo()
    {
        foreach (var name in new[] { "first", "second" })
            repo.AddNotebook(name, TempRepository.ReferenceVaeLab + "\nusing VaeLab.Display;", TempRepository.FigureCell(name));
        Directory.CreateDirectory(repo.Analysis);
        File.WriteAllText(repo.AnalysisFile("plotly-older.min.js"), "an older plotly.js");
        // The report of a notebook since removed, from a run with an older plotly.js, keeps its copy.
        File.WriteAllText(repo.AnalysisFile("plotly-0.1.0.min.js"), "an older plotly.js still linked");
        File.WriteAllText(repo.AnalysisFile("removed.html"), "<script src=\"plotly-0.1.0.min.js\"></script>");

        var result = await Vaelab.Run("reproduce", "--root", repo.Root);

        Assert.Equal(0, result.ExitCode);
        var shared = TempRepository.SharedPlotly;
        Assert.Equal(["plotly-0.1.0.min.js", shared], Directory.GetFiles(repo.Analysis, "plotly-*.min.js").Select(Path.GetFileName).Order(StringComparer.Ordinal));
        Assert.Equal(File.ReadAllBytes(TempRepository.PlotlyScript), File.ReadAllBytes(repo.AnalysisFile(shared)));
        foreach (var name in new[] { "first", "second" })
        {
            var html = File.ReadAllText(repo.AnalysisFile(name + ".html"));
            Assert.Single(Regex.Matches(html, Regex.Escape($"<script src=\"{shared}\"></script>")));
            Assert.Contains($"<h1>{name}</h1>", html);
            // plotly.min.js opens with a comment naming "plotly.js v<version>": the library is not inlined.
            Assert.DoesNotContain("plotly.js v", html);
        }
    }

    [Fact]
    public async Task ARepositoryWithoutNotebooksIsAUsageError()
    {
        var result = await Vaelab.Run("reproduce", "--root", repo.Root);

        Assert.Equal(2, result.ExitCode);
        Assert.Contains($"no notebooks (*.ipynb, *.dib) in {repo.Notebooks}", result.Error);
    }
}
