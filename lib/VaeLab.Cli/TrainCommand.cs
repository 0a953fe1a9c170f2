using System.Globalization;
using Spectre.Console;
using VaeLab.Runs;

namespace VaeLab.Cli;

/// <summary>
/// `vaelab train`: seed 004's train.py as a run of notebooks/conv-vae.ipynb, its flags set as the notebook's parameters
/// and the seed's 64x64 images. The notebook records the run in experiments/conv-vae/runs/&lt;run-id&gt;/ (under
/// $VAELAB_EXPERIMENTS when set); the executed notebook and its report go into that folder beside the model.
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
        // Where the notebook, running in notebooks/, puts its runs.
        var runs = Path.Combine(RunFolder.experiments_folder(repository.Notebooks), Notebook, RunFolder.RunsFolderName);
        var before = RunFolders(runs);
        var staging = Directory.CreateTempSubdirectory("vaelab-train-").FullName;

        var code = await RunCommand.RunAsync(new RunCommand.Options(Path.Combine(repository.Notebooks, Notebook + ".ipynb"), Parameters(options),
            Preset: null, Html: Path.Combine(staging, Notebook + ".html"), Ipynb: Path.Combine(staging, Notebook + ".ipynb"), options.Echo), console, error);

        var run = RunFolders(runs).Except(before).OrderBy(Directory.GetCreationTimeUtc).LastOrDefault();
        if (run is null)
        {
            console.WriteLine($"the notebook made no run folder in {runs}; its executed notebook and report are in {staging}");
            return code;
        }
        foreach (var file in Directory.EnumerateFiles(staging)) File.Move(file, Path.Combine(run, Path.GetFileName(file)), overwrite: true);
        Directory.Delete(staging);
        console.WriteLine($"run: {run}");
        var models = Path.Combine(run, "models");
        if (Directory.Exists(models))
            foreach (var model in Directory.EnumerateFiles(models, "*.safetensors").Order()) console.WriteLine($"model: {model}");
        return code;
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

    static HashSet<string> RunFolders(string runs) => Directory.Exists(runs) ? [.. Directory.EnumerateDirectories(runs)] : [];
}
