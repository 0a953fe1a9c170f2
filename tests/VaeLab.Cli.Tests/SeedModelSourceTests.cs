using VaeLab.Models;
using VaeLab.Torch;

namespace VaeLab.Cli.Tests;

/// <summary>
/// `--model` of reconstruct and generate also takes a VaeLab model file, a run id and a run folder; runs are looked for
/// in the experiments folder above the current directory, which these tests set, so they run with the notebook commands.
/// </summary>
[Collection(NotebookCommands.Name)]
public sealed class SeedModelSourceTests : IDisposable
{
    const string RunId = "20250101-000000-abc123";
    static readonly string Pth = Path.Combine(TestRepository.Root, "tests", "fixtures", "cli", "seed004_fashion.pth");

    readonly string root = Directory.CreateTempSubdirectory("vaelab-seed004-runs-").FullName;
    readonly string before = Environment.CurrentDirectory;

    public SeedModelSourceTests()
    {
        // The fixture's weights as the conv-vae notebook saves its model.
        using var model = new ConvVae(new ConvVaeConfig { image_channels = 1, image_size = 64, latent_dim = 8, max_filters = 32 });
        model.load_weights(Pth, strict: false);
        SavedModel.save(ModelFile, model, model.config);
        Environment.CurrentDirectory = root;
    }

    public void Dispose()
    {
        Environment.CurrentDirectory = before;
        Directory.Delete(root, recursive: true);
    }

    string Run => Path.Combine(root, "experiments", "conv-vae", "runs", RunId);
    string ModelFile => Path.Combine(Run, "models", "model.safetensors");

    async Task<byte[]> Grid(string model, string outdir, params string[] flags)
    {
        var result = await Vaelab.Run(["generate", $"--model={model}", "--latent_dims=8", $"--outdir={outdir}", .. flags]);
        Assert.Equal("", result.Error);
        return File.ReadAllBytes(Path.Combine(outdir, "all.png"));
    }

    [Fact]
    public async Task AModelFileARunIdAndARunFolderGenerateWhatThePthDoes()
    {
        var expected = await Grid(Pth, "pth", "--max_filters=32");

        Assert.Equal(expected, await Grid(ModelFile, "file"));
        Assert.Equal(expected, await Grid(RunId, "id"));
        Assert.Equal(expected, await Grid(Run, "folder", "--max_filters=32"));
    }

    [Fact]
    public async Task AModelFileRefusesOtherFlagsThanItsConfig()
    {
        var result = await Vaelab.Run("generate", $"--model={RunId}", "--latent_dims=8", "--max_filters=128", "--outdir=out");

        Assert.Equal(2, result.ExitCode);
        Assert.Equal($"vaelab generate: {ModelFile} holds a model of --latent_dims 8 --max_filters 32, not --latent_dims 8 --max_filters 128\n", result.Error);
    }

    [Fact]
    public async Task ARunFolderOutsideTheExperimentsFolderIsRefused()
    {
        var outside = Directory.CreateDirectory(Path.Combine(root, "elsewhere", "runs", RunId)).FullName;

        var result = await Vaelab.Run("reconstruct", $"--model={outside}", "--dataset=fashion-mnist", "--latent_dims=8", "--outdir=out");

        Assert.Equal(2, result.ExitCode);
        Assert.StartsWith($"vaelab reconstruct: {outside} is not a run folder: runs are {Path.Combine(root, "experiments")}", result.Error);
        Assert.DoesNotContain("(Parameter", result.Error);
        Assert.False(Directory.Exists(Path.Combine(root, "out")));
    }
}
