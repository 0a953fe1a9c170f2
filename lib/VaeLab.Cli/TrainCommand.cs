using System.Globalization;
using Spectre.Console;
using VaeLab.Runs;

namespace VaeLab.Cli;

/// <summary>
/// `vaelab train`: seed 004's train.py as a run of notebooks/conv-vae.ipynb, its flags set as the notebook's parameters
/// and the seed's 64x64 images. The notebook records the run in experiments/conv-vae/runs/&lt;run-id&gt;/ (under
/// $VAELAB_EXPERIMENTS when set); the executed notebook and its report go into that folder beside the model, and
/// nowhere else.
/// </summary>
static class TrainCommand
{
    public sealed record Options(string Dataset, int LatentDims, int MaxFilters, int BatchSize, int Epochs, double Lr, long Seed, int Limit,
        string? DataDir, string Device, bool Echo);

    const string Notebook = "conv-vae", SeedImageSize = "64";

    public static async Task<int> RunAsync(Options options, IAnsiConsole console, TextWriter error)
    {
        if (options.Limit < 0) throw new UsageException($"--limit must be 0 (all) or a number of images, not {options.Limit}");
        var repository = Repository.Find(Environment.CurrentDirectory) ?? throw new UsageException(
            $"vaelab train runs notebooks/{Notebook}.ipynb of a VaeLab checkout, and there is no {Repository.Marker} at or above {Environment.CurrentDirectory}");
        var notebook = Path.Combine(repository.Notebooks, Notebook + ".ipynb");
        // vaelab run copies the executed notebook and its report into the run folder; they go nowhere else.
        var staging = Directory.CreateTempSubdirectory("vaelab-train-").FullName;
        var started = DateTimeOffset.Now;
        try
        {
            var code = await RunCommand.RunAsync(new RunCommand.Options(notebook, Parameters(options), Preset: null,
                Html: Path.Combine(staging, Notebook + ".html"), Ipynb: Path.Combine(staging, Notebook + ".ipynb"), options.Echo), console, error);
            var runs = NotebookRuns.Since(notebook, started);
            if (runs.Count == 0) console.WriteLine("the notebook recorded no run");
            foreach (var model in runs.SelectMany(run => run.model_names.Select(run.model_path))) console.WriteLine($"model: {model}");
            return code;
        }
        finally
        {
            Directory.Delete(staging, recursive: true);
        }
    }

    /// <summary>The flags as -p name=value pairs of the notebook's parameters cell.</summary>
    static List<string> Parameters(Options options)
    {
        var invariant = CultureInfo.InvariantCulture;
        var parameters = new List<string>
        {
            $"dataset={options.Dataset}",
            $"latent_dim={options.LatentDims}",
            $"max_filters={options.MaxFilters}",
            $"batch_size={options.BatchSize}",
            $"epochs={options.Epochs}",
            $"lr={options.Lr.ToString("R", invariant)}",
            $"seed={options.Seed}",
            $"image_size={SeedImageSize}",
            $"device={options.Device}",
        };
        // The notebook reads relative paths from its own folder, so a folder named here is passed whole.
        if (options.DataDir is { } folder) parameters.Add($"data_dir={Path.GetFullPath(folder)}");
        if (options.Limit > 0) parameters.AddRange([$"train_limit={options.Limit}", $"test_limit={options.Limit}"]);
        return parameters;
    }

}
