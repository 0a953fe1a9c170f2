using System.Text.Json;
using System.Text.Json.Nodes;
using VaeLab.Cli.Serve;
using VaeLab.Data.Doodles;
using VaeLab.Notebooks;

namespace VaeLab.Cli.Tests;

/// <summary>
/// The shipped notebooks' runs, kept in a temporary experiments folder ($VAELAB_EXPERIMENTS, which Run.start reads in
/// the notebook): a sketch notebook's tiny run leaves models that load and that the drawing page uses; compare-runs sets
/// the runs of the registry side by side, and says so when there are none.
/// </summary>
[Collection(NotebookRuns.Name)]
public sealed class NotebookRunTests : IDisposable
{
    const string Plotly = "application/vnd.plotly.v1+json", Table = "class=\"vaelab-table\"";

    readonly string experiments = Directory.CreateTempSubdirectory("vaelab-notebook-runs-").FullName;
    readonly string? outer = Environment.GetEnvironmentVariable(RunFolder.ExperimentsVariable);

    public NotebookRunTests() => Environment.SetEnvironmentVariable(RunFolder.ExperimentsVariable, experiments);

    public void Dispose()
    {
        Environment.SetEnvironmentVariable(RunFolder.ExperimentsVariable, outer);
        Directory.Delete(experiments, recursive: true);
    }

    static string NotebookPath(string name) => Path.Combine(TestRepository.Root, "notebooks", name + ".ipynb");

    /// <summary>The notebook's tiny preset as overrides: strings bare, anything else as JSON.</summary>
    static Dictionary<string, string> Tiny(string name) =>
        JsonNode.Parse(File.ReadAllText(Path.Combine(TestRepository.Root, "experiments", name, "tiny.json")))!.AsObject()
            .ToDictionary(p => p.Key, p => p.Value!.GetValueKind() == JsonValueKind.String ? p.Value.GetValue<string>() : p.Value.ToJsonString());

    static string Printed(NotebookRun run, string cell) =>
        string.Concat(run.Cells.Single(c => c.Cell.Id == cell).Outputs.OfType<StreamOutput>().Select(s => s.Text));

    static List<DisplayOutput> Shown(NotebookRun run, string cell) => run.Cells.Single(c => c.Cell.Id == cell).Outputs.OfType<DisplayOutput>().ToList();

    /// <summary>The traces of each Plotly figure a cell shows.</summary>
    static List<JsonArray> Figures(NotebookRun run, string cell) =>
        Shown(run, cell).Where(o => o.Data.ContainsKey(Plotly)).Select(o => JsonNode.Parse(o.Data[Plotly])!["data"]!.AsArray()).ToList();

    [Theory]
    [InlineData("sketch-rnn-draw", "sample", new[] { "model" })]
    [InlineData("sketch-rnn-timing", "sample", new[] { "model" })]
    [InlineData("sketch-predict", "classify", new[] { "classifier", "draw-circle", "draw-square" })]
    [InlineData("doodle-classifier", "classify", new[] { "model" })]
    public async Task ASketchNotebooksRunKeepsModelsThatLoadAndTheDrawingPageUses(string name, string use, string[] models)
    {
        var run = await NotebookRunner.RunAsync(NotebookPath(name), Tiny(name));

        Assert.True(run.Succeeded, run.Error);
        var folder = new RunFolder(Assert.Single(Directory.GetDirectories(Path.Combine(experiments, name, RunFolder.RunsFolderName))));
        Assert.Equal(models.Order(StringComparer.Ordinal), folder.model_names);
        foreach (var model in models) SavedModel.load(folder.model_path(model)).Dispose();
        // sketch-predict checkpoints each of its models apart (checkpoint-<model>.safetensors).
        var checkpoints = name == "sketch-predict" ? models.Select(folder.checkpoint_path_of) : [folder.checkpoint_path];
        Assert.All(checkpoints, c => Assert.True(File.Exists(c), $"{name} left no {c}"));
        Assert.Equal(VaeLab.Runs.RunStatus.Finished, RunRegistry.open(experiments).get(folder.id)!.status);
        Assert.Contains($"dotnet run -c Release --project lib/VaeLab.Cli -- serve (and choose run {folder.id})", Printed(run, "saved"));

        using var page = new RunModels(experiments);
        Assert.Contains(use, Assert.Single(page.List()).uses);
        var loaded = page.Model(folder, null, null, use);
        var circle = SyntheticDoodles.Draw(DoodleShape.Circle, new Random(0)).Strokes;
        if (use == "sample")
            Assert.Equal(folder.id, DrawingModels.Sample(loaded, temperature: 0.4, seed: 0).run);
        else
        {
            var answer = DrawingModels.Classify(page, loaded, circle, k: 2, temperature: 0.1, seed: 0);
            Assert.Equal(2, answer.classes.Length);
            // sketch-predict's classifier hands the drawing on to the draw model of the class it predicts.
            if (name == "sketch-predict") Assert.Equal($"draw-{answer.classes[0].name}", answer.draw_model);
        }
    }

