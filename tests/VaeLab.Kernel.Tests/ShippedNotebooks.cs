using System.Diagnostics;
using System.Text.Json.Nodes;

namespace VaeLab.Kernel.Tests;

/// <summary>
/// The notebooks of notebooks/ as the kernel tests run them: on the Jupyter kernel scripts/setup.sh registers, with
/// the values of their tiny preset (experiments/NAME/tiny.json) injected after the parameters cell, as papermill does.
/// </summary>
static class ShippedNotebooks
{
    /// <summary>The kernel the notebooks name in their metadata: .NET Interactive's C#.</summary>
    public const string KernelName = ".net-csharp";

    /// <summary>Debian's Python, which has Jupyter; python3 on PATH may be another (pyenv's) without it.</summary>
    public const string Python = "/usr/bin/python3";

    public static readonly string RepoRoot = TestRepository.Root;

    public static string Folder => Path.Combine(RepoRoot, "notebooks");

    public static IEnumerable<string> Names => Directory.GetFiles(Folder, "*.ipynb").Select(f => Path.GetFileNameWithoutExtension(f)!).Order();

    /// <summary>The notebooks #r lib/VaeLab's Release build, which this project builds first.</summary>
    public static void AssertLibraryBuilt()
    {
        var library = Path.Combine(RepoRoot, "lib", "VaeLab", "bin", "Release", "net10.0", "VaeLab.dll");
        Assert.True(File.Exists(library), $"{library} is missing: the notebooks #r lib/VaeLab's Release build (dotnet build -c Release lib/VaeLab)");
    }

    /// <summary>Writes notebooks/NAME.ipynb to <paramref name="target"/> with a cell after its parameters cell that
    /// sets the tiny preset's values.</summary>
    public static void WriteTiny(string name, string target)
    {
        var notebook = JsonNode.Parse(File.ReadAllText(Path.Combine(Folder, name + ".ipynb")))!;
        var cells = notebook["cells"]!.AsArray();
        var parameters = cells.Select((cell, index) => (cell, index)).Single(c => Tags(c.cell!).Contains("parameters")).index;
        var preset = JsonNode.Parse(File.ReadAllText(Path.Combine(RepoRoot, "experiments", name, "tiny.json")))!.AsObject();
        // A preset value's JSON is a C# expression of the parameter's type: a number, true/false, a string literal
        // (JSON's escapes are C#'s), or an array, which C# reads as a collection expression.
        var source = $"// experiments/{name}/tiny.json\n" + string.Join("\n", preset.Select(p => $"{p.Key} = {p.Value!.ToJsonString()};"));
        cells.Insert(parameters + 1, new JsonObject
        {
            ["cell_type"] = "code",
            ["execution_count"] = null,
            ["id"] = "injected-parameters",
            ["metadata"] = new JsonObject
            {
                ["dotnet_interactive"] = new JsonObject { ["language"] = "csharp" },
                ["polyglot_notebook"] = new JsonObject { ["kernelName"] = "csharp" },
                ["tags"] = new JsonArray("injected-parameters"),
            },
            ["outputs"] = new JsonArray(),
            ["source"] = source,
        });
        File.WriteAllText(target, notebook.ToJsonString());
    }

    public static IEnumerable<string> Tags(JsonNode cell) =>
        cell["metadata"]?["tags"]?.AsArray().Select(t => t!.GetValue<string>()) ?? [];

    /// <summary>A multiline field of a notebook (source, text, an output's data), which nbformat writes as one string or a list of lines.</summary>
    public static string Text(JsonNode? field) => field switch
    {
        JsonArray lines => string.Concat(lines.Select(l => l!.GetValue<string>())),
        JsonValue text => text.GetValue<string>(),
        _ => "",
    };

    /// <summary>Runs a program to its end or the timeout, killing it and its children then; returns its exit code
    /// (null when killed) with what it wrote to stdout and stderr.</summary>
    public static async Task<(int? ExitCode, string Output, string Error)> RunAsync(ProcessStartInfo start, TimeSpan timeout)
    {
        start.RedirectStandardOutput = start.RedirectStandardError = true;
        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        using var deadline = new CancellationTokenSource(timeout);
        try { await process.WaitForExitAsync(deadline.Token); }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            await process.WaitForExitAsync();
            return (null, await output, await error);
        }
        return (process.ExitCode, await output, await error);
    }

    /// <summary>The last lines of a log, for a failure message.</summary>
    public static string Tail(string log, int lines = 40) => string.Join("\n", log.Split('\n').TakeLast(lines));
}

/// <summary>The kernel tests start kernels (and a Jupyter server) that load libtorch: one at a time.</summary>
[CollectionDefinition(Name)]
public sealed class JupyterKernels
{
    public const string Name = "Jupyter kernels";
}
