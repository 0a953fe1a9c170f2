using System.Globalization;
using System.Net;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using VaeLab.Notebooks;

namespace VaeLab.Cli;

enum ResultStatus { Succeeded, Failed, NotRun }

/// <summary>What the index shows of a notebook's latest run; <paramref name="Earlier"/> when it comes from the
/// executed notebook an earlier `vaelab reproduce` or `vaelab run` left in analysis/.</summary>
sealed record NotebookResult(string Name, string Title, ResultStatus Status, TimeSpan? Duration,
    IReadOnlyList<KeyValuePair<string, object>> Metrics, string? Error, DateTimeOffset? Started, bool Earlier)
{
    public static NotebookResult Of(NotebookRun run, string name, string? reportError) =>
        new(name, run.Notebook.Title, run.Succeeded && reportError is null ? ResultStatus.Succeeded : ResultStatus.Failed, run.Duration,
            [.. run.Metrics], run.Error ?? reportError, run.Started, Earlier: false);

    /// <summary>The run recorded in an executed notebook's metadata (vaelab.run, as IpynbWriter writes it), or null when there is none.</summary>
    public static NotebookResult? Read(string ipynb, string name, string title)
    {
        if (!File.Exists(ipynb)) return null;
        try
        {
            if (JsonNode.Parse(File.ReadAllText(ipynb))?["metadata"]?["vaelab"]?["run"] is not JsonObject run) return null;
            var metrics = (run["metrics"] as JsonObject ?? []).Select(m => KeyValuePair.Create(m.Key,
                m.Value is JsonValue v && v.GetValueKind() == JsonValueKind.Number ? v.GetValue<double>() : (object)(m.Value?.ToString() ?? ""))).ToList();
            return new NotebookResult(name, title,
                (string?)run["status"] == "succeeded" ? ResultStatus.Succeeded : ResultStatus.Failed,
                run["duration_seconds"] is JsonValue seconds ? TimeSpan.FromSeconds(seconds.GetValue<double>()) : null,
                metrics, (string?)run["error"],
                DateTimeOffset.TryParse((string?)run["start_time"], CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var started) ? started : null,
                Earlier: true);
        }
        catch (Exception e) when (e is JsonException or InvalidOperationException or FormatException)
        {
            return null;
        }
    }
}

/// <summary>
/// analysis/index.html: one row per notebook of notebooks/ with its status, duration and headline metrics, linking
/// to its report and executed notebook. Notebooks not run this time show their earlier run, if analysis/ has one.
/// </summary>
static class ReportIndex
{
    public static string Write(Repository repository, IReadOnlyList<string> notebooks, IReadOnlyDictionary<string, NotebookResult> fresh)
    {
        var rows = notebooks.Select(path =>
        {
            var name = Path.GetFileNameWithoutExtension(path);
            if (fresh.TryGetValue(name, out var result)) return result;
            var title = Title(path) ?? name;
            return NotebookResult.Read(repository.Report(name, ".ipynb"), name, title)
                   ?? new NotebookResult(name, title, ResultStatus.NotRun, null, [], null, null, Earlier: false);
        }).ToList();
        var path = Path.Combine(repository.Analysis, "index.html");
        Directory.CreateDirectory(repository.Analysis);
        File.WriteAllText(path, ToHtml(rows, repository));
        return path;
    }

    static string? Title(string notebook)
    {
        try { return NotebookDocument.Load(notebook).Title; }
        catch (NotebookException) { return null; }
    }

