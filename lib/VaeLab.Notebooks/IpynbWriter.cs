using System.Globalization;
using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace VaeLab.Notebooks;

/// <summary>
/// Writes nbformat 4.5 in the form Polyglot Notebooks opens (kernelspec <c>.net-csharp</c>, C# cell metadata) and VS Code
/// saves (keys sorted, one-space indent), so files written here and there diff cleanly.
/// </summary>
public static class IpynbWriter
{
    static readonly JsonSerializerOptions Json = new()
    {
        WriteIndented = true,
        IndentSize = 1,
        // HTML outputs stay readable: '<' is fine in a JSON string, the default encoder's \u003C is not needed.
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    };

    /// <summary>The notebook as it is committed: no outputs, execution counts null.</summary>
    public static string ToJson(NotebookDocument notebook) =>
        Serialize(notebook.Metadata.DeepClone().AsObject(), notebook.Cells.Select(c => (c, (CellRun?)null)));

    /// <summary>The executed notebook: outputs, execution counts, per-cell timing, and the run (status, parameters, metrics) in the metadata.</summary>
    public static string ToJson(NotebookRun run)
    {
        var metadata = run.Notebook.Metadata.DeepClone().AsObject();
        metadata["vaelab"] = new JsonObject
        {
            ["run"] = new JsonObject
            {
                ["start_time"] = Timestamp(run.Started),
                ["end_time"] = Timestamp(run.Started + run.Duration),
                ["duration_seconds"] = run.Duration.TotalSeconds,
                ["status"] = run.Succeeded ? "succeeded" : "failed",
                ["error"] = run.Error,
                ["parameters"] = new JsonObject(run.Parameters.Select(p => KeyValuePair.Create(p.Name, (JsonNode?)p.Value))),
                ["metrics"] = new JsonObject(run.Metrics.Select(m => KeyValuePair.Create(m.Key, Metric(m.Value)))),
            },
        };
        return Serialize(metadata, run.Cells.Select(c => (c.Cell, (CellRun?)c)));
    }

    // JSON has no NaN or infinity, and a diverged loss is worth recording: those go in as text.
    static JsonNode? Metric(object value) => value is double d && double.IsFinite(d) ? JsonValue.Create(d) : JsonValue.Create(value.ToString());

    public static void Write(NotebookDocument notebook, string path) => WriteFile(path, ToJson(notebook));

    public static void Write(NotebookRun run, string path) => WriteFile(path, ToJson(run));

