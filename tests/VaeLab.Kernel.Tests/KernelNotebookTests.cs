using System.Diagnostics;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Xunit.Abstractions;
using static VaeLab.Kernel.Tests.ShippedNotebooks;
using static VaeLab.Kernel.Tests.Promise;

namespace VaeLab.Kernel.Tests;

/// <summary>What a cell promises to show, in whichever MIME type the display stack gives it.</summary>
public enum Promise { Image, StrokeReplay, PlotlyFigure, Table }

/// <summary>
/// Every notebook of notebooks/ run on the installed .NET Interactive kernel through the Jupyter messaging protocol,
/// as VS Code's Jupyter extension runs it (execute_notebooks.py, on Debian's python3-nbclient), with its tiny preset:
/// every code cell runs, none shows an error, and the cells show the images, stroke replays, Plotly figures and
/// tables the notebook promises, as rich output rather than the kernel's plain rendering of an object.
/// </summary>
[Collection(JupyterKernels.Name)]
public sealed class KernelNotebookTests(KernelNotebookTests.Runs runs, ITestOutputHelper log) : IClassFixture<KernelNotebookTests.Runs>
{
    /// <summary>What each cell (by id) promises, for every notebook.</summary>
    static readonly Dictionary<string, Dictionary<string, Promise[]>> Promised = new()
    {
        ["conv-vae"] = new()
        {
            ["data"] = [Image], ["model"] = [Table], ["loss-curves"] = [PlotlyFigure], ["reconstructions"] = [Image],
            ["latent"] = [PlotlyFigure], ["interpolation"] = [Image],
        },
        ["cvae-completion"] = new()
        {
            ["data"] = [Image], ["model"] = [Table], ["loss-curves"] = [PlotlyFigure], ["completions"] = [Image], ["stochastic"] = [Image],
            ["comparison"] = [Table, PlotlyFigure], ["sizes"] = [Table, PlotlyFigure],
        },
        ["split-vae"] = new()
        {
            ["data"] = [Image], ["model"] = [Table], ["sweep"] = [Table, PlotlyFigure], ["sweep-reconstructions"] = [Image],
            ["curves"] = [PlotlyFigure], ["snapshots"] = [Image], ["latent"] = [PlotlyFigure],
        },
        ["sketch-rnn-draw"] = new()
        {
            ["data"] = [StrokeReplay], ["model"] = [Table], ["curves"] = [PlotlyFigure], ["reconstruct"] = [StrokeReplay],
            ["samples"] = [StrokeReplay], ["interpolate"] = [StrokeReplay],
        },
        ["sketch-rnn-timing"] = new()
        {
            ["data"] = [StrokeReplay], ["model"] = [Table], ["curves"] = [PlotlyFigure], ["replay"] = [StrokeReplay],
            ["distances"] = [Table], ["histograms"] = [PlotlyFigure],
        },
        ["sketch-predict"] = new()
        {
            ["data"] = [StrokeReplay], ["classifier"] = [Table], ["train-classifier"] = [PlotlyFigure], ["forget"] = [PlotlyFigure],
            ["runs"] = [Table], ["complete"] = [StrokeReplay], ["topk"] = [Table, StrokeReplay],
        },
        ["doodle-classifier"] = new()
        {
            ["data"] = [Image], ["model"] = [Table], ["curves"] = [PlotlyFigure], ["test"] = [PlotlyFigure, Table], ["mistakes"] = [Image],
        },
        // What it shows depends on the runs the registry holds when it runs (VaeLab.Cli.Tests' NotebookRunTests checks that).
        ["compare-runs"] = new(),
    };

    public static TheoryData<string> Notebooks => [.. Names];

    [Theory]
    [MemberData(nameof(Notebooks))]
    public void RunsEveryCellOnTheKernelWithoutErrorsAndShowsWhatItPromises(string name)
    {
        Assert.True(runs.Problem is null, runs.Problem);
        log.WriteLine(runs.Timings);
        Assert.True(Promised.ContainsKey(name), $"notebooks/{name}.ipynb is new: add what its cells promise to {nameof(Promised)}");
        var cells = runs.Executed[name]["cells"]!.AsArray().Where(c => c!["cell_type"]!.GetValue<string>() == "code").Select(c => c!).ToList();

        foreach (var cell in cells)
        {
            var outputs = cell["outputs"]!.AsArray().Select(o => o!).ToList();
            // The kernel writes a compiler's diagnostics to stderr, and an error output that only says "compilation error".
            var errors = outputs.Where(o => o["output_type"]!.GetValue<string>() == "error")
                .Select(e => $"{e["ename"]}: {e["evalue"]}\n{string.Join("\n", e["traceback"]!.AsArray().Select(l => l!.GetValue<string>()))}");
            var stderr = outputs.Where(o => o["output_type"]!.GetValue<string>() == "stream" && o["name"]!.GetValue<string>() == "stderr")
                .SelectMany(o => Text(o["text"]).Split('\n'))
                // Warnings count: a user sees them. (TorchSharp's tensor(long[]) prints CS1701 in this kernel, which does not
                // silence it as project builds do: TorchSharp was built against .NET 8's System.Runtime.Numerics. The
                // notebooks use from_array, whose overloads do not reach it.)
                .Where(l => l.Trim() != "");
            var problems = stderr.Concat(errors).ToList();
            Assert.True(problems.Count == 0, $"{name}: cell '{cell["id"]}' shows errors:\n{string.Join("\n", problems)}");
        }
        var notRun = cells.Where(c => c["execution_count"] is null).Select(c => (string?)c["id"]).ToList();
        Assert.True(notRun.Count == 0, $"{name}: cells {string.Join(", ", notRun)} did not run");

        foreach (var (id, promises) in Promised[name])
        {
            var cell = cells.SingleOrDefault(c => (string?)c["id"] == id);
            Assert.True(cell is not null, $"{name}: no code cell '{id}', which {nameof(Promised)} names");
            var shown = cell["outputs"]!.AsArray().Select(o => o!["data"]?.AsObject()).OfType<JsonObject>().ToList();
            foreach (var promise in promises)
                Assert.True(shown.Any(data => Shows(data, promise)),
                    $"{name}: cell '{id}' shows no {promise}; its outputs: {string.Join("; ", shown.Select(Describe))}");
        }
    }

