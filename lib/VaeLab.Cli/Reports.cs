using System.Globalization;
using Spectre.Console;
using VaeLab.Notebooks;

namespace VaeLab.Cli;

/// <summary>The files a run leaves: the executed notebook (.ipynb), its HTML report, and its figure (.svg or .png) when
/// a cell is tagged figure. A report stands alone, plotly.js inlined, except in analysis/, where the reports link
/// one shared copy, analysis/plotly-&lt;version&gt;.min.js, instead of a copy each.</summary>
static class Reports
{
    /// <summary>Writes the files and names them on the console. <paramref name="figure"/> is the figure's path without
    /// its extension.</summary>
    /// <param name="htmlOptions">From <see cref="SharePlotly"/> for a report in analysis/, else null.</param>
    /// <returns>Why the HTML report could not be written (its old copy is then removed, so nothing stale is linked), else null.</returns>
    public static string? Write(NotebookRun run, string ipynb, string html, string figure, IAnsiConsole console, HtmlExportOptions? htmlOptions)
    {
        IpynbWriter.Write(run, ipynb);
        console.MarkupLine($"wrote {Markup.Escape(ipynb)}");
        WriteFigure(run, figure, console);
        try
        {
            HtmlExporter.Write(run, html, htmlOptions);
        }
        catch (NotebookException e)
        {
            File.Delete(html);
            return $"the HTML report {html} was not written: {e.Message}";
        }
        console.MarkupLine($"wrote {Markup.Escape(html)}");
        return null;
    }

    /// <summary>Copies plotly.js into <paramref name="folder"/> for the reports about to be written there to share, or,
    /// when it cannot, warns and returns null: the reports then inline plotly.js, or fail to as the error says.</summary>
    public static HtmlExportOptions? SharePlotly(string folder, IAnsiConsole console)
    {
        try
        {
            return new HtmlExportOptions { PlotlyScriptLink = HtmlExporter.SharePlotlyScript(folder) };
        }
        catch (NotebookException e)
        {
            Warn(console, $"plotly.js is not shared in {folder}: {e.Message}");
            return null;
        }
    }

    /// <summary>Writes the run's figure in place of an earlier run's (of either format), or warns why there is none:
    /// a figure is an extra that never fails a run.</summary>
    static void WriteFigure(NotebookRun run, string figure, IAnsiConsole console)
    {
        RemoveFigure(figure);
        if (run.Figure is { } picture)
        {
            try
            {
                console.MarkupLine($"wrote {Markup.Escape(picture.Save(figure))}");
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                Warn(console, $"the figure {figure}{picture.Extension} was not written: {e.Message}");
            }
        }
        else if (run.FigureProblem is { } problem) Warn(console, $"no figure: {problem}");
    }

    /// <summary>Deletes the figure files an earlier run left at <paramref name="figure"/> (a path without extension).</summary>
    public static void RemoveFigure(string figure)
    {
        if (!Directory.Exists(Path.GetDirectoryName(Path.GetFullPath(figure)))) return;
        foreach (var extension in NotebookFigure.Extensions) File.Delete(figure + extension);
    }

    static void Warn(IAnsiConsole console, string message) => console.MarkupLine($"[yellow]warning[/]: {Markup.Escape(message)}");

    /// <summary>Metrics as one line: name = value, numbers with six significant digits as the HTML report shows them.</summary>
    public static string Metrics(IEnumerable<KeyValuePair<string, object>> metrics) =>
        string.Join(", ", metrics.Select(m => $"{m.Key} = {Value(m.Value)}"));

    public static string Value(object value) => value is double d ? d.ToString("G6", CultureInfo.InvariantCulture) : value.ToString() ?? "";
}
