namespace VaeLab.Cli.Tests;

/// <summary>
/// `vaelab train` in a repository whose notebooks/conv-vae.ipynb declares the real notebook's parameters, prints them, and
/// makes a run folder with a model as a run of the real one does; what the real notebook trains its own tests check.
/// </summary>
[Collection(NotebookCommands.Name)]
public sealed class TrainCommandTests : IDisposable
{
    readonly TempRepository repo = new();
    readonly string before = Environment.CurrentDirectory;

    public TrainCommandTests()
    {
        repo.AddNotebook("conv-vae",
            """
            //parameters
            string dataset = "fashion-mnist";
            string data_dir = "";
            int train_limit = 0;
            int test_limit = 0;
            int image_size = 32;
            int max_filters = 64;
            int latent_dim = 64;
            int batch_size = 64;
            int epochs = 2;
            double lr = 3e-4;
            long seed = 0;
            string device = "cpu";
            """,
            """
            Console.WriteLine($"{dataset}|{data_dir}|{train_limit}|{test_limit}|{image_size}|{max_filters}|{latent_dim}|{batch_size}|{epochs}|{lr}|{seed}|{device}");
            """,
            TempRepository.ReferenceVaeLab + """

            var run = VaeLab.Runs.Run.start("conv-vae", new { dataset, epochs });
            var model = new VaeLab.Models.Sketch.DoodleCnn(2);
            run.save_model("model", model, model.config);
            run.finish();
            """);
        Directory.CreateDirectory(Path.Combine(repo.Root, "experiments"));
        Environment.CurrentDirectory = repo.Root;
    }

    public void Dispose()
    {
        Environment.CurrentDirectory = before;
        repo.Dispose();
    }

    string Runs => Path.Combine(repo.Root, "experiments", "conv-vae", "runs");

    [Fact]
    public async Task TheSeedsFlagsBecomeTheNotebooksParametersAndTheRunFolderIsPrinted()
    {
        // The README's example, with --cpu, a seed, a learning rate and a limit.
        var result = await Vaelab.Run("train", "--batchsize=128", "--epochs=100", "--dataset=celeb-a", "--latent_dims=64", "--cpu", "--seed=3",
            "--lr=1e-3", "--max_filters=32", "--limit=500", "--data_dir=faces", "--echo");

        Assert.Equal("", result.Error);
        Assert.Equal(0, result.ExitCode);
        Assert.Contains($"celeb-a|{Path.Combine(repo.Root, "faces")}|500|500|64|32|64|128|100|0.001|3|cpu", result.Output);
        var run = Assert.Single(Directory.GetDirectories(Runs));
        Assert.Contains($"run: {run}", result.Output);
        Assert.Contains($"model: {Path.Combine(run, "models", "model.safetensors")}", result.Output);
        Assert.True(File.Exists(Path.Combine(run, "conv-vae.ipynb")) && File.Exists(Path.Combine(run, "conv-vae.html")));
        Assert.False(Directory.Exists(repo.Analysis));
    }

    [Fact]
    public async Task WithoutFlagsItKeepsTheSeedsDefaults()
    {
        var result = await Vaelab.Run("train", "--latent_dims", "2", "--cpu", "--echo");

        Assert.Equal(0, result.ExitCode);
        Assert.Contains("mnist||0|0|64|128|2|32|100|0.0003|0|cpu", result.Output);
    }

    [Fact]
    public async Task LatentDimsIsRequiredAndPositive()
    {
        var missing = await Vaelab.Run("train", "--cpu");
        var negative = await Vaelab.Run("train", "--cpu", "--latent_dims=-4");

        Assert.Equal(2, missing.ExitCode);
        Assert.Contains("--latent_dims", missing.Error);
        Assert.Equal(2, negative.ExitCode);
        Assert.Contains("--latent_dims must be a positive integer, not '-4'", negative.Error);
        Assert.False(Directory.Exists(Runs));
    }
}
