using System.Globalization;
using System.Net;
using System.Text;

namespace VaeLab.Notebooks;

public sealed class HtmlExportOptions
{
    /// <summary>plotly.min.js to inline when the run has Plotly figures. By default it is
    /// node_modules/plotly.js-dist-min/plotly.min.js in the repository root (the folder holding Polyglot.sln), looked
    /// for above the notebook, the application and the working directory; scripts/setup.sh installs it.</summary>
    public string? PlotlyScriptPath { get; init; }
}

/// <summary>
/// A run as one self-contained HTML page that works offline: title, parameters, metrics, then every cell's code
/// (highlighted), outputs (HTML inline, images as data URIs, console text, errors) and duration. Plotly figures get
/// plotly.js inlined once, before the first figure.
/// </summary>
public static class HtmlExporter
{
    const string PlotlyPackageFile = "node_modules/plotly.js-dist-min/plotly.min.js";

    public static void Write(NotebookRun run, string path, HtmlExportOptions? options = null)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(path))!);
        File.WriteAllText(path, ToHtml(run, options));
    }

    public static string ToHtml(NotebookRun run, HtmlExportOptions? options = null)
    {
        var notebook = run.Notebook;
        var title = WebUtility.HtmlEncode(notebook.Title);
        var html = new StringBuilder();
        html.Append($"""
            <!DOCTYPE html>
            <html lang="en">
            <head>
            <meta charset="utf-8">
            <meta name="viewport" content="width=device-width, initial-scale=1">
            <title>{title}</title>
            <style>{Style}</style>
            </head>
            <body>
            <main>
            <header>
            <h1>{title}</h1>
            <p class="summary"><span class="status {(run.Succeeded ? "ok" : "failed")}">{(run.Succeeded ? "succeeded" : "failed")}</span>
            {WebUtility.HtmlEncode(notebook.FileName)} · started {run.Started.UtcDateTime.ToString("yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture)} UTC · total {Duration(run.Duration)}</p>

            """);
        if (run.Error is not null) html.Append($"<p class=\"run-error\">{WebUtility.HtmlEncode(run.Error)}</p>\n");
        if (run.Parameters.Count > 0)
        {
            html.Append("<h2>Parameters</h2>\n<table class=\"parameters\"><thead><tr><th>name</th><th>type</th><th>value</th><th>default</th></tr></thead><tbody>");
            foreach (var p in run.Parameters)
                html.Append($"<tr{(p.Overridden ? " class=\"overridden\"" : "")}><td>{Encode(p.Name)}</td><td>{Encode(p.Type)}</td>" +
                            $"<td><code>{Encode(p.Value)}</code></td><td>{(p.Overridden ? $"<code>{Encode(p.DefaultValue)}</code>" : "")}</td></tr>");
            html.Append("</tbody></table>\n");
        }
        if (run.Metrics.Count > 0)
        {
            html.Append("<h2>Metrics</h2>\n<table class=\"metrics\"><tbody>");
            foreach (var (name, value) in run.Metrics)
                html.Append($"<tr><td>{Encode(name)}</td><td>{Encode(value is double d ? d.ToString("G6", CultureInfo.InvariantCulture) : value.ToString()!)}</td></tr>");
            html.Append("</tbody></table>\n");
        }
        html.Append("</header>\n");

        var plotlyInlined = false;
        foreach (var cell in run.Cells)
        {
            if (cell.Cell.Kind == CellKind.Markdown)
            {
                html.Append($"<section class=\"cell markdown\">{Markdown.ToHtml(cell.Cell.Source, notebook.Directory, cell.Cell.Attachments)}</section>\n");
                continue;
            }
            if (cell.Cell.Kind == CellKind.Raw)
            {
                html.Append($"<section class=\"cell raw\"><pre>{Encode(cell.Cell.Source)}</pre></section>\n");
                continue;
            }

            var status = cell.Status switch { CellStatus.Succeeded => "ok", CellStatus.Failed => "failed", _ => "not-run" };
            html.Append($"<section class=\"cell code {status}\">\n<div class=\"cell-head\"><span class=\"count\">[{cell.ExecutionCount?.ToString() ?? " "}]</span> ")
                .Append(Encode(cell.Label))
                .Append(cell.Cell.HasTag(NotebookParameters.ParametersTag) ? " · parameters" : "")
                .Append(cell.Duration is { } duration ? $" · <span class=\"duration\">{Duration(duration)}</span>" : "")
                .Append(cell.Status switch { CellStatus.Failed => " · failed", CellStatus.NotRun => " · not run", _ => "" })
                .Append("</div>\n")
                .Append($"<pre class=\"source\"><code>{CSharpHighlighter.ToHtml(cell.Cell.Source)}</code></pre>\n");
            foreach (var output in cell.Outputs)
            {
                if (output is DisplayOutput { Data: var data } && data.TryGetValue("text/html", out var figure) && !plotlyInlined && IsPlotlyFigure(figure))
                {
                    html.Append("<script>").Append(PlotlyScript(run, options).Replace("</script", "<\\/script", StringComparison.OrdinalIgnoreCase)).Append("</script>\n");
                    plotlyInlined = true;
                }
                html.Append(Output(output, notebook.Directory)).Append('\n');
            }
            html.Append("</section>\n");
        }
        return html.Append("</main>\n</body>\n</html>\n").ToString();
    }

    /// <summary>The markers display helpers put on a figure: a <c>vaelab-plotly</c> element, or a script drawing with plotly.js.</summary>
    static bool IsPlotlyFigure(string html) => html.Contains("vaelab-plotly") || html.Contains("Plotly.newPlot");

    static string Output(CellOutput output, string folder) => output switch
    {
        StreamOutput s => $"<pre class=\"output stream {s.Name}\">{Encode(s.Text)}</pre>",
        ErrorOutput e => $"<pre class=\"output error\">{Encode(string.Join('\n', e.Traceback))}</pre>",
        DisplayOutput d => $"<div class=\"output{(d.IsResult ? " result" : "")}\">{Richest(d.Data, folder)}</div>",
        _ => "",
    };

    static string Richest(IReadOnlyDictionary<string, string> data, string folder)
    {
        if (data.Count == 0) return "";
        var (mime, value) = data.MinBy(p => Rank(p.Key));
        return mime switch
        {
            "text/html" or "image/svg+xml" => value,
            "image/png" or "image/jpeg" or "image/gif" => $"<img src=\"data:{mime};base64,{value.Trim()}\">",
            "text/markdown" => Markdown.ToHtml(value, folder),
            _ => $"<pre>{Encode(value)}</pre>",
        };
    }

    static int Rank(string mime) => Array.IndexOf((string[])["text/html", "image/svg+xml", "image/png", "image/jpeg", "image/gif", "text/markdown"], mime) is var i and >= 0 ? i : 100;

    static string PlotlyScript(NotebookRun run, HtmlExportOptions? options)
    {
        var path = options?.PlotlyScriptPath ?? FindPlotlyScript(run.Notebook.Directory, AppContext.BaseDirectory, Environment.CurrentDirectory);
        if (path is null || !File.Exists(path))
            throw new NotebookException($"the report of {run.Notebook.FileName} has Plotly figures, but plotly.min.js was not found " +
                                        (path is null ? $"({PlotlyPackageFile} under a folder holding Polyglot.sln)" : $"at {path}") +
                                        "; run scripts/setup.sh, or set HtmlExportOptions.PlotlyScriptPath");
        return File.ReadAllText(path);
    }

    /// <summary>plotly.min.js in the first repository root (a folder holding Polyglot.sln) above one of the folders.</summary>
    public static string? FindPlotlyScript(params string[] startFolders)
    {
        foreach (var start in startFolders)
            for (var folder = new DirectoryInfo(start); folder is not null; folder = folder.Parent)
                if (File.Exists(Path.Combine(folder.FullName, "Polyglot.sln")))
                {
                    var script = Path.Combine(folder.FullName, PlotlyPackageFile);
                    if (File.Exists(script)) return script;
                    break;
                }
        return null;
    }

    static string Encode(string text) => WebUtility.HtmlEncode(text);

    static string Duration(TimeSpan t) =>
        t.TotalSeconds < 1 ? $"{t.TotalMilliseconds:0} ms"
        : t.TotalMinutes < 1 ? $"{t.TotalSeconds.ToString("0.00", CultureInfo.InvariantCulture)} s"
        : t.TotalHours < 1 ? $"{(int)t.TotalMinutes} min {t.Seconds} s"
        : $"{(int)t.TotalHours} h {t.Minutes} min";

    const string Style = """
        body { margin: 0; background: #f6f7f9; color: #1d2330; font: 15px/1.5 system-ui, -apple-system, "Segoe UI", sans-serif; }
        main { max-width: 1100px; margin: 0 auto; padding: 24px; }
        h1 { margin: 0 0 4px; font-size: 26px; }
        h2 { font-size: 17px; margin: 18px 0 6px; }
        table { border-collapse: collapse; margin: 6px 0; }
        th, td { border: 1px solid #d5d9e0; padding: 3px 9px; text-align: left; vertical-align: top; }
        th { background: #eef0f4; }
        tr.overridden td { background: #fff6d6; }
        .summary { color: #5a6273; margin: 0 0 8px; }
        .status { display: inline-block; padding: 0 8px; border-radius: 9px; color: #fff; font-weight: 600; }
        .status.ok { background: #2f8f4e; } .status.failed { background: #c0392b; }
        .run-error { color: #a61b12; font-weight: 600; }
        .cell { background: #fff; border: 1px solid #dde1e7; border-radius: 6px; margin: 14px 0; padding: 10px 14px; }
        .cell.markdown { background: transparent; border: none; padding: 0 2px; }
        .cell.failed { border-color: #c0392b; }
        .cell.not-run { opacity: 0.6; }
        .cell-head { color: #6b7385; font-size: 12px; margin-bottom: 4px; }
        .count { font-family: ui-monospace, monospace; }
        pre { margin: 0; white-space: pre-wrap; word-break: break-word; font: 13px/1.45 ui-monospace, "SFMono-Regular", Menlo, Consolas, monospace; }
        pre.source { background: #f3f5f8; padding: 8px 10px; border-radius: 4px; }
        .output { margin-top: 8px; overflow-x: auto; }
        pre.output.stream { color: #333; }
        pre.output.stderr { color: #9a5b00; }
        pre.output.error { background: #fdecea; color: #a61b12; padding: 8px 10px; border-radius: 4px; }
        .output img { max-width: 100%; }
        .kw { color: #0033b3; } .str { color: #067d17; } .num { color: #1750eb; } .com { color: #8c8c8c; font-style: italic; } .dir { color: #9e880d; }
        """;
}