    static void WriteFile(string path, string json)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(path))!);
        File.WriteAllText(path, json);
    }

    static string Serialize(JsonObject metadata, IEnumerable<(NotebookCell Cell, CellRun? Run)> cells)
    {
        metadata["kernelspec"] ??= new JsonObject { ["display_name"] = ".NET (C#)", ["language"] = "C#", ["name"] = ".net-csharp" };
        metadata["language_info"] ??= new JsonObject
        {
            ["file_extension"] = ".cs", ["mimetype"] = "text/x-csharp", ["name"] = "C#", ["pygments_lexer"] = "csharp",
        };
        metadata["polyglot_notebook"] ??= new JsonObject
        {
            ["kernelInfo"] = new JsonObject
            {
                ["defaultKernelName"] = "csharp",
                ["items"] = new JsonArray(new JsonObject { ["aliases"] = new JsonArray(), ["name"] = "csharp" }),
            },
        };

        var list = cells.ToList();
        var ids = new HashSet<string>(list.Select(c => c.Cell.Id).OfType<string>());
        var written = new JsonArray();
        for (var i = 0; i < list.Count; i++)
        {
            var id = list[i].Cell.Id;
            if (id is null)
            {
                // .dib cells have no ids; deriving them from the position keeps them stable from one write to the next.
                var n = i + 1;
                while (!ids.Add(id = $"cell-{n}")) n += list.Count;
            }
            written.Add(Cell(list[i].Cell, list[i].Run, id));
        }

        var notebook = new JsonObject
        {
            ["cells"] = written,
            ["metadata"] = metadata,
            ["nbformat"] = 4,
            ["nbformat_minor"] = 5,
        };
        return Sorted(notebook)!.ToJsonString(Json) + "\n";
    }

    static JsonObject Cell(NotebookCell cell, CellRun? run, string id)
    {
        var metadata = cell.Metadata.DeepClone().AsObject();
        var written = new JsonObject
        {
            ["cell_type"] = cell.Kind switch { CellKind.Code => "code", CellKind.Markdown => "markdown", _ => "raw" },
            ["id"] = id,
            ["metadata"] = metadata,
            ["source"] = Lines(cell.Source),
        };
        if (cell.Kind == CellKind.Markdown && cell.Attachments is not null) written["attachments"] = cell.Attachments.DeepClone();
        if (cell.Kind != CellKind.Code) return written;

        metadata["dotnet_interactive"] ??= new JsonObject { ["language"] = "csharp" };
        metadata["polyglot_notebook"] ??= new JsonObject { ["kernelName"] = "csharp" };
        written["execution_count"] = run?.ExecutionCount;
        written["outputs"] = new JsonArray(run?.Outputs.Select(o => Output(o, run.ExecutionCount)).ToArray() ?? []);
        if (run is { Started: { } started, Duration: { } duration })
        {
            // The keys JupyterLab records when it times cells.
            var start = Timestamp(started);
            var end = Timestamp(started + duration);
            metadata["execution"] = new JsonObject
            {
                ["iopub.execute_input"] = start, ["iopub.status.busy"] = start,
                ["iopub.status.idle"] = end, ["shell.execute_reply"] = end,
            };
        }
        return written;
    }

    static JsonNode Output(CellOutput output, int? executionCount) => output switch
    {
        StreamOutput s => new JsonObject { ["output_type"] = "stream", ["name"] = s.Name, ["text"] = Lines(s.Text) },
        ErrorOutput e => new JsonObject
        {
            ["output_type"] = "error", ["ename"] = e.Name, ["evalue"] = e.Value,
            ["traceback"] = new JsonArray(e.Traceback.Select(l => (JsonNode)l).ToArray()),
        },
        DisplayOutput d when d.IsResult => new JsonObject
        {
            ["output_type"] = "execute_result", ["execution_count"] = executionCount, ["data"] = Data(d), ["metadata"] = new JsonObject(),
        },
        DisplayOutput d => new JsonObject { ["output_type"] = "display_data", ["data"] = Data(d), ["metadata"] = new JsonObject() },
        _ => throw new ArgumentException($"unknown output type {output.GetType().Name}", nameof(output)),
    };

    // Images are one base64 string, JSON (a Plotly figure) the value itself, text a list of lines, as Jupyter writes them.
    static JsonObject Data(DisplayOutput output) =>
        new(output.Data.Select(p => KeyValuePair.Create(p.Key, p.Key switch
        {
            "image/svg+xml" => Lines(p.Value),
            _ when p.Key.StartsWith("image/") => (JsonNode)p.Value,
            _ when IsJson(p.Key) => JsonNode.Parse(p.Value),
            _ => Lines(p.Value),
        })));

    /// <summary>application/json and application/*+json, whose data nbformat keeps as JSON rather than text.</summary>
    static bool IsJson(string mimeType) => mimeType.StartsWith("application/") && (mimeType.EndsWith("/json") || mimeType.EndsWith("+json"));

    /// <summary>nbformat's multi-line string: lines that keep their '\n'.</summary>
    static JsonArray Lines(string text)
    {
        var lines = new JsonArray();
        var start = 0;
        while (start < text.Length)
        {
            var end = text.IndexOf('\n', start);
            end = end < 0 ? text.Length : end + 1;
            lines.Add(text[start..end]);
            start = end;
        }
        return lines;
    }

    static string Timestamp(DateTimeOffset time) => time.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.ffffff'Z'", CultureInfo.InvariantCulture);

    static JsonNode? Sorted(JsonNode? node) => node switch
    {
        JsonObject o => new JsonObject(o.OrderBy(p => p.Key, StringComparer.Ordinal).Select(p => KeyValuePair.Create(p.Key, Sorted(p.Value)))),
        JsonArray a => new JsonArray(a.Select(Sorted).ToArray()),
        _ => node?.DeepClone(),
    };
}
