using System.Buffers.Binary;
using System.Collections.Concurrent;
using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using System.Xml.Linq;

namespace VaeLab.Notebooks.Tests;

/// <summary>
/// The experiment notebooks under notebooks/ run in place, as VS Code runs them (their #r lines point at lib/VaeLab's
/// Release build, which this project builds first), each with tiny settings so that it takes seconds; and their
/// presets in experiments/ fit their parameters. They report through the library and load libtorch, so they run
/// alone, after the parallel tests.
/// </summary>
[Collection(ShippedNotebooks.Name)]
public class ShippedNotebookTests
{
    /// <summary>The metrics a notebook must report, and how many outputs must carry each mark.</summary>
    sealed record Case(string[] Metrics, Dictionary<string, int> Shows);

    const string Plotly = "class=\"vaelab-plotly\"", Strokes = "class=\"vaelab-strokes", Summary = "class=\"model-summary\"",
        Table = "class=\"vaelab-table\"", Grid = "class=\"vaelab-image-grid\"", Picture = "<img ", Badge = "class=\"vaelab-metric\"";

    static readonly Dictionary<string, Case> Cases = new()
    {
        ["conv-vae"] = new(["train_seconds", "test_loss_per_image", "test_mse_per_image", "test_kl_per_image", "test_ssim"],
            new() { [Summary] = 1, [Plotly] = 3, [Grid] = 4 }),
        ["cvae-completion"] = new(
            [
                "train_seconds", "full_bce", "full_ssim", "full_pcc", "full_binarised_ssim", "full_binarised_pcc", "decoder_z_bce", "decoder_z_ssim",
                "decoder_z_pcc", "decoder_z_binarised_ssim", "decoder_z_binarised_pcc", "partial_ssim", "partial_pcc", "validation_loss_8", "validation_loss_16",
            ],
            new() { [Summary] = 1, [Plotly] = 4, [Grid] = 3, [Table] = 2 }),
        ["split-vae"] = new(
            [
                "train_seconds", "pcc_kl_mean_lambda_1e-6", "ssim_kl_mean_lambda_1e-6", "pcc_kl_mean_lambda_1e0", "ssim_kl_mean_lambda_1e0",
                "pcc_kl_sum_lambda_1e-6", "ssim_kl_sum_lambda_1e-6", "pcc_kl_sum_lambda_1e0", "ssim_kl_sum_lambda_1e0",
            ],
            new() { [Summary] = 1, [Plotly] = 5, [Grid] = 4, [Table] = 1 }),
        ["sketch-rnn-draw"] = new(["test L_R", "test L_KL"], new() { [Strokes] = 1, [Summary] = 1, [Plotly] = 1, [Badge] = 1 }),
        ["sketch-rnn-timing"] = new(["JS dx", "W dx", "JS dy", "W dy", "JS dt", "W dt"], new() { [Strokes] = 1, [Summary] = 1, [Plotly] = 1, [Table] = 1 }),
        ["sketch-predict"] = new(["accuracy mean", "accuracy std"], new() { [Strokes] = 1, [Summary] = 1, [Plotly] = 1, [Table] = 2, [Badge] = 1 }),
        ["doodle-classifier"] = new(["test accuracy"], new() { [Picture] = 1, [Summary] = 1, [Plotly] = 1, [Table] = 1, [Badge] = 1 }),
    };

    /// <summary>A notebook's tiny settings, which run it in seconds: its tiny preset, as overrides.</summary>
    static Dictionary<string, string> Tiny(string name) => Preset(name, "tiny").ToDictionary(p => p.Key, p => OverrideText(p.Value!));

    /// <summary>The notebooks whose figure is a grid of stroke drawings (SVG); the others' is a grid of images (PNG).</summary>
    static readonly HashSet<string> DrawingFigures = ["sketch-rnn-draw", "sketch-rnn-timing", "sketch-predict"];

    public static TheoryData<string> Notebooks => [.. Cases.Keys];

    /// <summary>The notebook that trains nothing but compares the runs of the others (NotebookRunTests of the CLI's tests run
    /// it on a registry of their own): no seed, no device, no figure.</summary>
    const string CompareRuns = "compare-runs";

    static string NotebookPath(string name) => Path.Combine(RepoRoot, "notebooks", name + ".ipynb");

    // Each notebook runs once for the tests that look at its run.
    static readonly ConcurrentDictionary<string, Lazy<Task<NotebookRun>>> Runs = new();

