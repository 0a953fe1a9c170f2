using System.Text.Json.Nodes;
using VaeLab.Torch;
using static TorchSharp.torch;

namespace VaeLab.Cli.Tests;

/// <summary>
/// The image notebooks' runs under `vaelab run`, each in a child process whose VAELAB_EXPERIMENTS is a temporary folder
/// (so that nothing lands in the repository's experiments/): what a run keeps, how a failed one ends, and init_from and
/// resume_from on the real conv-vae notebook at its tiny settings.
/// </summary>
[Collection(NotebookCommands.Name)]
public sealed class ImageNotebookRunTests : IDisposable
{
    readonly string folder = Directory.CreateTempSubdirectory("vaelab-notebook-runs-").FullName;

    public void Dispose() => Directory.Delete(folder, recursive: true);

    string Experiments => Path.Combine(folder, "experiments");

    Dictionary<string, string> Environment => new() { [RunFolder.ExperimentsVariable] = Experiments };

    /// <summary>vaelab run of a shipped notebook with its tiny preset, the reports written outside the repository.</summary>
    string[] Arguments(string notebook, params string[] parameters) =>
    [
        "run", Path.Combine(TestRepository.Root, "notebooks", notebook + ".ipynb"), "--preset", "tiny",
        "--html", Path.Combine(folder, notebook + ".html"), "--ipynb", Path.Combine(folder, notebook + ".ipynb"),
        .. parameters.SelectMany(p => new[] { "-p", p }),
    ];

    Task<Invocation> Run(string notebook, params string[] parameters) => VaelabChild.Run(Environment, Arguments(notebook, parameters));

    RunRegistry Registry => RunRegistry.open(Experiments);

    RunFolder Folder(RunRecord run) => new(Path.Combine(Experiments, run.folder));

    [Theory]
    [InlineData("conv-vae", "model", 1, "test_ssim", "valid.loss")]
    [InlineData("cvae-completion", "full,no-decoder-z", 2, "full_ssim", "no-decoder-z.valid.loss")]
    [InlineData("split-vae", "lambda_mse-1e-6-kl-mean,lambda_mse-1e-6-kl-sum,lambda_mse-1e0-kl-mean,lambda_mse-1e0-kl-sum,model", 4,
        "ssim_kl_sum_lambda_1e0", "lambda_mse-1e0-kl-sum.valid.ssim")]
    public async Task ATinyRunKeepsItsModelsCheckpointsHistoryFiguresAndReportsAndIsRegisteredFinished(string notebook, string models, int checkpoints,
        string reported, string per_epoch)
    {
        var result = await Run(notebook, "checkpoint_every=2");

        Assert.True(result.ExitCode == 0, result.Error);
        var record = Assert.Single(Registry.list(notebook));
        var run = Folder(record);
        Assert.Contains($"run: {run.path}", result.Output);
        Assert.Equal(RunStatus.Finished, record.status);
        Assert.Equal(2, (int)JsonNode.Parse(record.parameters)!["checkpoint_every"]!);
        Assert.Equal("finished", (string?)JsonNode.Parse(File.ReadAllText(run.run_json))!["status"]);
        Assert.NotEmpty(Registry.data_files(record.id));

        Assert.Equal(models.Split(','), run.model_names);
        foreach (var name in run.model_names) SavedModel.load(run.model_path(name)).Dispose();
        Assert.Equal(checkpoints, Directory.GetFiles(run.path, "checkpoint*.safetensors").Length);
        Assert.NotEmpty(File.ReadAllLines(run.history_path));
        Assert.NotEmpty(Directory.GetFiles(run.figures_folder, "*.png"));
        Assert.True(File.Exists(Path.Combine(run.path, notebook + ".ipynb")) && File.Exists(Path.Combine(run.path, notebook + ".html")));

        var metrics = Registry.metrics(record.id);
        Assert.Contains(metrics, m => m is { epoch: null } && m.name == reported && double.IsFinite(m.value));
        Assert.Contains(metrics, m => m is { epoch: 0 } && m.name == per_epoch);
        Assert.Contains(Registry.artifacts(record.id), a => a.kind == "checkpoint");
    }

