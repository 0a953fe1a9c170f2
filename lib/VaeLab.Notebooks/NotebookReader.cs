using System.Text.Json;
using System.Text.Json.Nodes;

namespace VaeLab.Notebooks;

/// <summary>Reads the two formats Polyglot Notebooks saves: .ipynb (nbformat 4) and .dib (plain text).</summary>
public static class NotebookReader
{
    public static NotebookDocument Read(string path)
    {
        path = Path.GetFullPath(path);
        if (!File.Exists(path)) throw new NotebookException($"notebook not found: {path}");
        var text = File.ReadAllText(path);
        return Path.GetExtension(path).ToLowerInvariant() switch
        {
            ".ipynb" => ReadIpynb(text, path),
            ".dib" => ReadDib(text, path),
            var ext => throw new NotebookException($"{path}: unknown notebook extension '{ext}' (expected .ipynb or .dib)"),
        };
    }

    public static NotebookDocument ReadIpynb(string json, string path)
    {
        JsonObject root;
        try { root = JsonNode.Parse(json) as JsonObject ?? throw new NotebookException($"{path}: the top level is not a JSON object"); }
        catch (JsonException e) { throw new NotebookException($"{path}: not valid JSON: {e.Message}", e); }

        if (root["nbformat"]?.GetValue<int>() is not 4)
            throw new NotebookException($"{path}: only nbformat 4 notebooks are supported (found nbformat {root["nbformat"]?.ToJsonString() ?? "missing"})");
        if (root["cells"] is not JsonArray cells) throw new NotebookException($"{path}: no 'cells' array");

        var read = new List<NotebookCell>();
        for (var i = 0; i < cells.Count; i++)
        {
            if (cells[i] is not JsonObject cell) throw new NotebookException($"{path}: cell {i + 1} is not a JSON object");
            var kind = cell["cell_type"]?.GetValue<string>() switch
            {
                "code" => CellKind.Code,
                "markdown" => CellKind.Markdown,
                "raw" => CellKind.Raw,
                var other => throw new NotebookException($"{path}: cell {i + 1} has unknown cell_type '{other}'"),
            };
            read.Add(new NotebookCell(kind, JoinText(cell["source"]), cell["id"]?.GetValue<string>(),
                cell["metadata"]?.DeepClone() as JsonObject, cell["attachments"]?.DeepClone() as JsonObject));
        }
        return new NotebookDocument(read, path, root["metadata"]?.DeepClone() as JsonObject);
    }

    /// <summary>nbformat stores multi-line text either as one string or as a list of lines that keep their '\n'.</summary>
    internal static string JoinText(JsonNode? node) => node switch
    {
        null => "",
        JsonArray lines => string.Concat(lines.Select(l => l?.GetValue<string>())),
        _ => node.GetValue<string>(),
    };

    public static NotebookDocument ReadDib(string text, string path)
    {
        var lines = text.Replace("\r\n", "\n").Split('\n');
        var metadata = new JsonObject();
        var cells = new List<NotebookCell>();
        var kind = CellKind.Code;    // text before the first separator belongs to the default (C#) kernel
        var body = new List<string>();
        var inMeta = false;

        void Flush()
        {
            if (inMeta)
            {
                var json = string.Join('\n', body).Trim();
                if (json.Length > 0) metadata["polyglot_notebook"] = ParseDibMeta(json, path);
            }
            else
            {
                var source = string.Join('\n', body).Trim('\n');
                if (source.Trim().Length > 0) cells.Add(new NotebookCell(kind, source));
            }
            body.Clear();
        }

        for (var i = 0; i < lines.Length; i++)
        {
            var line = lines[i].TrimEnd();
            if (i == 0 && line == "#!meta") { inMeta = true; continue; }
            if (line is "#!csharp" or "#!markdown")
            {
                Flush();
                inMeta = false;
                kind = line == "#!csharp" ? CellKind.Code : CellKind.Markdown;
                continue;
            }
            body.Add(lines[i]);
        }
        Flush();
        return new NotebookDocument(cells, path, metadata);
    }

    static JsonNode ParseDibMeta(string json, string path)
    {
        try { return JsonNode.Parse(json) ?? new JsonObject(); }
        catch (JsonException e) { throw new NotebookException($"{path}: the #!meta block is not valid JSON: {e.Message}", e); }
    }
}