    static Task<NotebookRun> TinyRun(string name) => Runs.GetOrAdd(name, _ => new Lazy<Task<NotebookRun>>(() =>
    {
        var library = Path.Combine(LibraryFolder, "VaeLab.dll");
        Assert.True(File.Exists(library), $"{library} is missing: the notebooks #r lib/VaeLab's Release build (dotnet build -c Release lib/VaeLab)");
        return NotebookRunner.RunAsync(NotebookPath(name), Tiny(name));
    })).Value;

    [Theory]
    [MemberData(nameof(Notebooks))]
    public async Task RunsWithTinySettingsReportsItsMetricsAndShowsItsOutputs(string name)
    {
        var run = await TinyRun(name);
        var expected = Cases[name];

        Assert.True(run.Succeeded, run.Error);
        Assert.All(run.Cells.Where(c => c.Cell.Kind == CellKind.Code), c => Assert.Equal(CellStatus.Succeeded, c.Status));
        Assert.Equal(expected.Metrics.Order(), run.Metrics.Keys.Order());
        foreach (var (metric, value) in run.Metrics)
        {
            var number = Assert.IsType<double>(value);
            // A binarised completion can be blank, and a correlation with a constant image is undefined.
            Assert.True(double.IsFinite(number) || metric.EndsWith("binarised_pcc") && double.IsNaN(number), $"{metric} = {number}");
            if (metric.Contains("ssim") || metric.Contains("pcc")) Assert.True(double.IsNaN(number) || Math.Abs(number) <= 1, $"{metric} = {number}");
        }

        var html = run.Cells.SelectMany(c => c.Outputs).OfType<DisplayOutput>().Select(o => o.Data.GetValueOrDefault("text/html", "")).ToList();
        foreach (var (mark, count) in expected.Shows)
            Assert.True(html.Count(h => h.Contains(mark)) >= count, $"{name}: {html.Count(h => h.Contains(mark))} outputs with {mark}, expected {count}");
        // Every Plotly figure also carries Plotly's own JSON, which VS Code draws with its own plotly.js.
        var figures = run.Cells.SelectMany(c => c.Outputs).OfType<DisplayOutput>().Where(o => o.Data.GetValueOrDefault("text/html", "").Contains(Plotly)).ToList();
        Assert.All(figures, f => Assert.NotEqual(0, JsonDocument.Parse(f.Data["application/vnd.plotly.v1+json"]).RootElement.GetProperty("data").GetArrayLength()));

        // Its figure, for the README: a grid of images as one PNG, or of drawings as an SVG document of its own.
        Assert.Null(run.FigureProblem);
        var figure = Assert.IsType<NotebookFigure>(run.Figure);
        if (DrawingFigures.Contains(name))
        {
            Assert.Equal(".svg", figure.Extension);
            var svg = XDocument.Parse(Encoding.UTF8.GetString(figure.Content)).Root!;
            Assert.Equal(XName.Get("svg", "http://www.w3.org/2000/svg"), svg.Name);
            Assert.True(svg.Descendants().Count(e => e.Name.LocalName == "path") >= 2, $"{name}: its figure has {svg.Descendants().Count()} elements");
        }
        else
        {
            Assert.Equal(".png", figure.Extension);
            Assert.Equal([0x89, (byte)'P', (byte)'N', (byte)'G', 0x0D, 0x0A, 0x1A, 0x0A], figure.Content[..8]);
            // IHDR: the composed grid is several 16- or 28-pixel images wide and at least two tall.
            var (width, height) = (BinaryPrimitives.ReadInt32BigEndian(figure.Content.AsSpan(16)), BinaryPrimitives.ReadInt32BigEndian(figure.Content.AsSpan(20)));
            Assert.True(width >= 3 * 16 && height >= 2 * 16, $"{name}: its figure is {width}x{height}");
        }
    }

    [Theory]
    [InlineData("sketch-rnn-draw")]
    [InlineData("sketch-predict")]
    public async Task TrainsOnRealSketchRnnNpzFilesGivenAsData(string name)
    {
        // Two categories written by numpy.savez as the sketch-rnn datasets are (tests/fixtures/data/gen_notebook_npz.py).
        var files = string.Join(",", new[] { "circle", "zigzag" }.Select(c => Path.Combine(RepoRoot, "tests", "fixtures", "data", $"notebook_{c}.npz")));
        var parameters = new Dictionary<string, string>(Tiny(name)) { ["data"] = files, ["per_class"] = "0" };

        var run = await NotebookRunner.RunAsync(NotebookPath(name), parameters);

        Assert.True(run.Succeeded, run.Error);
        Assert.Equal(Cases[name].Metrics.Order(), run.Metrics.Keys.Order());
        var output = string.Concat(run.Cells.Select(c => StreamText(c)));
        Assert.Contains("circle", output);
        Assert.Contains("zigzag", output);
    }

