using System.Text.Json.Nodes;

namespace VaeLab.Notebooks;

public enum CellKind { Code, Markdown, Raw }

/// <summary>One cell as stored in the notebook file: no outputs (those belong to a <see cref="NotebookRun"/>).</summary>
public sealed class NotebookCell
{
    public NotebookCell(CellKind kind, string source, string? id = null, JsonObject? metadata = null, JsonObject? attachments = null)
    {
        Kind = kind;
        Source = source;
        Id = id;
        Metadata = metadata ?? [];
        Attachments = attachments;
    }

    public CellKind Kind { get; }
    public string Source { get; }
    /// <summary>The nbformat 4.5 cell id; null for cells read from a .dib, which has none (the writer then derives one).</summary>
    public string? Id { get; }
    public JsonObject Metadata { get; }
    /// <summary>Markdown attachments of an .ipynb cell, kept as they are.</summary>
    public JsonObject? Attachments { get; }

    public IReadOnlyList<string> Tags =>
        Metadata["tags"] is JsonArray tags ? tags.Select(t => t?.GetValue<string>() ?? "").ToArray() : [];

    public bool HasTag(string tag) => Tags.Contains(tag);

    public static NotebookCell Code(string source, params string[] tags) =>
        new(CellKind.Code, source, metadata: tags.Length == 0 ? null : new JsonObject { ["tags"] = new JsonArray(tags.Select(t => (JsonNode)t).ToArray()) });

    public static NotebookCell Markdown(string source) => new(CellKind.Markdown, source);
}

/// <summary>A notebook read from an .ipynb or .dib file (or built in memory).</summary>
public sealed class NotebookDocument
{
    /// <param name="path">The notebook's file; relative #r and #load paths resolve against its folder.
    /// For an in-memory notebook, a file name inside the folder those paths should resolve against.</param>
    public NotebookDocument(IEnumerable<NotebookCell> cells, string path, JsonObject? metadata = null)
    {
        Cells = cells.ToList();
        Path = System.IO.Path.GetFullPath(path);
        Metadata = metadata ?? [];
    }

    public IReadOnlyList<NotebookCell> Cells { get; }
    public string Path { get; }
    public JsonObject Metadata { get; }

    public string Directory => System.IO.Path.GetDirectoryName(Path)!;
    public string FileName => System.IO.Path.GetFileName(Path);

    /// <summary>The first level-1 heading of a markdown cell, else the file name without extension.</summary>
    public string Title
    {
        get
        {
            foreach (var cell in Cells.Where(c => c.Kind == CellKind.Markdown))
                foreach (var line in cell.Source.Split('\n'))
                    if (line.StartsWith("# ")) return line[2..].Trim();
            return System.IO.Path.GetFileNameWithoutExtension(Path);
        }
    }

    /// <summary>Reads an .ipynb or a .dib file, chosen by extension.</summary>
    public static NotebookDocument Load(string path) => NotebookReader.Read(path);
}
