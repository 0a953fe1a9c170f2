using System.Globalization;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Text;
using TorchSharp;
using VaeLab.Bench;
using VaeLab.Models;
using VaeLab.Torch;

// `make bench`: times each benchmark in this process (VaeLab on TorchSharp's libtorch) and in PyTorch (pytorch_bench.py in a
// subprocess, Debian's PyTorch 1.13, the same thread count), and prints a Markdown table, also written to bench/results/latest.md.
// Usage: VaeLab.Bench [--threads N] [--quick] [--only PREFIX]
// --only runs just the benchmarks whose key starts with PREFIX (e.g. `--only sketch` for the Sketch-RNN rows, which
// take most of the time), and leaves out the notebook engine's row.
var threads = Environment.ProcessorCount;
var workload = Workload.Full;
string? only = null;
for (var i = 0; i < args.Length; i++)
{
    if (args[i] == "--quick") workload = Workload.Quick;
    else if (args[i] == "--threads" && i + 1 < args.Length && int.TryParse(args[i + 1], out threads) && threads > 0) i++;
    else if (args[i] == "--only" && i + 1 < args.Length) only = args[++i];
    else
    {
        Console.Error.WriteLine($"unknown or invalid argument '{args[i]}'; usage: VaeLab.Bench [--threads N] [--quick] [--only PREFIX]");
        return 2;
    }
}
var selected = Benchmarks.For(workload).Where(b => only is null || b.Key.StartsWith(only, StringComparison.Ordinal)).ToArray();
var serveSelected = only is null || ServeBenchmark.Key.StartsWith(only, StringComparison.Ordinal);
if (selected.Length == 0 && !serveSelected)
{
    Console.Error.WriteLine($"no benchmark key starts with '{only}'; the keys: {string.Join(", ", Benchmarks.For(workload).Select(b => b.Key).Append(ServeBenchmark.Key))}");
    return 2;
}

var root = BenchHost.RepositoryRoot();
// VaeLab sets libtorch's OpenMP wait policy when it loads (TorchRuntime), which must happen before TorchSharp loads libtorch.
RuntimeHelpers.RunModuleConstructor(typeof(ConvVae).Module.ModuleHandle);
torch.set_num_threads(threads);
// Both sides flush subnormal floats to zero (pytorch_bench.py too): the gradients of the Sketch-RNN rows decay into the
// subnormal range over 250 steps, and those rows then timed an x86 CPU's slow path for subnormals on both sides (two
// thirds of VaeLab's step on an Intel Xeon) rather than either library.
var flushesDenormals = TorchRuntime.set_flush_denormal(true);
var loadBefore = BenchHost.LoadAverage();
var rows = new List<(Benchmark benchmark, double vaelab, double pytorch)>();
string pytorchVersion;
bool pytorchFlushesDenormals;
double? engine = null, serve = null;
try
{
    using var pytorch = new PyTorchProcess(Path.Combine(root, "bench", "pytorch_bench.py"), threads, workload);
    pytorchVersion = pytorch.Version;
    pytorchFlushesDenormals = pytorch.FlushesDenormals;
    foreach (var benchmark in selected)
    {
        var (ours, theirs) = Benchmarks.Compare(benchmark, pytorch);
        Console.WriteLine($"{benchmark.Key}: VaeLab {Format(ours, benchmark.Unit)}, PyTorch {Format(theirs, benchmark.Unit)}");
        rows.Add((benchmark, ours, theirs));
    }
    if (serveSelected)
    {
        serve = ServeBenchmark.Seconds(workload.OpRepeats);
        Console.WriteLine($"{ServeBenchmark.Key}: VaeLab {Format(serve.Value, "ms")}");
    }
    if (only is null)
    {
        engine = EngineBenchmark.Seconds(workload.OpRepeats);
        Console.WriteLine($"{EngineBenchmark.Label}: VaeLab {Format(engine.Value, "ms")}");
    }
}
catch (Exception e) when (e is FileNotFoundException or InvalidOperationException)
{
    Console.Error.WriteLine($"bench: {e.Message}");
    return 1;
}

var report = new StringBuilder();
report.AppendLine($"Machine: {BenchHost.CpuModel()}, {Environment.ProcessorCount} cores; {threads} thread{(threads == 1 ? "" : "s")} (libtorch's, and OpenBLAS's for PyTorch) and "
    + $"OMP_WAIT_POLICY={Environment.GetEnvironmentVariable("OMP_WAIT_POLICY")} on both sides (the PyTorch process inherits it); "
    + $"subnormal floats flushed to zero: VaeLab {(flushesDenormals ? "yes" : "no")}, PyTorch {(pytorchFlushesDenormals ? "yes" : "no")}; "
    + $"TorchSharp {typeof(torch).Assembly.GetName().Version?.ToString(3)} on libtorch {torch.__version__} (VaeLab) and PyTorch {pytorchVersion} (Debian's python3-torch); {RuntimeInformation.FrameworkDescription}; "
    + $"load average {loadBefore} before, {BenchHost.LoadAverage()} after.");
report.AppendLine();
report.AppendLine("| benchmark | VaeLab | PyTorch | ratio (PyTorch/VaeLab) |");
report.AppendLine("|---|---:|---:|---:|");
foreach (var (benchmark, ours, theirs) in rows)
    report.AppendLine($"| {benchmark.Label} | {Format(ours, benchmark.Unit)} | {Format(theirs, benchmark.Unit)} | {(theirs / ours).ToString("F2", CultureInfo.InvariantCulture)} |");
if (engine is { } seconds) report.AppendLine($"| {EngineBenchmark.Label} | {Format(seconds, "ms")} | — | — |");
if (serve is { } request) report.AppendLine($"| {ServeBenchmark.Label} | {Format(request, "ms")} | — | — |");
report.AppendLine();
report.AppendLine($"Time per call (per step for the VAE): median of {workload.OpRepeats} runs of {workload.OpIterations} calls "
    + $"({workload.ChainIterations} chains) and of {workload.VaeRepeats} runs of {workload.VaeSteps} training step(s) per side, after a warm-up of at least 0.5 s; "
    + "the runs of the two sides alternate. A ratio above 1 means VaeLab is faster. "
    + (engine is null ? "" : $"The notebook row is the median of {workload.OpRepeats} runs of the engine on 20 cells that each declare a variable, after a run that pays Roslyn's start-up. ")
    + (serve is null ? "" : $"The serve row is the median of {workload.OpRepeats} runs of 10 requests, after half a second of them."));
report.AppendLine($"Sketch-RNN steps per second: median of {workload.Sketch.Repeats} runs of {workload.Sketch.Steps} step(s) per side.");

BenchHost.Publish(report.ToString(), "latest.md");
return 0;

static string Format(double seconds, string unit)
{
    var value = unit switch
    {
        "µs" => seconds * 1e6,
        "ms" => seconds * 1e3,
        "steps/s" => 1 / seconds,
        _ => throw new ArgumentException($"unknown unit '{unit}'", nameof(unit)),
    };
    var digits = value >= 100 ? "F0" : value >= 10 ? "F1" : value >= 0.1 ? "F2" : "G2";
    return value.ToString(digits, CultureInfo.InvariantCulture) + " " + unit;
}