    [Fact]
    public async Task TheDrawNotebookTrainsTheUnconditionalModelToo()
    {
        var parameters = new Dictionary<string, string>(Tiny("sketch-rnn-draw")) { ["conditional"] = "false" };

        var run = await NotebookRunner.RunAsync(NotebookPath("sketch-rnn-draw"), parameters);

        Assert.True(run.Succeeded, run.Error);
        Assert.Equal(0.0, (double)run.Metrics["test L_KL"]);
        Assert.True(double.IsFinite((double)run.Metrics["test L_R"]));
        Assert.Contains("the model has no encoder", StreamText(run.Cells.Single(c => c.Cell.Id == "reconstruct")));
        Assert.Contains(run.Cells.Single(c => c.Cell.Id == "samples").Outputs.OfType<DisplayOutput>(),
            o => o.Data.GetValueOrDefault("text/html", "").Contains(Strokes));
    }

    /// <summary>A GPU that is not there (none without CUDA; one past the last with it) stops the run in the first code cell
    /// after the parameters (and the engine's cell of injected values), before any data is read or model built, with the
    /// message of Devices.parse.</summary>
    [Theory]
    [MemberData(nameof(Notebooks))]
    public async Task ADeviceThatIsNotThereStopsTheRunAtOnceNamingTheParameter(string name)
    {
        var run = await NotebookRunner.RunAsync(NotebookPath(name), new Dictionary<string, string> { ["device"] = "cuda:99" });

        Assert.False(run.Succeeded);
        var code = run.Cells.Where(c => c.Cell.Kind == CellKind.Code).ToList();
        var failed = code.FindIndex(c => c.Status == CellStatus.Failed);
        Assert.True(code[failed - 2].Cell.HasTag(NotebookParameters.ParametersTag) && code[failed - 1].Cell.HasTag(NotebookParameters.InjectedTag),
            $"{name}: code cell {failed} failed, not the one after the parameters and their injected values");
        Assert.All(code.Skip(failed + 1), c => Assert.Equal(CellStatus.NotRun, c.Status));
        Assert.Contains("ArgumentException: device = \"cuda:99\", but this ", run.Error);
    }

    [NbformatTheory]
    [MemberData(nameof(Notebooks))]
    public async Task TheExecutedNotebookValidatesAndExportsToHtml(string name)
    {
        var run = await TinyRun(name);
        var file = Path.Combine(TempFolder(), name + ".ipynb");
        IpynbWriter.Write(run, file);

        Assert.Equal("", Nbformat.Validate(file));
        var html = HtmlExporter.ToHtml(run);
        Assert.Contains($"<title>{System.Net.WebUtility.HtmlEncode(run.Notebook.Title)}</title>", html);
        Assert.Contains("<span class=\"status ok\">succeeded</span>", html);
        Assert.Contains("plotly.js v", html);
        Assert.All(Cases[name].Metrics, metric => Assert.Contains($"<td>{System.Net.WebUtility.HtmlEncode(metric)}</td>", html));
    }

    [NbformatFact]
    public void AreCommittedCleanAsPolyglotNotebooksWithoutOutputs()
    {
        Assert.Equal(Cases.Keys.Append(CompareRuns).Order(), Directory.GetFiles(Path.Combine(RepoRoot, "notebooks"), "*.ipynb").Select(Path.GetFileNameWithoutExtension).Order());
        foreach (var name in Cases.Keys.Append(CompareRuns))
        {
            var path = NotebookPath(name);
            var notebook = NotebookDocument.Load(path);
            // The file is as the engine's writer writes it, so a save from VS Code or the engine leaves no diff.
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

            Assert.StartsWith("#r \"../lib/VaeLab/bin/Release/net10.0/TorchSharp.dll\"\n#r \"../lib/VaeLab/bin/Release/net10.0/VaeLab.dll\"\n", code[0].Source);
            Assert.StartsWith("# ", notebook.Cells[0].Source);
            var parameters = Assert.Single(code, c => c.HasTag(NotebookParameters.ParametersTag));
            var declared = NotebookParameters.Parse(parameters.Source).Select(d => d.Name).ToList();
            if (name != CompareRuns)
            {
                Assert.Single(code, c => c.HasTag(NotebookFigure.Tag));
                Assert.Contains("seed", declared);
                Assert.Contains("device", declared);
            }
            // Every parameter says what the seed or paper used.
            Assert.All(parameters.Source.Split('\n').Where(l => Regex.IsMatch(l, @"^\w+(\[\])? \w+ = ")), l => Assert.Contains("//", l));
        }
    }

