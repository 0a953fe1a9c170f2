using System.Collections.Concurrent;
using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using static VaeLab.Notebooks.Tests.TestNotebooks;

namespace VaeLab.Notebooks.Tests;

/// <summary>
/// The image experiments in notebooks/ (seeds 004, 000 and 002) run by the engine with tiny settings, and their
/// presets in experiments/. The notebooks #r lib/VaeLab's Release build, which a Release build of this project makes.
/// </summary>
public class ImageNotebookTests
{
    static readonly string Root = RepositoryRoot();

    /// <summary>Overrides that shrink every notebook to seconds: a few images, small images, tiny widths, one or two epochs.</summary>
    static readonly Dictionary<string, Dictionary<string, string>> Tiny = new()
    {
        ["conv-vae"] = new()
        {
            ["train_limit"] = "256", ["test_limit"] = "128", ["image_size"] = "16", ["max_filters"] = "16", ["latent_dims"] = "8",
            ["epochs"] = "1", ["scatter_points"] = "100", ["interpolation_steps"] = "4",
        },
        ["cvae-completion"] = new()
        {
            ["characters"] = "AEF", ["fonts"] = "[\"futural\", \"rowmand\"]", ["copies"] = "8", ["image_size"] = "16", ["latent_dim"] = "4",
            ["encoder_channels"] = "[4, 4, 8]", ["decoder_channels"] = "[4, 4]", ["batch_size"] = "16", ["epochs"] = "1",
            ["train_sizes"] = "[8, 16]", ["size_steps"] = "2", ["completions"] = "2",
        },
        ["split-vae"] = new()
        {
            ["train_limit"] = "128", ["test_limit"] = "64", ["image_size"] = "16", ["latent_dim"] = "4", ["encoder_channels"] = "[4, 8, 8]",
            ["fc_size"] = "16", ["decoder_channels"] = "[8, 4, 4]", ["batch_size"] = "32", ["epochs"] = "2", ["lambda_mse"] = "[1e-6, 1]",
            ["snapshot_epochs"] = "[1, 2]", ["scatter_points"] = "32",
        },
    };

    /// <summary>What each notebook must report with the tiny settings.</summary>
    static readonly Dictionary<string, string[]> Reported = new()
    {
        ["conv-vae"] = ["train_seconds", "test_loss_per_image", "test_mse_per_image", "test_kl_per_image", "test_ssim"],
        ["cvae-completion"] =
        [
            "train_seconds", "full_bce", "full_ssim", "full_pcc", "full_binarised_ssim", "full_binarised_pcc", "decoder_z_bce", "decoder_z_ssim",
            "decoder_z_pcc", "decoder_z_binarised_ssim", "decoder_z_binarised_pcc", "partial_ssim", "partial_pcc", "validation_loss_8", "validation_loss_16",
        ],
        ["split-vae"] =
        [
            "train_seconds", "pcc_kl_mean_lambda_1e-6", "ssim_kl_mean_lambda_1e-6", "pcc_kl_mean_lambda_1e0", "ssim_kl_mean_lambda_1e0",
            "pcc_kl_sum_lambda_1e-6", "ssim_kl_sum_lambda_1e-6", "pcc_kl_sum_lambda_1e0", "ssim_kl_sum_lambda_1e0",
        ],
    };

    /// <summary>At least this many outputs whose HTML has the class: Plotly figures, image grids, tables, the model summary.</summary>
    static readonly Dictionary<string, (int figures, int grids, int tables)> Outputs = new()
    {
        ["conv-vae"] = (3, 4, 0),
        ["cvae-completion"] = (4, 3, 2),
        ["split-vae"] = (5, 3, 1),
    };

    public static TheoryData<string> Notebooks => new(Tiny.Keys);

    // Each notebook runs once for the tests that look at its run.
    static readonly ConcurrentDictionary<string, Lazy<Task<NotebookRun>>> Runs = new();

    static Task<NotebookRun> TinyRun(string name) => Runs.GetOrAdd(name, _ => new Lazy<Task<NotebookRun>>(() =>
    {
        var library = Path.Combine(Root, "lib", "VaeLab", "bin", "Release", "net10.0", "VaeLab.dll");
        Assert.True(File.Exists(library), $"{library} is missing: the notebooks reference lib/VaeLab's Release build (dotnet build lib/VaeLab -c Release, or test with -c Release)");
        return NotebookRunner.RunAsync(NotebookPath(name), Tiny[name]);
    })).Value;

    [Theory]
    [MemberData(nameof(Notebooks))]
    public async Task Runs_with_tiny_settings_and_reports_its_metrics(string name)
    {
        var run = await TinyRun(name);

        Assert.True(run.Succeeded, run.Error);
        Assert.All(run.Cells.Where(c => c.Cell.Kind == CellKind.Code), c => Assert.Equal(CellStatus.Succeeded, c.Status));
        foreach (var metric in Reported[name])
        {
            Assert.True(run.Metrics.TryGetValue(metric, out var value), $"{name} did not report {metric}; it reported {string.Join(", ", run.Metrics.Keys)}");
            // A binarised completion can be blank, and a correlation with a constant image is undefined.
            Assert.True(value is double d && (double.IsFinite(d) || metric.EndsWith("binarised_pcc") && double.IsNaN(d)), $"{metric} = {value}");
        }
        foreach (var (metric, value) in run.Metrics.Where(m => m.Key.Contains("ssim") || m.Key.Contains("pcc")))
            Assert.True(double.IsNaN((double)value) || Math.Abs((double)value) <= 1, $"{metric} = {value}");
    }