    static readonly Regex PngDataUri = new(@"data:image/png;base64,\s*([A-Za-z0-9+/=]+)");

    /// <summary>Whether an output's MIME bundle shows what was promised, in the MIME type made for it or in HTML.</summary>
    static bool Shows(JsonObject data, Promise promise)
    {
        var html = Text(data["text/html"]);
        var svg = Text(data["image/svg+xml"]) + html;
        return promise switch
        {
            Image => IsPng(data.ContainsKey("image/png") ? Text(data["image/png"]) : PngDataUri.Match(html).Groups[1].Value),
            // Drawings replay themselves with a CSS animation of each stroke.
            StrokeReplay => svg.Contains("<svg") && svg.Contains("<path") && svg.Contains("@keyframes"),
            PlotlyFigure => data.ContainsKey("application/vnd.plotly.v1+json") || html.Contains("Plotly.newPlot") || html.Contains("Plotly.react"),
            // Not the kernel's tree view of an object it has no formatter for, which is a table too.
            Table => html.Contains("<table") && html.Contains("<th") && !html.Contains("dni-treeview"),
            _ => throw new ArgumentOutOfRangeException(nameof(promise)),
        };
    }

    static bool IsPng(string base64)
    {
        var bytes = new byte[base64.Length];
        return Convert.TryFromBase64String(base64.Trim(), bytes, out var length) && length > 24 &&
               bytes.AsSpan(0, 8).SequenceEqual(new byte[] { 0x89, (byte)'P', (byte)'N', (byte)'G', 0x0D, 0x0A, 0x1A, 0x0A });
    }

    static string Describe(JsonObject data) =>
        string.Join(", ", data.Select(m => $"{m.Key} ({Text(m.Value)[..Math.Min(120, Text(m.Value).Length)].ReplaceLineEndings(" ")})"));

    /// <summary>Every notebook executed once, two kernels at a time, for the tests to read.</summary>
    public sealed class Runs : IAsyncLifetime
    {
        /// <summary>Two kernels at a time keep both cores busy: one computes while the other starts or waits on the protocol.</summary>
        const int Parallel = 2;
        readonly string folder = Directory.CreateTempSubdirectory("vaelab-kernel-tests-").FullName;

        public Dictionary<string, JsonNode> Executed { get; } = [];
        /// <summary>Why the notebooks could not be run at all, or null.</summary>
        public string? Problem { get; private set; }
        public string Timings { get; private set; } = "";

        public async Task InitializeAsync()
        {
            AssertLibraryBuilt();
            var sources = Path.Combine(folder, "tiny");
            var executed = Path.Combine(folder, "executed");
            Directory.CreateDirectory(sources);
            Directory.CreateDirectory(executed);
            foreach (var name in Names) WriteTiny(name, Path.Combine(sources, name + ".ipynb"));

            var start = new ProcessStartInfo(Python)
            {
                // The kernel starts in notebooks/, so that their #r "../lib/..." lines resolve as in the editor.
                ArgumentList = { Path.Combine(RepoRoot, "tests", "VaeLab.Kernel.Tests", "execute_notebooks.py"), KernelName, Folder, Parallel.ToString(), executed },
                Environment = { ["DOTNET_INTERACTIVE_CLI_TELEMETRY_OPTOUT"] = "1" },
            };
            foreach (var name in Names) start.ArgumentList.Add(Path.Combine(sources, name + ".ipynb"));
            if (!File.Exists(Python))
            {
                Problem = $"{Python} not found: run scripts/setup.sh (it installs Debian's python3-nbclient and the {KernelName} kernel)";
                return;
            }
            var clock = Stopwatch.StartNew();
            var (exitCode, output, error) = await RunAsync(start, TimeSpan.FromMinutes(10));
            Timings = $"{Names.Count()} notebooks on {KernelName}, {Parallel} kernels at a time: {clock.Elapsed.TotalSeconds:F1} s\n{output}";
            Problem = exitCode switch
            {
                0 => null,
                2 => error.Trim(),
                null => $"the notebooks did not finish in 10 minutes\n{output}\n{Tail(error)}",
                _ => $"a kernel died or did not answer (run scripts/setup.sh: it restores dotnet-interactive and registers {KernelName})\n{output}\n{Tail(error)}",
            };
            foreach (var name in Names)
                if (File.Exists(Path.Combine(executed, name + ".ipynb")))
                    Executed[name] = JsonNode.Parse(File.ReadAllText(Path.Combine(executed, name + ".ipynb")))!;
        }

        public Task DisposeAsync()
        {
            Directory.Delete(folder, recursive: true);
            return Task.CompletedTask;
        }
    }
}
