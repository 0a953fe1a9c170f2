using Spectre.Console;
using VaeLab.Runs;

namespace VaeLab.Cli;

/// <summary>The runs (<see cref="Run.start"/>) that a notebook started under vaelab run or reproduce, which runs it in this
/// process: their run folders get the executed notebook and its report.</summary>
static class NotebookRuns
{
    /// <summary>The run folders of the runs this process started since <paramref name="since"/>, in the experiments folder
    /// of <paramref name="notebook"/> (none without one, or without a registry).</summary>
    public static IReadOnlyList<RunFolder> Since(string notebook, DateTimeOffset since)
    {
        string experiments;
        try { experiments = RunFolder.experiments_folder(Path.GetDirectoryName(Path.GetFullPath(notebook))); }
        catch (DirectoryNotFoundException) { return []; }
        if (!File.Exists(Path.Combine(experiments, RunRegistry.FileName))) return [];
        return RunRegistry.open(experiments).list()
            .Where(r => r.pid == Environment.ProcessId && r.host == Environment.MachineName && r.started >= since)
            .Select(r => new RunFolder(Path.Combine(experiments, r.folder))).Where(f => Directory.Exists(f.path)).ToList();
    }

    /// <summary>Copies the executed notebook and its report (those written) into each run folder, and names the folders.</summary>
    public static void Keep(IReadOnlyList<RunFolder> runs, IAnsiConsole console, params string[] reports)
    {
        foreach (var run in runs)
        {
            foreach (var report in reports.Where(File.Exists)) File.Copy(report, Path.Combine(run.path, Path.GetFileName(report)), overwrite: true);
            console.WriteLine($"run: {run.path}");
        }
    }
}
