using System.Globalization;
using System.Text.Json;
using System.Text.RegularExpressions;
using VaeLab.Display;
using VaeLab.Torch;

namespace VaeLab.Cli.Tests;

/// <summary>
/// `vaelab reconstruct` and `vaelab generate` on a seed-004 .pth that PyTorch trained on Debian's Fashion-MNIST
/// (tests/fixtures/cli/gen_seed004_reconstruct.py), with the flags written as the seed's README writes them.
/// </summary>
public sealed class SeedCommandTests : IDisposable
{
    static readonly string Fixtures = Path.Combine(TestRepository.Root, "tests", "fixtures", "cli");
    static readonly string Model = Path.Combine(Fixtures, "seed004_fashion.pth");
    static readonly JsonElement Reference = JsonDocument.Parse(File.ReadAllText(Path.Combine(Fixtures, "seed004_reconstruct.json")))
        .RootElement.GetProperty("cases").GetProperty("fashion_test").GetProperty("args");

    readonly string outdir = Directory.CreateTempSubdirectory("vaelab-seed004-").FullName;

    public void Dispose() => Directory.Delete(outdir, recursive: true);

    static double Recorded(string name) => Reference.GetProperty(name).GetDouble();

    /// <summary>
    /// The KL term depends only on the encoder's mu and log_var: it must match PyTorch's (float64 from the same float32
    /// weights) to float32 rounding, far inside the printed 4 decimals' 1e-4 on a value near 16. The whole loss includes a
    /// squared error after one random draw of z per image; the fixture measured the spread of the split's mean over 200
    /// draws, and a correct port's draw lies within 5 of those standard deviations of their mean (fails by chance with
    /// probability below 1e-6). The spread is small against the loss, so a wrong decoder, image size or reduction fails.
    /// </summary>
    [Fact]
    public async Task ReconstructPrintsTheMeanLossPyTorchGivesOnDebiansFashionMnistTestImages()
    {
        var images = Reference.GetProperty("images").GetInt32();

        var result = await Vaelab.Run("reconstruct", $"--model={Model}", "--dataset=fashion-mnist", "--rec_testdata", "--latent_dims=8",
            "--max_filters=32", $"--outdir={outdir}", $"--limit={images}", "--cpu");

        Assert.Equal("", result.Error);
        Assert.Equal(0, result.ExitCode);
        var line = Regex.Match(result.Output, $@"mean loss per image over {images} test images: ([\d.]+) \(squared error ([\d.]+) \+ KL ([\d.]+)\)");
        Assert.True(line.Success, result.Output);
        double Printed(int group) => double.Parse(line.Groups[group].Value, CultureInfo.InvariantCulture);
        Assert.Equal(Recorded("kl_per_image"), Printed(3), 1e-3);
        Assert.InRange(Printed(1), Recorded("loss_mean") - 5 * Recorded("loss_std"), Recorded("loss_mean") + 5 * Recorded("loss_std"));
        Assert.Equal(Printed(1), Printed(2) + Printed(3), 2e-4);

        // 64 side-by-side pairs where the seed puts them (at most --images, not one per image of the split) and their grid.
        var folder = Path.Combine(outdir, "fashion-mnist_test", "0008_latent_dims");
        var pairs = Directory.GetFiles(folder, "img_*.png").Order().ToArray();
        Assert.Equal(64, pairs.Length);
        Assert.Equal(Path.Combine(folder, "img_00000063.png"), pairs[^1]);
        var pair = Image.FromPng(File.ReadAllBytes(pairs[0]));
        Assert.Equal((128, 64, 1), (pair.Width, pair.Height, pair.Channels));
        var grid = Image.FromPng(File.ReadAllBytes(Path.Combine(folder, "all.png")));
        Assert.Equal((8 * (128 + 2) + 2, 8 * (64 + 2) + 2), (grid.Width, grid.Height));
    }

    [Fact]
    public async Task ReconstructRefusesOtherLatentDimsNamingEachKeyOfAnotherShape()
    {
        var result = await Vaelab.Run("reconstruct", $"--model={Model}", "--dataset=fashion-mnist", "--latent_dims=64", "--max_filters=32", $"--outdir={outdir}");

        Assert.Equal(2, result.ExitCode);
        Assert.Contains($"{Model} holds a model of --latent_dims 8 --max_filters 32, not --latent_dims 64 --max_filters 32", result.Error);
        foreach (var (key, saved, own) in new[]
                 {
                     ("encoder.proj_mu.weight", "8, 2048", "64, 2048"), ("encoder.proj_mu.bias", "8", "64"),
                     ("encoder.proj_log_var.weight", "8, 2048", "64, 2048"), ("encoder.proj_log_var.bias", "8", "64"),
                     ("decoder.lin1.weight", "2048, 8", "2048, 64"),
                 })
            Assert.Contains($"{key} is [{saved}] where the model has [{own}]", result.Error);
        Assert.Empty(Directory.EnumerateFileSystemEntries(outdir));
    }