    [Theory]
    [MemberData(nameof(Notebooks))]
    public async Task Shows_a_model_summary_figures_image_grids_and_tables(string name)
    {
        var run = await TinyRun(name);
        var html = run.Cells.SelectMany(c => c.Outputs).OfType<DisplayOutput>().Select(o => o.Data.GetValueOrDefault("text/html", "")).ToList();
        int Count(string cssClass) => html.Count(h => h.Contains($"class=\"{cssClass}\""));

        var (figures, grids, tables) = Outputs[name];
        Assert.Equal(1, Count("model-summary"));
        Assert.True(Count("vaelab-plotly") >= figures, $"{Count("vaelab-plotly")} figures, expected {figures}");
        Assert.True(Count("vaelab-image-grid") >= grids, $"{Count("vaelab-image-grid")} image grids, expected {grids}");
        Assert.True(Count("vaelab-table") >= tables, $"{Count("vaelab-table")} tables, expected {tables}");
        Assert.Contains(html, h => h.Contains("data:image/png;base64,"));
    }

    [NbformatTheory]
    [MemberData(nameof(Notebooks))]
    public async Task The_executed_notebook_validates_and_exports_to_html(string name)
    {
        var run = await TinyRun(name);
        var file = Path.Combine(TempFolder(), name + ".ipynb");
        IpynbWriter.Write(run, file);

        Assert.Equal("", Nbformat.Validate(file));
        var html = HtmlExporter.ToHtml(run);
        Assert.Contains($"<title>{System.Net.WebUtility.HtmlEncode(run.Notebook.Title)}</title>", html);
        Assert.Contains("<span class=\"status ok\">succeeded</span>", html);
        Assert.Contains("plotly.js v", html);
        Assert.All(Reported[name], metric => Assert.Contains($"<td>{metric}</td>", html));
    }

    [NbformatFact]
    public void The_committed_notebooks_validate_and_carry_no_outputs()
    {
        var files = Tiny.Keys.Select(NotebookPath).ToArray();

        Assert.Equal("", Nbformat.Validate(files));
        foreach (var file in files)
        {
            var cells = JsonNode.Parse(File.ReadAllText(file))!["cells"]!.AsArray();
            Assert.All(cells.Where(c => (string)c!["cell_type"]! == "code"), c =>
            {
                Assert.Empty(c!["outputs"]!.AsArray());
                Assert.Null(c["execution_count"]);
            });
            Assert.Equal(cells.Count, cells.Select(c => (string)c!["id"]!).Distinct().Count());
            // The file is as the engine's writer writes it, so a save from VS Code or the engine leaves no diff.
            Assert.Equal(IpynbWriter.ToJson(Notebook.Load(file)), File.ReadAllText(file));
        }
    }

    [Theory]
    [MemberData(nameof(Notebooks))]
    public void Every_preset_key_is_a_parameter_and_its_value_fits_the_type(string name)
    {
        var declarations = ParametersOf(name);
        foreach (var preset in new[] { "seed", "quick" })
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
    public async Task The_quick_preset_holds_the_notebooks_defaults(string name)
    {
        var declarations = ParametersOf(name);
        var quick = Preset(name, "quick");
        Assert.Equal(declarations.Select(d => d.Name).Order(), quick.Select(p => p.Key).Order());

        // The defaults as C# evaluates them, written out as JSON by the parameters cell's own variables.
        var dump = "Console.Write(System.Text.Json.JsonSerializer.Serialize(new Dictionary<string, object> { " +
                   string.Join(", ", declarations.Select(d => $"[\"{d.Name}\"] = {d.Name}")) + " }));";
        var parameters = Notebook.Load(NotebookPath(name)).Cells.Single(c => c.HasTag(NotebookParameters.ParametersTag));
        var run = await NotebookRunner.RunAsync(new Notebook([parameters, NotebookCell.Code(dump)], Path.Combine(TempFolder(), name + ".ipynb")));
        Assert.True(run.Succeeded, run.Error);
        var defaults = JsonNode.Parse(StreamText(run.Cells[1]))!.AsObject();

        foreach (var (key, value) in quick)
            Assert.True(SameValue(defaults[key], value), $"quick.json has {key} = {value?.ToJsonString()}, the notebook's default is {defaults[key]?.ToJsonString()}");
    }

    static string RepositoryRoot()
    {
        for (var folder = new DirectoryInfo(AppContext.BaseDirectory); folder is not null; folder = folder.Parent)
            if (File.Exists(Path.Combine(folder.FullName, "Polyglot.sln"))) return folder.FullName;
        throw new DirectoryNotFoundException($"no Polyglot.sln above {AppContext.BaseDirectory}");
    }

    static string NotebookPath(string name) => Path.Combine(Root, "notebooks", name + ".ipynb");

    static IReadOnlyList<NotebookParameters.Declaration> ParametersOf(string name) =>
        NotebookParameters.Parse(Notebook.Load(NotebookPath(name)).Cells.Single(c => c.HasTag(NotebookParameters.ParametersTag)).Source);

    static JsonObject Preset(string name, string preset) =>
        JsonNode.Parse(File.ReadAllText(Path.Combine(Root, "experiments", name, preset + ".json")))!.AsObject();

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

/// <summary>A theory that needs nbformat; skipped, with the reason, where /usr/bin/python3 cannot import it.</summary>
public sealed class NbformatTheoryAttribute : TheoryAttribute
{
    public NbformatTheoryAttribute()
    {
        if (!Nbformat.Available) Skip = "/usr/bin/python3 cannot import nbformat: install python3-nbformat (scripts/setup.sh does)";
    }
}
