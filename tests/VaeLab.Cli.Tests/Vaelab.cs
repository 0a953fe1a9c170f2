using System.Diagnostics;
using System.Text.Json.Nodes;
using Spectre.Console;
using VaeLab.Notebooks;

namespace VaeLab.Cli.Tests;

/// <summary>What a `vaelab` invocation printed and returned.</summary>
sealed record Invocation(int ExitCode, string Output, string Error);

/// <summary>Runs the command line in this process, its output captured as a console without a terminal shows it.</summary>
static class Vaelab
{
    public static Task<Invocation> Run(params string[] args) => RunAt(160, args);

    /// <summary>As <see cref="Run"/>, on a console <paramref name="width"/> columns wide (80: what Spectre assumes when the output is piped).</summary>
    public static async Task<Invocation> RunAt(int width, params string[] args)
    {
        var output = new StringWriter();
        var error = new StringWriter();
        var console = AnsiConsole.Create(new AnsiConsoleSettings
        {
            Ansi = AnsiSupport.No,
            ColorSystem = ColorSystemSupport.NoColors,
            Interactive = InteractionSupport.No,
            Out = new AnsiConsoleOutput(output),
        });
        console.Profile.Width = width;
        var exitCode = await Cli.InvokeAsync(args, console, error);
        return new Invocation(exitCode, output.ToString(), error.ToString());
    }
}

/// <summary>The built `vaelab` (VaeLab.Cli.dll beside the tests) in a process of its own, with variables added to its
/// environment: for tests that kill it, or that give it an experiments folder of its own.</summary>
static class VaelabChild
{
    public static Process Start(IReadOnlyDictionary<string, string> environment, params string[] args)
    {
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var argument in args.Prepend(Path.Combine(AppContext.BaseDirectory, "VaeLab.Cli.dll"))) start.ArgumentList.Add(argument);
        foreach (var (name, value) in environment) start.Environment[name] = value;
        return Process.Start(start)!;
    }

    public static async Task<Invocation> Run(IReadOnlyDictionary<string, string> environment, params string[] args)
    {
        using var child = Start(environment, args);
        var output = child.StandardOutput.ReadToEndAsync();
        var error = child.StandardError.ReadToEndAsync();
        await child.WaitForExitAsync();
        return new Invocation(child.ExitCode, await output, await error);
    }
}

/// <summary>
/// A temporary folder laid out like the repository: Polyglot.sln (the marker the commands look for), notebooks/,
/// experiments/ and analysis/. Notebooks are written by the engine's own writer from cells given as source.
/// </summary>
sealed class TempRepository : IDisposable
{
    public string Root { get; } = Directory.CreateTempSubdirectory("vaelab-cli-").FullName;

    public TempRepository()
    {
        File.WriteAllText(Path.Combine(Root, "Polyglot.sln"), "");
        Directory.CreateDirectory(Notebooks);
    }

    public string Notebooks => Path.Combine(Root, "notebooks");
    public string Analysis => Path.Combine(Root, "analysis");

    public string AnalysisFile(string name) => Path.Combine(Analysis, name);

    public string FigureFile(string name) => Path.Combine(Analysis, "figures", name);

    /// <summary>plotly.min.js of the npm package scripts/setup.sh installs in the repository.</summary>
    public static readonly string PlotlyScript = HtmlExporter.FindPlotlyScript(AppContext.BaseDirectory)
                                                 ?? throw new InvalidOperationException("plotly.min.js is not installed: run scripts/setup.sh");

    /// <summary>The name of the copy of plotly.js the reports in analysis/ share: plotly-&lt;the package's version&gt;.min.js.</summary>
    public static string SharedPlotly =>
        $"plotly-{(string?)JsonNode.Parse(File.ReadAllText(Path.Combine(Path.GetDirectoryName(PlotlyScript)!, "package.json")))!["version"]}.min.js";

    /// <summary>A notebook cell showing a Plotly figure, after the cell <see cref="ReferenceVaeLab"/> and a using of VaeLab.Display.</summary>
    public static string FigureCell(string title) => $"new Figure(\"{title}\", \"step\", \"loss\").Line([3.0, 2.0, 1.5, 1.2], name: \"train\")";

    /// <summary>The built VaeLab library beside the test assembly, as a notebook's #r line.</summary>
    public static string ReferenceVaeLab => $"#r \"{Path.Combine(AppContext.BaseDirectory, "VaeLab.dll")}\"";

    /// <summary>Writes notebooks/&lt;name&gt;.ipynb; a cell whose source starts with "//parameters" is tagged as the parameters cell,
    /// one starting with "//figure" as the figure's.</summary>
    public string AddNotebook(string name, params string[] cells)
    {
        var path = Path.Combine(Notebooks, name + ".ipynb");
        var notebook = new NotebookDocument(cells.Select(c =>
            c.StartsWith("//parameters") ? NotebookCell.Code(c, NotebookParameters.ParametersTag)
            : c.StartsWith("//figure") ? NotebookCell.Code(c, NotebookFigure.Tag)
            : c.StartsWith("# ") ? NotebookCell.Markdown(c) : NotebookCell.Code(c)), path);
        IpynbWriter.Write(notebook, path);
        return path;
    }

    public void AddPreset(string notebook, string preset, string json)
    {
        var folder = Directory.CreateDirectory(Path.Combine(Root, "experiments", notebook)).FullName;
        File.WriteAllText(Path.Combine(folder, preset + ".json"), json);
    }

    /// <summary>The run recorded in an executed notebook's metadata.</summary>
    public JsonObject RunMetadata(string name) =>
        JsonNode.Parse(File.ReadAllText(AnalysisFile(name + ".ipynb")))!["metadata"]!["vaelab"]!["run"]!.AsObject();

    /// <summary>The stdout text of the executed notebook's cells, concatenated.</summary>
    public string Stdout(string name) => string.Concat(
        JsonNode.Parse(File.ReadAllText(AnalysisFile(name + ".ipynb")))!["cells"]!.AsArray()
            .SelectMany(c => c!["outputs"]?.AsArray() ?? [])
            .Where(o => (string?)o!["output_type"] == "stream" && (string?)o["name"] == "stdout")
            .SelectMany(o => o!["text"]!.AsArray().Select(t => (string?)t)));

    public void Dispose() => Directory.Delete(Root, recursive: true);
}

/// <summary>The commands change the process's working directory while a notebook runs: their tests run one at a time.</summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class NotebookCommands
{
    public const string Name = "notebook commands";
}
