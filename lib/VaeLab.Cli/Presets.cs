using System.Text.Json;

namespace VaeLab.Cli;

/// <summary>
/// Named sets of parameter values for a notebook: experiments/&lt;notebook&gt;/&lt;preset&gt;.json, a JSON object of
/// parameter to value. Values become the text overrides the engine parses: numbers as written in the file
/// (JSON numbers are culture-invariant), booleans as true/false, strings as they are, arrays as JSON arrays.
/// </summary>
static class Presets
{
    /// <summary>The names of the presets of a notebook, sorted.</summary>
    public static IReadOnlyList<string> Available(Repository repository, string notebookName)
    {
        var folder = repository.PresetFolder(notebookName);
        return Directory.Exists(folder)
            ? [.. Directory.GetFiles(folder, "*.json").Select(Path.GetFileNameWithoutExtension).OfType<string>().Order(StringComparer.Ordinal)]
            : [];
    }

    public static string PathOf(Repository repository, string notebookName, string preset) =>
        Path.Combine(repository.PresetFolder(notebookName), preset + ".json");

    public static Dictionary<string, string> Read(Repository repository, string notebookName, string preset)
    {
        var path = PathOf(repository, notebookName, preset);
        if (!File.Exists(path))
        {
            var available = Available(repository, notebookName);
            throw new UsageException($"no preset '{preset}' for {notebookName} ({path} does not exist); " +
                (available.Count == 0 ? $"{notebookName} has no presets" : $"available: {string.Join(", ", available)}"));
        }

        JsonDocument document;
        try { document = JsonDocument.Parse(File.ReadAllText(path)); }
        catch (JsonException e) { throw new UsageException($"{path} is not valid JSON: {e.Message}"); }
        using (document)
        {
            if (document.RootElement.ValueKind != JsonValueKind.Object)
                throw new UsageException($"{path} must hold a JSON object of parameter names to values, not {Article(document.RootElement.ValueKind)}");
            return document.RootElement.EnumerateObject().ToDictionary(p => p.Name, p => Text(p.Value) ??
                throw new UsageException($"{path}: '{p.Name}' is {Article(p.Value.ValueKind)}; a preset value is a number, true/false, a string or an array"));
        }
    }

    static string? Text(JsonElement value) => value.ValueKind switch
    {
        JsonValueKind.Number or JsonValueKind.Array => JsonSerializer.Serialize(value),
        JsonValueKind.True => "true",
        JsonValueKind.False => "false",
        JsonValueKind.String => value.GetString(),
        _ => null,
    };

    static string Article(JsonValueKind kind) => kind switch
    {
        JsonValueKind.Object => "an object",
        JsonValueKind.Array => "an array",
        JsonValueKind.Null => "null",
        _ => "a " + kind.ToString().ToLowerInvariant(),
    };
}
