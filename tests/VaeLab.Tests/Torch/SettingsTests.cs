using F = TorchSharp.torch.nn.functional;

namespace VaeLab.Tests.Torch;

/// <summary>
/// Process-wide settings that VaeLab's reproducibility rests on: manual_seed gives PyTorch's draws (the models' seeded
/// fixtures and the Trainer's exact resumption need them), the thread count and the grad mode. They change what other
/// tests see, so these run in the serial collection.
/// </summary>
[Collection(TrainingSerial.Name)]
public class SettingsTests
{
    const long Seed = 1234;

    static readonly Dictionary<string, Func<TorchFixture, Tensor>> Draws = new()
    {
        ["randn"] = _ => randn(3, 7),
        ["rand"] = _ => rand(20),
        ["randint"] = _ => randint(-5, 100, [4, 3]),
        ["randperm"] = _ => randperm(9),
        ["multinomial"] = c => multinomial(c.Input("probabilities"), 10, replacement: true),
        ["bernoulli"] = c => bernoulli(c.Input("probabilities")),
        ["dropout"] = _ => F.dropout(ones(4, 8), 0.25, training: true),
    };

    public static TheoryData<string> DrawNames() => [.. Draws.Keys];

    static Tensor Seeded(long seed, string name, TorchFixture inputs)
    {
        manual_seed(seed);
        return Draws[name](inputs);
    }

    /// <summary>tests/fixtures/torch/gen_settings.py recorded PyTorch 1.13's draws right after manual_seed(1234).</summary>
    [Theory, MemberData(nameof(DrawNames))]
    public void ManualSeedReproducesPyTorchsDraws(string name)
    {
        using var scope = NewDisposeScope();
        var fixture = TorchFixture.Load("settings.json", name);
        var expected = fixture.Output("value");
        var actual = Seeded(Seed, name, fixture);
        Assert.Equal(expected.dtype, actual.dtype);
        TensorAssert.Identical(expected, actual, $"{name} after manual_seed({Seed})");
    }

    [Theory, MemberData(nameof(DrawNames))]
    public void TheSameSeedRepeatsAndAnotherSeedDiffers(string name)
    {
        using var scope = NewDisposeScope();
        var fixture = TorchFixture.Load("settings.json", name);
        var first = Seeded(7, name, fixture);
        Assert.True(first.Equals(Seeded(7, name, fixture)), $"{name} differs between two runs with seed 7");
        Assert.False(first.Equals(Seeded(8, name, fixture)), $"{name} is the same with seeds 7 and 8");
    }

    [Fact]
    public void NumThreadsRoundTrips()
    {
        var original = get_num_threads();
        try
        {
            set_num_threads(1);
            Assert.Equal(1, get_num_threads());
            // Beyond the physical cores too, where OMP_NUM_THREADS at startup is capped (TorchRuntimeTests).
            set_num_threads(Environment.ProcessorCount + 1);
            Assert.Equal(Environment.ProcessorCount + 1, get_num_threads());
        }
        finally
        {
            set_num_threads(original);
        }
        Assert.Equal(original, get_num_threads());
    }

    [Fact]
    public void GradModesNestAndRestore()
    {
        using var scope = NewDisposeScope();
        var x = ones([2], requires_grad: true);
        Assert.True(is_grad_enabled());
        using (no_grad())
        {
            Assert.False(is_grad_enabled());
            Assert.False((x * 2).requires_grad);
            using (enable_grad())
            {
                Assert.True(is_grad_enabled());
                Assert.True((x * 2).requires_grad);
                using (no_grad()) Assert.False(is_grad_enabled());
                Assert.True(is_grad_enabled());
            }
            Assert.False(is_grad_enabled());
            using (set_grad_enabled(true)) Assert.True(is_grad_enabled());
            Assert.False(is_grad_enabled());
        }
        Assert.True(is_grad_enabled());
        Assert.True((x * 2).requires_grad);
    }
}