    static string ToHtml(IReadOnlyList<NotebookResult> rows, Repository repository)
    {
        string Count(ResultStatus status) => rows.Count(r => r.Status == status).ToString(CultureInfo.InvariantCulture);
        var html = new StringBuilder($"""
            <!DOCTYPE html>
            <html lang="en">
            <head>
            <meta charset="utf-8">
            <meta name="viewport" content="width=device-width, initial-scale=1">
            <title>VaeLab analysis</title>
            <style>{Style}</style>
            </head>
            <body>
            <main>
            <h1>VaeLab analysis</h1>
            <p class="summary">{rows.Count} notebooks: {Count(ResultStatus.Succeeded)} succeeded, {Count(ResultStatus.Failed)} failed, {Count(ResultStatus.NotRun)} not run.
            Made by <code>vaelab reproduce</code> on {DateTimeOffset.UtcNow.ToString("yyyy-MM-dd HH:mm", CultureInfo.InvariantCulture)} UTC.</p>
            <table class="runs">
            <thead><tr><th>notebook</th><th>status</th><th>duration</th><th>metrics</th><th>run</th></tr></thead>
            <tbody>

            """);
        foreach (var row in rows)
        {
            var (status, label) = row.Status switch
            {
                ResultStatus.Succeeded => ("ok", "succeeded"),
                ResultStatus.Failed => ("failed", "failed"),
                _ => ("not-run", "not run"),
            };
            var report = File.Exists(repository.Report(row.Name, ".html"))
                ? $"<a href=\"{Href(row.Name, ".html")}\">{Encode(row.Title)}</a>"
                : Encode(row.Title);
            var executed = File.Exists(repository.Report(row.Name, ".ipynb")) ? $" · <a href=\"{Href(row.Name, ".ipynb")}\">.ipynb</a>" : "";
            html.Append($"<tr class=\"{status}\" id=\"{Encode(row.Name)}\">")
                .Append($"<td>{report}<div class=\"file\">{Encode(row.Name)}{executed}</div></td>")
                .Append($"<td><span class=\"status {status}\">{label}</span>")
                .Append(row.Error is null ? "" : $"<div class=\"error\">{Encode(row.Error)}</div>")
                .Append("</td>")
                .Append($"<td class=\"duration\">{Encode(NotebookProgress.Duration(row.Duration))}</td><td>");
            if (row.Metrics.Count > 0)
            {
                html.Append("<table class=\"metrics\">");
                foreach (var (name, value) in row.Metrics)
                    html.Append($"<tr><td>{Encode(name)}</td><td class=\"value\">{Encode(Reports.Value(value))}</td></tr>");
                html.Append("</table>");
            }
            html.Append("</td><td class=\"started\">")
                .Append(row.Started is { } started ? started.UtcDateTime.ToString("yyyy-MM-dd HH:mm", CultureInfo.InvariantCulture) + " UTC" : "")
                .Append(row.Earlier ? "<div class=\"file\">earlier run</div>" : "")
                .Append("</td></tr>\n");
        }
        return html.Append("</tbody>\n</table>\n</main>\n</body>\n</html>\n").ToString();
    }

    static string Href(string name, string extension) => Uri.EscapeDataString(name + extension);

    static string Encode(string text) => WebUtility.HtmlEncode(text);

    const string Style = """
        body { margin: 0; background: #f6f7f9; color: #1d2330; font: 15px/1.5 system-ui, -apple-system, "Segoe UI", sans-serif; }
        main { max-width: 1100px; margin: 0 auto; padding: 24px; }
        h1 { margin: 0 0 4px; font-size: 26px; }
        .summary { color: #5a6273; }
        table { border-collapse: collapse; }
        table.runs { width: 100%; background: #fff; }
        table.runs > * > tr > th, table.runs > * > tr > td { border: 1px solid #d5d9e0; padding: 6px 10px; text-align: left; vertical-align: top; }
        th { background: #eef0f4; }
        table.metrics td { padding: 0 12px 0 0; border: none; }
        td.value, td.duration { font-variant-numeric: tabular-nums; }
        .file { color: #6b7385; font-size: 12px; }
        .status { display: inline-block; padding: 0 8px; border-radius: 9px; color: #fff; font-weight: 600; }
        .status.ok { background: #2f8f4e; } .status.failed { background: #c0392b; } .status.not-run { background: #8a8f99; }
        .error { color: #a61b12; font-size: 13px; white-space: pre-wrap; }
        """;
}
