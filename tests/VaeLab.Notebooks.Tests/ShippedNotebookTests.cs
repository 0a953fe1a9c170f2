using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using static VaeLab.Notebooks.Tests.TestNotebooks;

namespace VaeLab.Notebooks.Tests;

/// <summary>
/// The experiment notebooks under notebooks/ run in place, as VS Code runs them (their #r lines point at lib/VaeLab's
/// Release build, which this project builds first), each with tiny settings so that it takes seconds. They report
/// through the library and load libtorch, so they run alone, after the parallel tests.
/// </summary>
[Collection(ShippedNotebooks.Name)]
public class ShippedNotebookTests
{
    /// <summary>A notebook's tiny settings, the metrics it must report, and marks of the outputs it must show.</summary>
    sealed record Case(Dictionary<string, string> Parameters, string[] Metrics, string[] Shows);

    const string Plotly = "class=\"vaelab-plotly\"", Strokes = "class=\"vaelab-strokes", Summary = "class=\"model-summary\"",
        Table = "class=\"vaelab-table\"", Picture = "<img ", Badge = "class=\"vaelab-metric\"";

    static readonly Dictionary<string, string> TinySketchRnn = new()
    {
        ["enc_rnn_size"] = "8", ["dec_rnn_size"] = "16", ["z_size"] = "4", ["num_mixture"] = "3", ["batch_size"] = "16",
    };

    static readonly Dictionary<string, Case> Cases = new()
    {
        ["sketch-rnn-draw.ipynb"] = new(new(TinySketchRnn) { ["characters"] = "ab", ["per_class"] = "16", ["epochs"] = "1", ["temperatures"] = "[0.5]" },
            ["test L_R", "test L_KL"], [Strokes, Summary, Plotly, Badge]),
        ["sketch-rnn-timing.ipynb"] = new(new(TinySketchRnn) { ["shapes"] = "circle,square", ["per_class"] = "10", ["epochs"] = "1", ["samples"] = "4", ["bins"] = "20" },
            ["JS dx", "W dx", "JS dy", "W dy", "JS dt", "W dt"], [Strokes, Summary, Plotly, Table]),
        ["sketch-predict.ipynb"] = new(new()
            {
                ["shapes"] = "circle,square", ["per_class"] = "10", ["enc_rnn_size"] = "8", ["z_size"] = "4", ["hidden_size"] = "8",
                ["dec_rnn_size"] = "16", ["num_mixture"] = "3", ["batch_size"] = "16", ["classifier_epochs"] = "1", ["draw_epochs"] = "1", ["test_runs"] = "2",
            },
            ["accuracy mean", "accuracy std"], [Strokes, Summary, Plotly, Table, Badge]),
        ["doodle-classifier.ipynb"] = new(new() { ["per_class"] = "10", ["epochs"] = "1" },
            ["test accuracy"], [Picture, Summary, Plotly, Table, Badge]),
    };

    public static TheoryData<string> Notebooks => [.. Cases.Keys];

    static readonly string RepoRoot = FindRepoRoot();

    static string FindRepoRoot()
    {
        for (var folder = new DirectoryInfo(AppContext.BaseDirectory); folder is not null; folder = folder.Parent)
            if (File.Exists(Path.Combine(folder.FullName, "Polyglot.sln"))) return folder.FullName;
        throw new InvalidOperationException($"no Polyglot.sln above {AppContext.BaseDirectory}");
    }

    static string NotebookPath(string name) => Path.Combine(RepoRoot, "notebooks", name);

