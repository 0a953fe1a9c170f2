using Spectre.Console;
using VaeLab.Notebooks;

namespace VaeLab.Cli;

/// <summary>
/// `vaelab reproduce [NOTEBOOK...]`: runs every notebook of notebooks/ (or those named) with its defaults, writes
/// analysis/&lt;name&gt;.ipynb and .html for each (and analysis/figures/&lt;name&gt;.svg or .png when it has a figure) and
/// analysis/index.html over all of them, and goes on after a notebook fails. The reports load plotly.js from
/// analysis/plotly-&lt;version&gt;.min.js, written once. The runs a notebook started get a copy of its two reports.
/// </summary>
static class ReproduceCommand
{
    public sealed record Options(IReadOnlyList<string> Notebooks, string? Root, bool Echo);

    /// <returns>0 when every notebook ran and got its reports, 1 otherwise.</returns>
    /// <exception cref="UsageException">No repository or no notebooks, or a name that is not one of them.</exception>
    public static async Task<int> RunAsync(Options options, IAnsiConsole console, TextWriter error)
    {
        var repository = options.Root is { } root ? new Repository(Path.GetFullPath(root))
            : Repository.Find(Environment.CurrentDirectory, AppContext.BaseDirectory) ?? throw new UsageException(
                $"no repository root (a folder holding {Repository.Marker}) above the current directory: run vaelab in the repository or pass --root");
        var all = NotebookFiles(repository);
        var chosen = options.Notebooks.Count == 0 ? all : options.Notebooks.Select(n => Find(all, n, repository)).Distinct().ToList();

        var runner = new NotebookProgress(console, options.Echo);
        var htmlOptions = Reports.SharePlotly(repository.Analysis, console);
        var results = new Dictionary<string, NotebookResult>();
        for (var i = 0; i < chosen.Count; i++)
        {
            var name = Path.GetFileNameWithoutExtension(chosen[i]);
            console.Write(new Rule($"[bold]{i + 1}/{chosen.Count}  {Markup.Escape(name)}[/]").LeftJustified());
            var result = results[name] = await Run(chosen[i], repository, runner, console, htmlOptions);
            console.MarkupLine(result.Status == ResultStatus.Succeeded
                ? $"[green]succeeded[/] in {NotebookProgress.Duration(result.Duration)}"
                : $"[red]failed[/]: {Markup.Escape(result.Error ?? "")}");
        }

        HtmlExporter.RemoveUnlinkedPlotlyScripts(repository.Analysis);
        var index = ReportIndex.Write(repository, all, results);
        var table = new Table().Border(TableBorder.Simple)
            .AddColumn("notebook").AddColumn("status").AddColumn(new TableColumn("time").RightAligned()).AddColumn("metrics");
        foreach (var result in results.Values)
            table.AddRow(Markup.Escape(result.Name), result.Status == ResultStatus.Succeeded ? "[green]succeeded[/]" : "[red]failed[/]",
                NotebookProgress.Duration(result.Duration), Markup.Escape(Reports.Metrics(result.Metrics)));
        console.Write(table);
        console.MarkupLine($"wrote {Markup.Escape(index)}");

        var failed = results.Values.Where(r => r.Status != ResultStatus.Succeeded).Select(r => r.Name).ToList();
        if (failed.Count == 0) return 0;
        error.WriteLine($"vaelab reproduce: {failed.Count} of {chosen.Count} notebooks failed: {string.Join(", ", failed)}");
        return 1;
    }

    static async Task<NotebookResult> Run(string path, Repository repository, NotebookProgress runner, IAnsiConsole console,
                                          HtmlExportOptions? htmlOptions)
    {
        var name = Path.GetFileNameWithoutExtension(path);
        var (ipynb, html, figure) = (repository.Report(name, ".ipynb"), repository.Report(name, ".html"), repository.Figure(name));
        NotebookRun run;
        var started = DateTimeOffset.Now;
        try
        {
            run = await runner.RunAsync(NotebookDocument.Load(path), new Dictionary<string, string>());
        }
        catch (NotebookException e)
        {
            // No run, so no reports: an earlier run's would be taken for this one's.
            File.Delete(ipynb);
            File.Delete(html);
            Reports.RemoveFigure(figure);
            return new NotebookResult(name, name, ResultStatus.Failed, null, [], e.Message, DateTimeOffset.UtcNow, Earlier: false);
        }
        console.Write(NotebookProgress.CellTable(run, console.Profile.Width));
        var reportError = Reports.Write(run, ipynb, html, figure, console, htmlOptions);
        NotebookRuns.Keep(path, started, run.Succeeded ? null : run.Error ?? "the notebook failed", console, ipynb, html);
        return NotebookResult.Of(run, name, reportError);
    }

    /// <summary>The notebook that compares the runs of the others: it runs after them, to see the runs they just made.</summary>
    const string CompareRuns = "compare-runs";

    /// <summary>The notebooks of notebooks/ (.ipynb and .dib), sorted by file name, compare-runs last.</summary>
    static List<string> NotebookFiles(Repository repository)
    {
        var files = Directory.Exists(repository.Notebooks)
            ? Directory.GetFiles(repository.Notebooks, "*.ipynb").Concat(Directory.GetFiles(repository.Notebooks, "*.dib"))
                .OrderBy(p => Path.GetFileNameWithoutExtension(p) == CompareRuns).ThenBy(Path.GetFileName, StringComparer.Ordinal).ToList()
            : [];
        return files.Count > 0 ? files : throw new UsageException($"no notebooks (*.ipynb, *.dib) in {repository.Notebooks}");
    }

    /// <summary>The notebook an argument names: its file name, with or without extension, or a path ending in it.</summary>
    static string Find(List<string> notebooks, string argument, Repository repository)
    {
        var file = Path.GetFileName(argument.TrimEnd('/'));
        var matches = notebooks.Where(p => Path.GetFileName(p) == file || Path.GetFileNameWithoutExtension(p) == file).ToList();
        return matches.Count switch
        {
            1 => matches[0],
            0 => throw new UsageException($"no notebook '{argument}' in {repository.Notebooks}; the notebooks are: " +
                                          string.Join(", ", notebooks.Select(Path.GetFileNameWithoutExtension))),
            _ => throw new UsageException($"'{argument}' could be {string.Join(" or ", matches.Select(Path.GetFileName))}: add the extension"),
        };
    }
}
