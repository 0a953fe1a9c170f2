using System.Globalization;
using Spectre.Console;
using VaeLab.Notebooks;

namespace VaeLab.Cli;

/// <summary>The two files a run leaves: the executed notebook (.ipynb) and its self-contained HTML report.</summary>
static class Reports
{
    /// <summary>Writes both files and names them on the console.</summary>
    /// <returns>Why the HTML report could not be written (its old copy is then removed, so nothing stale is linked), else null.</returns>
    public static string? Write(NotebookRun run, string ipynb, string html, IAnsiConsole console)
    {
        IpynbWriter.Write(run, ipynb);
        console.MarkupLine($"wrote {Markup.Escape(ipynb)}");
        try
        {
            HtmlExporter.Write(run, html);
        }
        catch (NotebookException e)
        {
            File.Delete(html);
            return $"the HTML report {html} was not written: {e.Message}";
        }
        console.MarkupLine($"wrote {Markup.Escape(html)}");
        return null;
    }

    /// <summary>Metrics as one line: name = value, numbers with six significant digits as the HTML report shows them.</summary>
    public static string Metrics(IEnumerable<KeyValuePair<string, object>> metrics) =>
        string.Join(", ", metrics.Select(m => $"{m.Key} = {Value(m.Value)}"));

    public static string Value(object value) => value is double d ? d.ToString("G6", CultureInfo.InvariantCulture) : value.ToString() ?? "";
}
