using System.Net;
using System.Text.RegularExpressions;

namespace VaeLab.Notebooks.Tests;

/// <summary>The notebooks under notebooks/ (copied next to the test assembly) and temporary folders for generated ones.</summary>
static class TestNotebooks
{
    /// <summary>The repository this test assembly was built in.</summary>
    public static readonly string RepoRoot = TestRepository.Root;

    /// <summary>lib/VaeLab's Release build, which the experiment notebooks #r: VaeLab.dll, TorchSharp.dll and libtorch's natives.</summary>
    public static readonly string LibraryFolder = Path.Combine(RepoRoot, "lib", "VaeLab", "bin", "Release", "net10.0");

    public static string PathOf(string name) => Path.Combine(AppContext.BaseDirectory, "notebooks", name);

    public static Task<NotebookRun> Run(string name, IReadOnlyDictionary<string, string>? parameters = null)
    {
        ReportingLibrary.EmitInto(Path.Combine(AppContext.BaseDirectory, "notebooks", "helpers"));
        return NotebookRunner.RunAsync(PathOf(name), parameters);
    }

    /// <summary>Runs cells given as source in memory, as if from a notebook in notebooks/.</summary>
    public static Task<NotebookRun> RunCells(params string[] sources) =>
        NotebookRunner.RunAsync(new NotebookDocument(sources.Select(s => NotebookCell.Code(s)), PathOf("in-memory.ipynb")));

    /// <summary>Writes code cells to an .ipynb at <paramref name="path"/> (where the cells' relative #r paths start) and returns the path.</summary>
    public static string WriteNotebook(string path, params string[] sources)
    {
        IpynbWriter.Write(new NotebookDocument(sources.Select(s => NotebookCell.Code(s)), path), path);
        return path;
    }

    static readonly string TempRoot = CreateTempRoot();

    // xunit 2 has no end-of-run hook, so each run clears what runs before it left (an hour old: not a parallel run's).
    static string CreateTempRoot()
    {
        var root = Directory.CreateDirectory(Path.Combine(Path.GetTempPath(), "vaelab-notebooks-tests"));
        foreach (var old in root.GetDirectories().Where(d => d.CreationTimeUtc < DateTime.UtcNow.AddHours(-1)))
            try { old.Delete(recursive: true); }
            catch (IOException) { }
        return root.FullName;
    }

    public static string TempFolder() => Directory.CreateDirectory(Path.Combine(TempRoot, Guid.NewGuid().ToString("N"))).FullName;

    public static string StreamText(CellRun cell, string name = "stdout") =>
        string.Concat(cell.Outputs.OfType<StreamOutput>().Where(s => s.Name == name).Select(s => s.Text));

    /// <summary>Asserts that the run failed with an error that starts with <paramref name="start"/> and names <paramref name="named"/>.</summary>
    public static void AssertFailedWith(NotebookRun run, string start, string named)
    {
        Assert.False(run.Succeeded);
        Assert.StartsWith(start, run.Error);
        Assert.Contains(named, run.Error);
    }

    public static CellRun CellWithId(NotebookRun run, string id) => run.Cells.Single(c => c.Cell.Id == id);

    /// <summary>The one value a cell shows.</summary>
    public static DisplayOutput Shown(CellRun cell) => Assert.Single(cell.Outputs.OfType<DisplayOutput>());

    /// <summary>What an output shows as text: its text/plain (a string's), else the text of the block in which the kernel's
    /// formatter shows a number or a list as HTML.</summary>
    public static string Text(DisplayOutput output) => output.Data.TryGetValue("text/plain", out var text) ? text
        : Regex.Match(output.Data["text/html"], "^<div class=\"dni-plaintext\"><pre>(.*?)</pre></div>", RegexOptions.Singleline) is { Success: true } block
            ? WebUtility.HtmlDecode(block.Groups[1].Value)
            : throw new InvalidOperationException($"no plain text in {string.Join(", ", output.Data.Keys)}");
}
