using Spectre.Console;
using VaeLab.Notebooks;

namespace VaeLab.Cli;

/// <summary>
/// `vaelab run NOTEBOOK`: runs one notebook with its defaults, a preset's values and -p overrides (in that order of
/// precedence, lowest first), and writes the executed .ipynb and the HTML report, by default analysis/&lt;name&gt;.ipynb
/// and analysis/&lt;name&gt;.html in the repository holding the notebook. The figure, if the notebook has one, goes to
/// analysis/figures/&lt;name&gt;.svg or .png, or beside a report written elsewhere (--html out/x.html: out/x.figure.svg).
/// A report in analysis/ links the shared analysis/plotly-&lt;version&gt;.min.js as reproduce's do; one elsewhere inlines
/// plotly.js and stands alone. The runs the notebook started get a copy of both files in their folders, which are printed.
/// </summary>
static class RunCommand
{
    public sealed record Options(string Notebook, IReadOnlyList<string> Parameters, string? Preset, string? Html, string? Ipynb, bool Echo);

    /// <returns>0 when every cell ran, 1 when one failed or a report could not be written.</returns>
    /// <exception cref="UsageException">The notebook, a preset, an override or the output folder is not as it should be.</exception>
    /// <exception cref="NotebookException">The notebook cannot be read, or an override does not fit its parameters.</exception>
    public static async Task<int> RunAsync(Options options, IAnsiConsole console, TextWriter error)
    {
        var path = Path.GetFullPath(options.Notebook);
        if (!File.Exists(path)) throw new UsageException($"notebook not found: {path}");
        var name = Path.GetFileNameWithoutExtension(path);
        var repository = Repository.Find(Path.GetDirectoryName(path)!, Environment.CurrentDirectory);
        Repository Needed(string what) => repository ?? throw new UsageException(
            $"no repository root (a folder holding {Repository.Marker}) above {path} or the current directory to find {what} in");

        var presetValues = options.Preset is { } preset ? Presets.Read(Needed("experiments/"), name, preset) : new Dictionary<string, string>();
        var parameters = new Dictionary<string, string>(presetValues);
        foreach (var (key, value) in Overrides(options.Parameters)) parameters[key] = value;
        var ipynb = Path.GetFullPath(options.Ipynb ?? Needed("analysis/ (or pass --ipynb)").Report(name, ".ipynb"));
        var html = Path.GetFullPath(options.Html ?? Needed("analysis/ (or pass --html)").Report(name, ".html"));
        var figure = options.Html is null ? Needed("analysis/").Figure(name) : Path.ChangeExtension(html, null) + ".figure";
        var analysis = repository is not null && Path.GetDirectoryName(html) == repository.Analysis ? repository.Analysis : null;

        var notebook = NotebookDocument.Load(path);
        // A preset's values are checked here, where the error can say they come from the preset and not from -p.
        var declarations = NotebookRunner.Parameters(notebook);
        foreach (var (key, value) in presetValues)
        {
            try { NotebookParameters.Literal(declarations, key, value); }
            catch (NotebookException e) { throw new UsageException($"preset '{options.Preset}' ({Presets.PathOf(repository!, name, options.Preset!)}): {e.Message}"); }
        }
        console.MarkupLine($"running [bold]{Markup.Escape(path)}[/]" +
            (parameters.Count == 0 ? "" : $" with {Markup.Escape(string.Join(", ", parameters.Select(p => $"{p.Key}={p.Value}")))}"));
        var started = DateTimeOffset.Now;
        var run = await new NotebookProgress(console, options.Echo).RunAsync(notebook, parameters);
        console.Write(NotebookProgress.CellTable(run, console.Profile.Width));
        var reportError = Reports.Write(run, ipynb, html, figure, console, analysis is null ? null : Reports.SharePlotly(analysis, console));
        if (analysis is not null) HtmlExporter.RemoveUnlinkedPlotlyScripts(analysis);
        NotebookRuns.Keep(path, started, run.Succeeded ? null : run.Error ?? "the notebook failed", console, ipynb, html);

        if (reportError is not null) error.WriteLine($"vaelab run: {reportError}");
        if (!run.Succeeded) error.WriteLine($"vaelab run: {name} failed: {run.Error}");
        if (!run.Succeeded || reportError is not null) return 1;
        console.MarkupLine($"[green]succeeded[/] in {NotebookProgress.Duration(run.Duration)}" +
            (run.Metrics.Count == 0 ? "" : "; " + Markup.Escape(Reports.Metrics(run.Metrics))));
        return 0;
    }

    /// <summary>-p name=value arguments as a name to value map; a later one for the same name wins.</summary>
    public static Dictionary<string, string> Overrides(IEnumerable<string> arguments)
    {
        var overrides = new Dictionary<string, string>();
        foreach (var argument in arguments)
        {
            var equals = argument.IndexOf('=');
            if (equals <= 0 || argument[..equals].Trim().Length == 0)
                throw new UsageException($"-p expects name=value, not '{argument}'");
            overrides[argument[..equals].Trim()] = argument[(equals + 1)..];
        }
        return overrides;
    }
}
