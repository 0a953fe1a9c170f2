using System.Diagnostics;
using TorchSharp;
using VaeLab.Models;
using static TorchSharp.torch;

namespace VaeLab.Bench;

/// <summary>Sizes and iteration counts of the benchmarks (pytorch_bench.py receives the same record).</summary>
sealed record Workload(int OpIterations, int ChainIterations, int OpRepeats, int VaeBatch, int VaeLatent, int VaeSteps, int VaeRepeats)
{
    public static readonly Workload Full = new(OpIterations: 20_000, ChainIterations: 2_000, OpRepeats: 7,
        VaeBatch: 128, VaeLatent: 64, VaeSteps: 1, VaeRepeats: 7);

    public static readonly Workload Quick = new(OpIterations: 2_000, ChainIterations: 200, OpRepeats: 3,
        VaeBatch: 16, VaeLatent: 64, VaeSteps: 1, VaeRepeats: 1) { Sketch = SketchWorkload.Quick };

    public SketchWorkload Sketch { get; init; } = SketchWorkload.Full;
}

/// <summary>
/// One row of the table: the key that pytorch_bench.py knows it by, and the C# side: Setup prepares the
/// data and returns the loop to time, which runs a given number of iterations.
/// </summary>
sealed record Benchmark(string Key, string Label, string Unit, int Iterations, int Repeats, Func<Action<int>> Setup);

static class Benchmarks
{
    public static Benchmark[] For(Workload w) =>
    [
        new("add", "`a + b`, 4x4 float32 (result disposed)", "µs", w.OpIterations, w.OpRepeats, Add),
        new("add_", "`a.add_(b)`, 4x4 float32", "µs", w.OpIterations, w.OpRepeats, AddInPlace),
        new("chain", "chain of 10 small ops, 4x4 (one DisposeScope)", "µs", w.ChainIterations, w.OpRepeats, Chain),
        new("vae_step", $"seed-004 conv VAE training step (batch {w.VaeBatch}, 64x64, AdamW)", "ms", w.VaeSteps, w.VaeRepeats,
            () => VaeStep(w.VaeBatch, w.VaeLatent)),
        .. SketchRnnBenchmarks.For(w.Sketch),
    ];

    /// <summary>
    /// Median seconds per iteration on each side. Both sides first run untimed for at least half a second
    /// (long enough for .NET's tiered JIT to compile the loop and TorchSharp's calls at full speed), then their
    /// timed runs alternate, so that a change in the machine's load hits both alike.
    /// </summary>
    public static (double vaelab, double pytorch) Compare(Benchmark benchmark, PyTorchProcess pytorch)
    {
        var run = benchmark.Setup();
        double Ours(int n)
        {
            var clock = Stopwatch.StartNew();
            run(n);
            return clock.Elapsed.TotalSeconds;
        }
        double Theirs(int n) => pytorch.Run(benchmark.Key, n);

        var n = benchmark.Iterations;
        for (double warm = 0; warm < 0.5;) warm += Ours(n);
        for (double warm = 0; warm < 0.5;) warm += Theirs(n);
        var ours = new double[benchmark.Repeats];
        var theirs = new double[benchmark.Repeats];
        for (var r = 0; r < benchmark.Repeats; r++)
        {
            ours[r] = Ours(n) / n;
            theirs[r] = Theirs(n) / n;
        }
        return (Median(ours), Median(theirs));
    }

    public static double Median(double[] values)
    {
        Array.Sort(values);
        var middle = values.Length / 2;
        return values.Length % 2 == 1 ? values[middle] : (values[middle - 1] + values[middle]) / 2;
    }

    static (Tensor a, Tensor b, Tensor c) SmallTensors()
    {
        manual_seed(0);
        return (rand(4, 4), rand(4, 4), rand(4, 4));
    }

    static Action<int> Add()
    {
        var (a, b, _) = SmallTensors();
        return n =>
        {
            for (var i = 0; i < n; i++)
            {
                using var c = a + b;
            }
        };
    }

    static Action<int> AddInPlace()
    {
        var (a, b, _) = SmallTensors();
        return n =>
        {
            for (var i = 0; i < n; i++) a.add_(b);
        };
    }

    static Action<int> Chain()
    {
        var (a, b, c) = SmallTensors();
        return n =>
        {
            for (var i = 0; i < n; i++)
            {
                using var scope = NewDisposeScope();
                _ = ((((a + b) * c - a) / 2).relu().exp().sigmoid().tanh() * 3).sum();
            }
        };
    }

    static Action<int> VaeStep(int batch, int latent)
    {
        manual_seed(0);
        var model = new ConvVae(new ConvVaeConfig { image_channels = 1, latent_dim = latent });
        // weight_decay 0.01 is torch.optim.AdamW's default (the seed's), where TorchSharp's defaults to 0.
        var optimizer = optim.AdamW(model.parameters(), lr: 3e-4, weight_decay: 0.01);
        var x = rand(batch, 1, 64, 64);
        return n =>
        {
            for (var i = 0; i < n; i++)
            {
                using var scope = NewDisposeScope();
                optimizer.zero_grad();
                model.losses(x)["loss"].backward();
                optimizer.step();
            }
        };
    }
}