    [Fact]
    public async Task CompareRunsSetsTheRunsOfANotebookSideBySide()
    {
        var ids = new List<string>();
        foreach (var (epochs, pcc) in new[] { (1, 0.25), (2, 0.5), (4, 0.75) })
        {
            var run = Run.start("split-vae", new { epochs, lr = 1e-3 }, experiments: experiments);
            // The longest run also trains a second model, whose metrics carry its name.
            for (var epoch = 0; epoch < epochs; epoch++)
                run.registry.add_metrics(run.id, epoch, [KeyValuePair.Create("train.loss", 10.0 / (epoch + 1)),
                    .. epochs == 4 ? new[] { KeyValuePair.Create("decoder.train.loss", 1.0) } : []]);
            run.metric("pcc_kl_sum_lambda_1e-6", pcc);
            run.metric("pcc_kl_sum_lambda_1e0", pcc / 2);
            run.metric("train_seconds", 100 * epochs);
            run.finish();
            ids.Add(run.id);
        }
        var failed = Run.start("split-vae", new { epochs = 8, lr = 1e-3 }, experiments: experiments);
        failed.fail(new InvalidOperationException("out of memory"));
        var other = Run.start("conv-vae", new { epochs = 1 }, experiments: experiments);
        other.metric("test_ssim", 0.5);
        other.finish();

        var compared = await NotebookRunner.RunAsync(NotebookPath("compare-runs"), new Dictionary<string, string> { ["parameter"] = "epochs", ["curve"] = "train.loss" });

        Assert.True(compared.Succeeded, compared.Error);
        var table = Assert.Single(Shown(compared, "runs")).Data["text/html"];
        Assert.Contains(Table, table);
        Assert.All(ids, id => Assert.Contains(id, table));
        Assert.DoesNotContain(failed.id, table);
        Assert.DoesNotContain(other.id, table);
        Assert.Contains("Runs compared: 3. The same in all: lr = 0.001", Printed(compared, "runs"));

        var bars = Assert.Single(Figures(compared, "metrics"));
        Assert.Equal(ids, bars.Select(t => (string)t!["name"]!));
        // A parameter against a metric: a trace per metric, a point per run.
        var against = Assert.Single(Figures(compared, "against"));
        Assert.Equal(["pcc_kl_sum_lambda_1e-6", "pcc_kl_sum_lambda_1e0", "train_seconds"], against.Select(t => (string)t!["name"]!));
        Assert.Equal([1.0, 2.0, 4.0], against[0]!["x"]!.AsArray().Select(x => (double)x!));
        Assert.Equal([0.25, 0.5, 0.75], against[0]!["y"]!.AsArray().Select(y => (double)y!));
        // The sweep inside each run, at log10 of lambda.
        var sweep = Assert.Single(Figures(compared, "sweep"));
        Assert.Equal(3, sweep.Count);
        Assert.Equal([-6.0, 0.0], sweep[1]!["x"]!.AsArray().Select(x => (double)x!));
        Assert.Equal([0.5, 0.25], sweep[1]!["y"]!.AsArray().Select(y => (double)y!));
        var curves = Assert.Single(Figures(compared, "curves"));
        Assert.Equal([1, 2, 4, 4], curves.Select(t => t!["x"]!.AsArray().Count));
        Assert.Equal([ids[0], ids[1], ids[2], $"{ids[2]}/decoder"], curves.Select(t => (string)t!["name"]!));
        Assert.Contains(Shown(compared, "curves"), o => o.Data.GetValueOrDefault("text/html", "").Contains(Table));
    }

    [Fact]
    public async Task CompareRunsSaysSoWhenTheRegistryHasNoRuns()
    {
        var compared = await NotebookRunner.RunAsync(NotebookPath("compare-runs"));

        Assert.True(compared.Succeeded, compared.Error);
        Assert.Contains($"No finished runs of split-vae in {Path.Combine(experiments, RunRegistry.FileName)} yet", Printed(compared, "runs"));
        Assert.DoesNotContain(compared.Cells.SelectMany(c => c.Outputs).OfType<DisplayOutput>(), o => o.Data.ContainsKey(Plotly));
    }
}

/// <summary>These tests set $VAELAB_EXPERIMENTS for the whole process: they run alone.</summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class NotebookRuns
{
    public const string Name = "Notebook runs (set VAELAB_EXPERIMENTS)";
}
