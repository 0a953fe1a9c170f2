using System.Globalization;
using System.Net;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;

namespace VaeLab.Notebooks;

public sealed class HtmlExportOptions
{
    /// <summary>plotly.min.js to inline when the run has Plotly figures, or for <see cref="HtmlExporter.SharePlotlyScript"/>
    /// to copy. By default it is node_modules/plotly.js-dist-min/plotly.min.js in the repository root (the folder holding
    /// Polyglot.sln), looked for above the notebook, the application and the working directory; scripts/setup.sh installs it.</summary>
    public string? PlotlyScriptPath { get; init; }

    /// <summary>A URL, relative to the page, of plotly.js to load with a script element instead of inlining it, so that
    /// the reports of one folder share one copy (<see cref="HtmlExporter.SharePlotlyScript"/> puts it there). Without
    /// the file beside it the page's figures load plotly.js from the CDN, or stay empty offline.</summary>
    public string? PlotlyScriptLink { get; init; }
}

/// <summary>
/// A run as one HTML page that works offline: title, parameters, metrics, then every cell's code (highlighted),
/// outputs (HTML inline, images as data URIs, console text, errors) and duration. Plotly figures get plotly.js once,
/// before the first figure: inlined, so that the page is self-contained, or loaded from a copy that the reports of
/// one folder share (<see cref="HtmlExportOptions.PlotlyScriptLink"/>).
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

        var plotlyAdded = false;
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
                if (output is DisplayOutput { Data: var data } && data.TryGetValue("text/html", out var figure) && !plotlyAdded && IsPlotlyFigure(figure))
                {
                    html.Append(options?.PlotlyScriptLink is { } link ? $"<script src=\"{Encode(link)}\"></script>\n"
                        : $"<script>{PlotlyScript(run, options).Replace("</script", "<\\/script", StringComparison.OrdinalIgnoreCase)}</script>\n");
                    plotlyAdded = true;
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

    static string PlotlyScript(NotebookRun run, HtmlExportOptions? options) =>
        File.ReadAllText(LocatePlotlyScript($"the report of {run.Notebook.FileName} has Plotly figures", options, run.Notebook.Directory));

    /// <summary>Copies plotly.min.js (<see cref="HtmlExportOptions.PlotlyScriptPath"/>, or the npm package's found above
    /// <paramref name="folder"/>, the application or the working directory) into the folder as plotly-&lt;version&gt;.min.js,
    /// the version read from the package.json beside it, for the reports there to link with
    /// <see cref="HtmlExportOptions.PlotlyScriptLink"/>. An update of plotly.js thus comes under a new name rather than
    /// changing a file that reports written before it were made with.</summary>
    /// <returns>The file's name, which is its URL relative to a page in the folder.</returns>
    /// <exception cref="NotebookException">plotly.min.js or its version is not found.</exception>
    public static string SharePlotlyScript(string folder, HtmlExportOptions? options = null)
    {
        var script = LocatePlotlyScript("reports are to share plotly.js", options, folder);
        var name = $"plotly-{PlotlyVersion(script)}.min.js";
        Directory.CreateDirectory(folder);
        File.Copy(script, Path.Combine(folder, name), overwrite: true);
        return name;
    }

    /// <summary>Deletes the plotly-*.min.js files of the folder that none of its .html pages links: after plotly.js is
    /// updated the older copy stays only until the last report linking it is written again.</summary>
    public static void RemoveUnlinkedPlotlyScripts(string folder)
    {
        if (!Directory.Exists(folder)) return;
        var pages = Directory.GetFiles(folder, "*.html").Select(File.ReadAllText).ToList();
        foreach (var script in Directory.GetFiles(folder, "plotly-*.min.js"))
            if (!pages.Any(page => page.Contains($"<script src=\"{Encode(Path.GetFileName(script))}\">", StringComparison.Ordinal)))
                File.Delete(script);
    }

    static string LocatePlotlyScript(string why, HtmlExportOptions? options, string folder)
    {
        var path = options?.PlotlyScriptPath ?? FindPlotlyScript(folder, AppContext.BaseDirectory, Environment.CurrentDirectory);
        if (path is null || !File.Exists(path))
            throw new NotebookException($"{why}, but plotly.min.js was not found " +
                                        (path is null ? $"({PlotlyPackageFile} under a folder holding Polyglot.sln)" : $"at {path}") +
                                        "; run scripts/setup.sh, or set HtmlExportOptions.PlotlyScriptPath");
        return path;
    }

    /// <summary>The "version" of the npm package.json beside the script, checked to be fit for a file name.</summary>
    static string PlotlyVersion(string script)
    {
        var package = Path.Combine(Path.GetDirectoryName(Path.GetFullPath(script))!, "package.json");
        string? version = null;
        try
        {
            if (File.Exists(package) && JsonNode.Parse(File.ReadAllText(package))?["version"] is JsonValue value) value.TryGetValue(out version);
        }
        catch (JsonException e)
        {
            throw new NotebookException($"{package} is not JSON: {e.Message}");
        }
        return version is not null && Regex.IsMatch(version, @"^[0-9A-Za-z.+-]+$") ? version
            : throw new NotebookException($"plotly.js's version was not found in {package} (the \"version\" of the npm package holding {script}), " +
                                          "which names the copy that reports share");
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
