using Spectre.Console;
using VaeLab.Runs;

namespace VaeLab.Cli;

/// <summary>The runs (<see cref="Run.start"/>) that a notebook started under vaelab run or reproduce, which runs it in this
/// process: their run folders get the executed notebook and its report.</summary>
static class NotebookRuns
{
    /// <summary>The run folders of the runs this process started since <paramref name="since"/>, in the experiments folder
    /// of <paramref name="notebook"/> (none without one, or without a registry).</summary>
    public static IReadOnlyList<RunFolder> Since(string notebook, DateTimeOffset since) =>
        RegistryOf(notebook) is { } registry ? Since(registry, since) : [];

    static List<RunFolder> Since(RunRegistry registry, DateTimeOffset since)
    {
        var experiments = Path.GetDirectoryName(registry.path)!;
        return registry.list()
            .Where(r => r.pid == Environment.ProcessId && r.host == Environment.MachineName && r.started >= since)
            .Select(r => new RunFolder(Path.Combine(experiments, r.folder))).Where(f => Directory.Exists(f.path)).ToList();
    }

    /// <summary>The registry of the experiments folder a notebook's runs go to (as the notebook, running in its folder,
    /// finds it); null when there is no such folder or it has no registry yet.</summary>
    static RunRegistry? RegistryOf(string notebook)
    {
        string experiments;
        try { experiments = RunFolder.experiments_folder(Path.GetDirectoryName(Path.GetFullPath(notebook))); }
        catch (DirectoryNotFoundException) { return null; }
        return File.Exists(Path.Combine(experiments, RunRegistry.FileName)) ? RunRegistry.open(experiments) : null;
    }

    /// <summary>After <paramref name="notebook"/> ran under vaelab run or reproduce (from <paramref name="since"/>): the runs it
    /// left running are marked failed with its <paramref name="error"/> when it failed, and each run it started gets a copy
    /// of the executed notebook and its report (those written), and is named. A notebook without runs, or a repository
    /// without a registry, is left alone.</summary>
    public static void Keep(string notebook, DateTimeOffset since, string? error, IAnsiConsole console, params string[] reports)
    {
        if (RegistryOf(notebook) is not { } registry) return;
        if (error is not null) registry.fail_unfinished(error);
        foreach (var run in Since(registry, since))
        {
            foreach (var report in reports.Where(File.Exists)) File.Copy(report, Path.Combine(run.path, Path.GetFileName(report)), overwrite: true);
            WritePath(console, "run", run.path);
        }
    }

    /// <summary>"label: path" on a line of its own, never wrapped at the console's width: a path must copy whole.</summary>
    public static void WritePath(IAnsiConsole console, string label, string path) => console.Profile.Out.Writer.WriteLine($"{label}: {path}");
}
