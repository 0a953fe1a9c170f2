using System.Diagnostics;
using System.Globalization;
using System.Runtime.InteropServices;
using System.Text;
using System.Text.Json;
using VaeLab.Bench;
using VaeLab.Data.Doodles;
using VaeLab.Data.QuickDraw;
using VaeLab.Data.Strokes;

// `make bench-data`: drawings per second through the two data pipelines of the QuickDraw experiments, in this
// process and in Python (bench/data_bench.py: json, numpy, PIL) on the same file, one thread each:
//   stroke-5 + RDP: parse raw ndjson, simplify each stroke (RDP, epsilon 2), offsets with pen states (stroke-5);
//   28x28 raster:   parse raw ndjson, scale the bounding box to fit, draw 1-px lines: anti-aliased (VaeLab's default,
//                   what the notebooks draw), and aliased, the algorithm of PIL's ImageDraw.line that Python uses.
// Another row times the parsing alone, which both pipelines include.
// The input is synthetic doodles with timing, written as QuickDraw raw ndjson into a temporary folder.
// Usage: VaeLab.DataBench [--quick]
CultureInfo.CurrentCulture = CultureInfo.InvariantCulture;
var quick = args is ["--quick"];
if (args.Length > 0 && !quick)
{
    Console.Error.WriteLine("usage: VaeLab.DataBench [--quick]");
    return 2;
}
var perClass = quick ? 100 : 1000;

var folder = Directory.CreateTempSubdirectory("vaelab-data-bench-").FullName;
try
{
    var input = Path.Combine(folder, "doodles.ndjson");
    var doodles = SyntheticDoodles.Generate(perClass, seed: 0, timing: new DoodleTiming());
    QuickDrawNdjson.Write(input, doodles);
    var points = doodles.Average(d => d.Strokes.Sum(s => s.Length));
    Console.WriteLine($"{doodles.Count} drawings, {points:F0} points each on average, {new FileInfo(input).Length / 1e6:F1} MB of raw ndjson");

    var raster = RasterOptions.Square(28) with { Scale = RasterScale.Fit };
    var aliased = raster with { AntiAlias = false };
    var pixels = new float[28 * 28];
    var loadBefore = BenchHost.LoadAverage();
    // Each row: its label, VaeLab's rate, and the key of Python's rate for the same pipeline.
    var rows = new (string Label, double Ours, string Python)[]
    {
        ("parse only (the floor of both pipelines)", Rate(input, d => d.Strokes.Count), "parse"),
        ("stroke-5 + RDP (epsilon 2)", Rate(input, d => Stroke3.FromStrokes(StrokeSimplifier.Rdp(d, 2.0).Strokes).ToStroke5().Length), "stroke5_rdp"),
        ("28x28 raster, anti-aliased 1-px lines", Rate(input, d => { Raster.Draw(d.Strokes, raster, pixels); return pixels[0]; }), "raster28"),
        ("28x28 raster, aliased 1-px lines (PIL's algorithm)", Rate(input, d => { Raster.Draw(d.Strokes, aliased, pixels); return pixels[0]; }), "raster28"),
    };
    var python = Python(input);

    var report = new StringBuilder();
    report.AppendLine($"Machine: {BenchHost.CpuModel()}, {Environment.ProcessorCount} cores; one thread per side; {RuntimeInformation.FrameworkDescription} against "
        + $"{python.GetProperty("versions").GetString()}; load average {loadBefore} before, {BenchHost.LoadAverage()} after.");
    report.AppendLine($"Input: {doodles.Count} synthetic doodles as QuickDraw raw ndjson ({points:F0} points per drawing on average); best of {Repeats} passes over the file "
        + "(VaeLab's after half a second of warm-up passes). "
        + "Python draws both raster rows with PIL's aliased ImageDraw.line.");
    report.AppendLine();
    report.AppendLine("| pipeline (from raw ndjson) | VaeLab drawings/s | Python drawings/s | ratio (VaeLab/Python) |");
    report.AppendLine("|---|---:|---:|---:|");
    foreach (var (label, ours, key) in rows)
    {
        var theirs = python.GetProperty(key).GetDouble();
        report.AppendLine($"| {label} | {ours:F0} | {theirs:F0} | {ours / theirs:F1} |");
    }
    BenchHost.Publish(report.ToString(), "data.md");
    return 0;
}
catch (Exception e) when (e is InvalidOperationException or System.ComponentModel.Win32Exception)
{
    Console.Error.WriteLine($"bench-data: {e.Message}");
    return 1;
}
finally
{
    Directory.Delete(folder, recursive: true);
}

// Drawings per second through parse + step, best of the passes, after passes for at least half a second so that
// .NET's tiered JIT has compiled the pipeline at full speed; the sink keeps the work from being optimised away.
static double Rate(string path, Func<Drawing, float> step)
{
    var sink = 0f;
    double Pass()
    {
        var clock = Stopwatch.StartNew();
        var n = 0;
        foreach (var drawing in QuickDrawNdjson.Read(path))
        {
            sink += step(drawing);
            n++;
        }
        return n / clock.Elapsed.TotalSeconds;
    }
    var warmUp = Stopwatch.StartNew();
    do Pass();
    while (warmUp.Elapsed.TotalSeconds < 0.5);
    var best = 0.0;
    for (var pass = 0; pass < Repeats; pass++) best = Math.Max(best, Pass());
    GC.KeepAlive(sink);
    return best;
}

static JsonElement Python(string input)
{
    var script = Path.Combine(BenchHost.RepositoryRoot(), "bench", "data_bench.py");
    var start = new ProcessStartInfo("/usr/bin/python3", [script, input, Repeats.ToString()])
    {
        RedirectStandardOutput = true,
        RedirectStandardError = true,
    };
    start.Environment["OMP_NUM_THREADS"] = "1";
    start.Environment["OPENBLAS_NUM_THREADS"] = "1";
    using var process = Process.Start(start) ?? throw new InvalidOperationException($"could not start /usr/bin/python3 {script}");
    var error = process.StandardError.ReadToEndAsync();
    var output = process.StandardOutput.ReadToEnd();
    process.WaitForExit();
    if (process.ExitCode != 0)
        throw new InvalidOperationException($"{script} failed (exit {process.ExitCode}; it needs Debian's python3-numpy and python3-pil): {error.Result}");
    return JsonDocument.Parse(output).RootElement;
}

static partial class Program
{
    const int Repeats = 3;
}