    [Theory]
    [MemberData(nameof(Notebooks))]
    [InlineData(CompareRuns)]
    public void EveryPresetKeyIsAParameterAndItsValueFitsTheType(string name)
    {
        var declarations = ParametersOf(name);
        var presets = Directory.GetFiles(Path.Combine(RepoRoot, "experiments", name), "*.json").Select(Path.GetFileNameWithoutExtension).ToList();
        if (name != CompareRuns) Assert.Contains("seed", presets);
        foreach (var preset in presets.Cast<string>())
        {
            var values = Preset(name, preset);
            Assert.NotEmpty(values);
            foreach (var (key, value) in values)
            {
                Assert.True(declarations.Any(d => d.Name == key), $"experiments/{name}/{preset}.json: '{key}' is not a parameter of {name}.ipynb");
                NotebookParameters.Literal(declarations, key, OverrideText(value!));
            }
        }
    }

    [Theory]
    [MemberData(nameof(Notebooks))]
    [InlineData(CompareRuns)]
    public async Task PresetsHoldOnlyWhatDiffersFromTheNotebooksDefaults(string name)
    {
        var declarations = ParametersOf(name);
        // The defaults as C# evaluates them, written out as JSON by the parameters cell's own variables.
        var dump = "Console.Write(System.Text.Json.JsonSerializer.Serialize(new Dictionary<string, object> { " +
                   string.Join(", ", declarations.Select(d => $"[\"{d.Name}\"] = {d.Name}")) + " }));";
        var parameters = NotebookDocument.Load(NotebookPath(name)).Cells.Single(c => c.HasTag(NotebookParameters.ParametersTag));
        var run = await NotebookRunner.RunAsync(new NotebookDocument([parameters, NotebookCell.Code(dump)], Path.Combine(TempFolder(), name + ".ipynb")));
        Assert.True(run.Succeeded, run.Error);
        var defaults = JsonNode.Parse(StreamText(run.Cells[1]))!.AsObject();
        Assert.Equal(declarations.Select(d => d.Name).Order(), defaults.Select(p => p.Key).Order());

        foreach (var preset in Directory.GetFiles(Path.Combine(RepoRoot, "experiments", name), "*.json"))
            foreach (var (key, value) in JsonNode.Parse(File.ReadAllText(preset))!.AsObject())
                Assert.False(SameValue(defaults[key], value), $"{Path.GetFileName(preset)} sets {key} to the notebook's default, {value?.ToJsonString()}");
    }

    [Theory]
    [MemberData(nameof(Notebooks))]
    public void ItsRunRecordsEveryParameterAndNothingElse(string name)
    {
        // Run.start takes the parameters as an anonymous object of the variables, so one left out is not recorded.
        var source = string.Join('\n', NotebookDocument.Load(NotebookPath(name)).Cells.Select(c => c.Source));
        var start = Regex.Match(source, $@"Run\.start\(""{name}"", new \{{(?<names>[^}}]*)\}}");
        Assert.True(start.Success, $"{name}.ipynb does not start a run named {name} with an anonymous object of its parameters");
        var recorded = start.Groups["names"].Value.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(ParametersOf(name).Select(d => d.Name).Order(), recorded.Order());
    }

    static IReadOnlyList<NotebookParameters.Declaration> ParametersOf(string name) =>
        NotebookParameters.Parse(NotebookDocument.Load(NotebookPath(name)).Cells.Single(c => c.HasTag(NotebookParameters.ParametersTag)).Source);

    static JsonObject Preset(string name, string preset) =>
        JsonNode.Parse(File.ReadAllText(Path.Combine(RepoRoot, "experiments", name, preset + ".json")))!.AsObject();

    /// <summary>A preset value as an override is given on a command line: strings bare, numbers, bools and arrays as JSON.</summary>
    static string OverrideText(JsonNode value) =>
        value is JsonValue v && v.GetValueKind() == JsonValueKind.String ? v.GetValue<string>() : value.ToJsonString();

    /// <summary>Equal JSON, numbers compared as the doubles they denote (3e-4 and 0.0003 are the same default).</summary>
    static bool SameValue(JsonNode? a, JsonNode? b) => (a, b) switch
    {
        (JsonArray x, JsonArray y) => x.Count == y.Count && x.Zip(y).All(p => SameValue(p.First, p.Second)),
        (JsonValue x, JsonValue y) when x.GetValueKind() == JsonValueKind.Number && y.GetValueKind() == JsonValueKind.Number =>
            double.Parse(x.ToJsonString(), CultureInfo.InvariantCulture) == double.Parse(y.ToJsonString(), CultureInfo.InvariantCulture),
        _ => JsonNode.DeepEquals(a, b),
    };
}

[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class ShippedNotebooks
{
    public const string Name = "Shipped notebooks (process-wide metrics, working directory and libtorch)";
}