    [NbformatTheory]
    [MemberData(nameof(Notebooks))]
    public async Task Runs_with_tiny_settings_reports_its_metrics_and_exports(string name)
    {
        var library = Path.Combine(RepoRoot, "lib", "VaeLab", "bin", "Release", "net10.0", "VaeLab.dll");
        Assert.True(File.Exists(library), $"{library} is missing: the notebooks #r lib/VaeLab's Release build (dotnet build -c Release lib/VaeLab)");
        var expected = Cases[name];

        var run = await NotebookRunner.RunAsync(NotebookPath(name), expected.Parameters);

        Assert.True(run.Succeeded, run.Error);
        Assert.All(run.Cells.Where(c => c.Cell.Kind == CellKind.Code), c => Assert.Equal(CellStatus.Succeeded, c.Status));
        Assert.Equal(expected.Metrics.Order(), run.Metrics.Keys.Order());
        Assert.All(run.Metrics.Values, v => Assert.True(double.IsFinite((double)v), $"a metric is {v}"));
        var html = string.Concat(run.Cells.SelectMany(c => c.Outputs).OfType<DisplayOutput>().Select(o => o.Data.GetValueOrDefault("text/html")));
        Assert.All(expected.Shows, mark => Assert.Contains(mark, html));

        var folder = TempFolder();
        var executed = Path.Combine(folder, name);
        IpynbWriter.Write(run, executed);
        Assert.Equal("", Nbformat.Validate(executed));
        var report = Path.Combine(folder, Path.ChangeExtension(name, ".html"));
        HtmlExporter.Write(run, report);
        var page = File.ReadAllText(report);
        Assert.Contains("succeeded", page);
        Assert.All(expected.Metrics, metric => Assert.Contains(metric, page));
        Assert.Contains("Plotly", page);
    }

    [NbformatFact]
    public void Are_committed_clean_as_polyglot_notebooks_without_outputs()
    {
        foreach (var name in Cases.Keys)
        {
            var path = NotebookPath(name);
            var notebook = Notebook.Load(path);
            Assert.Equal(IpynbWriter.ToJson(notebook), File.ReadAllText(path));
            Assert.Equal("", Nbformat.Validate(path));
            Assert.Equal(".net-csharp", notebook.Metadata["kernelspec"]?["name"]?.GetValue<string>());
            Assert.Equal("C#", notebook.Metadata["language_info"]?["name"]?.GetValue<string>());
            Assert.Equal("csharp", notebook.Metadata["polyglot_notebook"]?["kernelInfo"]?["defaultKernelName"]?.GetValue<string>());

            Assert.All(notebook.Cells, c => Assert.Matches("^[a-z][a-z0-9-]*$", c.Id));
            Assert.Equal(notebook.Cells.Count, notebook.Cells.Select(c => c.Id).Distinct().Count());
            var code = notebook.Cells.Where(c => c.Kind == CellKind.Code).ToList();
            Assert.All(code, c =>
            {
                Assert.Equal("csharp", c.Metadata["dotnet_interactive"]?["language"]?.GetValue<string>());
                Assert.Equal("csharp", c.Metadata["polyglot_notebook"]?["kernelName"]?.GetValue<string>());
            });
            var raw = JsonNode.Parse(File.ReadAllText(path))!["cells"]!.AsArray();
            Assert.All(raw.Where(c => c!["cell_type"]!.GetValue<string>() == "code"), c =>
            {
                Assert.Empty(c!["outputs"]!.AsArray());
                Assert.Null(c["execution_count"]);
            });

            Assert.StartsWith("#r \"../lib/VaeLab/bin/Release/net10.0/VaeLab.Torch.dll\"\n#r \"../lib/VaeLab/bin/Release/net10.0/VaeLab.dll\"\n", code[0].Source);
            Assert.StartsWith("# ", notebook.Cells[0].Source);
            var parameters = Assert.Single(code, c => c.HasTag(NotebookParameters.ParametersTag));
            var declared = NotebookParameters.Parse(parameters.Source).Select(d => d.Name).ToList();
            Assert.Contains("data", declared);
            Assert.Contains("seed", declared);
            Assert.All(Cases[name].Parameters.Keys, p => Assert.Contains(p, declared));
            // Every parameter says what the seed or paper used.
            Assert.All(parameters.Source.Split('\n').Where(l => Regex.IsMatch(l, @"^\w+(\[\])? \w+ = ")), l => Assert.Contains("//", l));
        }
    }
}

[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class ShippedNotebooks
{
    public const string Name = "Shipped notebooks (process-wide metrics and libtorch)";
}

/// <summary>A theory that needs nbformat; skipped, with the reason, where /usr/bin/python3 cannot import it.</summary>
public sealed class NbformatTheoryAttribute : TheoryAttribute
{
    public NbformatTheoryAttribute()
    {
        if (!Nbformat.Available) Skip = "/usr/bin/python3 cannot import nbformat: install python3-nbformat (scripts/setup.sh does)";
    }
}