    [Fact]
    public async Task InitFromASeedPthStartsFromItsWeightsAndWeightsThatDoNotFitFailTheRunNamingTheKeys()
    {
        var pth = Path.Combine(TestRepository.Root, "tests", "fixtures", "cli", "seed004_fashion.pth");
        // The fixture's model: 64x64, 1 channel, 32 filters, 8 latent dimensions; trained at a learning rate of 0, its weights stay the
        // file's (its batch norms' running statistics move).
        string[] seed004 = ["image_size=64", "max_filters=32", "lr=0", $"init_from={pth}"];

        var loaded = await Run("conv-vae", [.. seed004, "latent_dim=8"]);
        var wrong = await Run("conv-vae", [.. seed004, "latent_dim=4"]);

        Assert.True(loaded.ExitCode == 0, loaded.Error);
        Assert.Equal(1, wrong.ExitCode);
        var runs = Registry.list("conv-vae").OrderBy(r => r.started).ToList();
        Assert.Equal([RunStatus.Finished, RunStatus.Failed], runs.Select(r => r.status));
        var expected = Weights.read(pth);
        foreach (var (key, tensor) in Weights.read(Folder(runs[0]).model_path()).Where(e => !e.Key.Contains("running_") && !e.Key.EndsWith("num_batches_tracked")))
            Assert.True(expected[key].equal(tensor).all().item<bool>(), $"{key} is not the .pth's");
        Assert.Contains($"{pth}: the weights do not fit ConvVae: wrong shapes: ", runs[1].message);
        Assert.Contains("encoder.proj_mu.weight is [8, ", runs[1].message);
    }

    [Fact]
    public async Task ARunKilledMidTrainingResumesToTheWeightsOfAnUninterruptedRun()
    {
        // 8 epochs of 4 steps, a checkpoint after every step.
        string[] settings = ["epochs=8", "checkpoint_every=1"];
        using (var child = VaelabChild.Start(Environment, Arguments("conv-vae", settings)))
        {
            string? checkpoint = null;
            while (!child.HasExited && checkpoint is null)
            {
                await Task.Delay(20);
                checkpoint = Directory.Exists(Experiments) ? Directory.GetFiles(Experiments, "checkpoint.safetensors", SearchOption.AllDirectories).FirstOrDefault() : null;
            }
            if (child.HasExited) Assert.Fail($"the run ended before its first checkpoint: {await child.StandardError.ReadToEndAsync()}");
            child.Kill(entireProcessTree: true);
            await child.WaitForExitAsync();
        }
        var killed = Assert.Single(Registry.list("conv-vae"));
        var position = JsonNode.Parse(safetensors.read_metadata(Folder(killed).checkpoint_path)["position"])!;
        Assert.True((int)position["step"]! < 32, $"the run was killed after its last step ({position})");

        var resumed = await Run("conv-vae", [.. settings, $"resume_from={killed.id}"]);
        var uninterrupted = await Run("conv-vae", settings);

        Assert.True(resumed.ExitCode == 0, resumed.Error);
        Assert.True(uninterrupted.ExitCode == 0, uninterrupted.Error);
        var runs = Registry.list("conv-vae").OrderBy(r => r.started).ToList();
        Assert.Contains($"continues from {Folder(killed).checkpoint_path} at epoch ", File.ReadAllText(Path.Combine(Folder(runs[1]).path, "conv-vae.ipynb")));
        Assert.Equal([RunStatus.Interrupted, RunStatus.Finished, RunStatus.Finished], runs.Select(r => r.status));
        var (continued, whole) = (Weights.read(Folder(runs[1]).model_path()), Weights.read(Folder(runs[2]).model_path()));
        Assert.Equal(whole.Keys.Order(), continued.Keys.Order());
        foreach (var (key, tensor) in whole) Assert.True(tensor.equal(continued[key]).all().item<bool>(), $"{key} differs after resuming");
    }
}
