using System.Text.Json;
using VaeLab.Data;
using VaeLab.Tests.Torch;

namespace VaeLab.Tests.Models;

/// <summary>
/// Seed 004's checkpoints, as its own torch.save(model.state_dict()) writes them (gen_seed004_pth.py), load into ConvVae
/// through Weights.load_weights, and the loaded model computes what PyTorch computes with them (seed004.json).
/// </summary>
public sealed class Seed004WeightsTests : IDisposable
{
    readonly DirectoryInfo folder = Directory.CreateTempSubdirectory("vaelab-seed004-");

    public void Dispose() => folder.Delete(recursive: true);

    static RecordedFixture Case(string name) => RecordedFixture.Load("seed004.json", name);

    static string FileOf(RecordedFixture c) => Path.Combine(AppContext.BaseDirectory, "fixtures", c.ArgJson("file").GetString()!);

    /// <summary>args names the model as ConvVaeConfig does.</summary>
    static ConvVaeConfig ConfigOf(RecordedFixture c) => c.Args.Deserialize<ConvVaeConfig>()!;

    static List<string> UnusedKeys(RecordedFixture c) => c.ArgJson("unused_keys").EnumerateArray().Select(k => k.GetString()!).ToList();

    static Dictionary<string, Tensor> Snapshot(nn.Module model) => model.state_dict().ToDictionary(e => e.Key, e => e.Value.clone());

    static void AssertUnchanged(Dictionary<string, Tensor> before, nn.Module model)
    {
        foreach (var (key, value) in model.state_dict()) TensorAssert.Identical(before[key], value, key);
    }

    /// <summary>
    /// The reference ran in float64 on the saved float32 weights. A float32 model (as the seed runs) differs from it by
    /// float32 rounding accumulated over sums of up to 8192 products (the published model's linear layers), at most
    /// 1.1e-7 on these outputs of up to 0.7; a float64 model only by how two libtorch versions' float64 kernels round,
    /// at most 3e-16. Both bounds leave about ten times that and more.
    /// </summary>
    [Theory]
    [InlineData("small", ScalarType.Float32, 1e-5, 1e-6)]
    [InlineData("small", ScalarType.Float64, 1e-10, 1e-12)]
    [InlineData("published", ScalarType.Float32, 1e-5, 1e-6)]
    [InlineData("published", ScalarType.Float64, 1e-10, 1e-12)]
    public void TheSeedsCheckpointLoadsWithoutItsShortcutsAndComputesAsInPyTorch(string name, ScalarType dtype, double rtol, double atol)
    {
        using var scope = NewDisposeScope();
        var c = Case(name);
        var model = new ConvVae(ConfigOf(c)).to(dtype);

        var loaded = model.load_weights(FileOf(c), strict: false);

        Assert.Empty(loaded.missing_keys);
        Assert.Equal(UnusedKeys(c).Order(), loaded.unexpected_keys.Order());
        var saved = Weights.read(FileOf(c));
        foreach (var (key, value) in model.state_dict()) TensorAssert.Identical(saved[key], value, key);

        model.eval();
        using (no_grad())
        {
            var (mu, log_var) = model.encoder.call(c.Input("x").to(dtype));
            TensorAssert.Close(c.Output("mu"), mu, rtol, atol, "mu");
            TensorAssert.Close(c.Output("log_var"), log_var, rtol, atol, "log_var");
            TensorAssert.Close(c.Output("decoded"), model.decoder.call(c.Input("z").to(dtype)), rtol, atol, "decoded");
        }
    }

    [Fact]
    public void AStrictLoadRefusesTheShortcutsByName()
    {
        using var scope = NewDisposeScope();
        var c = Case("small");
        var model = new ConvVae(ConfigOf(c));
        var before = Snapshot(model);

        var e = Assert.Throws<ArgumentException>(() => model.load_weights(FileOf(c)));

        Assert.Contains(FileOf(c), e.Message);
        Assert.Contains("unexpected keys", e.Message);
        Assert.All(UnusedKeys(c), key => Assert.Contains(key, e.Message));
        Assert.DoesNotContain("missing keys", e.Message);
        AssertUnchanged(before, model);
    }

    [Fact]
    public void AModelOfOtherLatentDimsRefusesTheFileNamingEachKeyAndBothShapes()
    {
        using var scope = NewDisposeScope();
        var c = Case("small");
        var config = ConfigOf(c);
        var model = new ConvVae(config with { latent_dim = config.latent_dim / 2 });
        var before = Snapshot(model);
        var keys = c.ArgJson("state_keys").EnumerateArray().Select(k => k.GetString()!);
        var shapes = c.ArgJson("shapes").EnumerateArray().Select(s => s.EnumerateArray().Select(d => d.GetInt64()).ToArray());
        var misshapen = keys.Zip(shapes)
            .Where(e => before.TryGetValue(e.First, out var own) && !own.shape.SequenceEqual(e.Second))
            .Select(e => (key: e.First, saved: e.Second, own: before[e.First].shape)).ToList();

        var error = Assert.Throws<ArgumentException>(() => model.load_weights(FileOf(c), strict: false));

        Assert.Equal(["decoder.lin1.weight", "encoder.proj_log_var.bias", "encoder.proj_log_var.weight", "encoder.proj_mu.bias", "encoder.proj_mu.weight"],
            misshapen.Select(m => m.key).Order());
        Assert.Contains(FileOf(c), error.Message);
        foreach (var (key, saved, own) in misshapen)
            Assert.Contains($"{key} is [{string.Join(", ", saved)}] where the model has [{string.Join(", ", own)}]", error.Message);
        AssertUnchanged(before, model);
    }

    /// <summary>A download cut short, and a file that starts as a zip archive but is not one.</summary>
    [Theory]
    [InlineData("truncated")]
    [InlineData("garbage")]
    public void ABrokenCheckpointIsADataFormatErrorNamingTheFile(string damage)
    {
        var bytes = File.ReadAllBytes(FileOf(Case("small")));
        var path = Path.Combine(folder.FullName, $"{damage}.pth");
        File.WriteAllBytes(path, damage == "truncated" ? bytes[..(bytes.Length / 2)] : [.. bytes[..4], .. new byte[1000]]);
        using var model = new ConvVae(ConfigOf(Case("small")));
        var before = Snapshot(model);

        var e = Assert.Throws<DataFormatException>(() => model.load_weights(path, strict: false));

        Assert.Equal(path, e.File);
        Assert.StartsWith(path, e.Message);
        AssertUnchanged(before, model);
    }
}