    [Fact]
    public async Task AMissingModelFileIsNamed()
    {
        var missing = Path.Combine(outdir, "vae_filters_0128_dims_0064.pth");

        var result = await Vaelab.Run("generate", $"--model={missing}", "--latent_dims=64", $"--outdir={outdir}");

        Assert.Equal(1, result.ExitCode);
        Assert.Equal($"vaelab generate: {missing}: no such weights file\n", result.Error);
    }

    [Fact]
    public async Task AStateDictOfAnotherModelIsRefusedNamingTheKeyItLacks()
    {
        var other = Path.Combine(TestRepository.Root, "tests", "fixtures", "torch", "example.safetensors");

        var result = await Vaelab.Run("generate", $"--model={other}", "--latent_dims=8", $"--outdir={outdir}");

        Assert.Equal(1, result.ExitCode);
        Assert.StartsWith($"vaelab generate: {other}: encoder.conv1.weight: not seed 004's VAE", result.Error);
    }

    [Fact]
    public async Task GenerateWritesEachSampleAndTheirGridTheSameForTheSameSeed()
    {
        var runs = new[] { ("first", 0L), ("again", 0L), ("other", 1L) };
        foreach (var (name, seed) in runs)
        {
            var result = await Vaelab.Run("generate", $"--model={Model}", "--latent_dims=8", "--max_filters=32", $"--outdir={Path.Combine(outdir, name)}",
                "--nimg_channels=1", "--nsamples=10", $"--seed={seed}");
            Assert.Equal(0, result.ExitCode);
            Assert.Contains($"wrote 10 samples and all.png to {Path.Combine(outdir, name)}", result.Output);
        }
        byte[] File(string run, string name) => System.IO.File.ReadAllBytes(Path.Combine(outdir, run, name));

        var samples = Enumerable.Range(0, 10).Select(i => File("first", $"img_{i:000000}.png")).ToArray();
        var image = Image.FromPng(samples[0]);
        Assert.Equal((64, 64, 1), (image.Width, image.Height, image.Channels));
        Assert.Equal(10, samples.Select(Convert.ToBase64String).Distinct().Count());
        Assert.Equal(File("first", "all.png"), File("again", "all.png"));
        Assert.NotEqual(File("first", "all.png"), File("other", "all.png"));
        // Ten samples, eight to a row with 2-pixel borders: two rows.
        var grid = Image.FromPng(File("first", "all.png"));
        Assert.Equal((8 * 66 + 2, 2 * 66 + 2), (grid.Width, grid.Height));
    }

    /// <summary>The .pth's tensors written as safetensors (with the seed's unused shortcuts) make the same samples.</summary>
    [Fact]
    public async Task AStateDictInSafetensorsGeneratesWhatThePthDoes()
    {
        var copy = Path.Combine(outdir, "vae.safetensors");
        var state = Weights.read(Model);
        safetensors.save_file(state, copy);
        foreach (var tensor in state.Values) tensor.Dispose();

        foreach (var (file, folder) in new[] { (Model, "pth"), (copy, "safetensors") })
            Assert.Equal(0, (await Vaelab.Run("generate", $"--model={file}", "--latent_dims=8", "--max_filters=32", $"--outdir={Path.Combine(outdir, folder)}")).ExitCode);

        Assert.Equal(File.ReadAllBytes(Path.Combine(outdir, "pth", "all.png")), File.ReadAllBytes(Path.Combine(outdir, "safetensors", "all.png")));
    }

    [Fact]
    public async Task GenerateRefusesAChannelCountTheModelDoesNotMake()
    {
        var result = await Vaelab.Run("generate", $"--model={Model}", "--latent_dims=8", "--max_filters=32", $"--outdir={outdir}", "--nimg_channels=3");

        Assert.Equal(2, result.ExitCode);
        Assert.Equal($"vaelab generate: --nimg_channels 3, but {Model} makes 1-channel images\n", result.Error);
    }
}
