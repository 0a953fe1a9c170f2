using System.Globalization;
using System.Text.Json;

namespace VaeLab.Data;

/// <summary>
/// QuickDraw ndjson, one drawing per line: raw files (<c>[[x...],[y...],[t...]]</c> per stroke) and
/// simplified files (<c>[[x...],[y...]]</c>), plain or gzip-compressed.
/// </summary>
public static class QuickDrawNdjson
{
    // Google writes BigQuery's UTC timestamps: "2017-03-28 15:28:06.10658 UTC" (trailing zeros dropped).
    const string TimestampFormat = "yyyy-MM-dd HH:mm:ss.FFFFFFF";
    const string TimestampSuffix = " UTC";

    public static RecordStream<Drawing> Read(string path, ReadOptions? options = null) =>
        Read(() => File.OpenRead(path), path, options);

    /// <summary>Reads from the seekable stream <paramref name="open"/> returns on each enumeration.</summary>
    public static RecordStream<Drawing> Read(Func<Stream> open, string name, ReadOptions? options = null) =>
        new(options, bad => ReadLines(bad, open, name));

    static IEnumerable<Drawing> ReadLines(BadRecords bad, Func<Stream> open, string name)
    {
        using var reader = new StreamReader(DataFile.OpenRead(open(), name));
        var number = 0L;
        while (reader.ReadLine() is { } line)
        {
            number++;
            if (string.IsNullOrWhiteSpace(line)) continue;
            Drawing? drawing = null;
            try { drawing = Parse(line); }
            catch (FormatException e) { bad.Skip(new DataFormatException(name, $"line {number}", e.Message, e)); }
            if (drawing is not null) yield return drawing;
        }
    }

    /// <summary>Parses one ndjson line; a FormatException says what is wrong with it.</summary>
    public static Drawing Parse(string line)
    {
        try
        {
            using var document = JsonDocument.Parse(line);
            return Parse(document.RootElement);
        }
        catch (JsonException e) { throw new FormatException($"invalid JSON: {e.Message}", e); }
    }

    static Drawing Parse(JsonElement root)
    {
        if (root.ValueKind != JsonValueKind.Object) throw new FormatException($"expected a JSON object, found {root.ValueKind}");
        var drawing = Field(root, "drawing", JsonValueKind.Array);
        var strokes = new List<Stroke>(drawing.GetArrayLength());
        foreach (var stroke in drawing.EnumerateArray()) strokes.Add(ParseStroke(stroke, strokes.Count));
        return new Drawing(
            Field(root, "key_id", JsonValueKind.String).GetString()!,
            Field(root, "word", JsonValueKind.String).GetString()!,
            Field(root, "countrycode", JsonValueKind.String).GetString()!,
            Field(root, "recognized", JsonValueKind.True, JsonValueKind.False).GetBoolean(),
            ParseTimestamp(Field(root, "timestamp", JsonValueKind.String, JsonValueKind.Null)),
            strokes);
    }

    static JsonElement Field(JsonElement root, string key, params JsonValueKind[] kinds)
    {
        if (!root.TryGetProperty(key, out var value)) throw new FormatException($"missing \"{key}\"");
        if (!kinds.Contains(value.ValueKind)) throw new FormatException($"\"{key}\" is {value.ValueKind}, expected {string.Join(" or ", kinds)}");
        return value;
    }

    static DateTimeOffset? ParseTimestamp(JsonElement value)
    {
        if (value.ValueKind == JsonValueKind.Null) return null;
        var text = value.GetString()!;
        if (text.EndsWith(TimestampSuffix, StringComparison.Ordinal) &&
            DateTimeOffset.TryParseExact(text[..^TimestampSuffix.Length], TimestampFormat, CultureInfo.InvariantCulture,
                DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out var time))
            return time;
        throw new FormatException($"\"timestamp\" \"{text}\" is not of the form \"2017-03-28 15:28:06.10658 UTC\"");
    }

    static Stroke ParseStroke(JsonElement stroke, int index)
    {
        if (stroke.ValueKind != JsonValueKind.Array || stroke.GetArrayLength() is not (2 or 3))
            throw new FormatException($"stroke {index} is not [[x...],[y...]] or [[x...],[y...],[t...]]");
        var columns = stroke.EnumerateArray().Select((c, i) => ParseNumbers(c, index, "xyt"[i])).ToArray();
        if (columns.Any(c => c.Length != columns[0].Length))
            throw new FormatException($"stroke {index} has {string.Join("/", columns.Select(c => c.Length))} values of x/y{(columns.Length == 3 ? "/t" : "")}");
        return new Stroke(columns[0], columns[1], columns.Length == 3 ? columns[2] : null);
    }

    static float[] ParseNumbers(JsonElement column, int stroke, char axis)
    {
        if (column.ValueKind != JsonValueKind.Array) throw new FormatException($"stroke {stroke}: {axis} is not an array");
        var values = new float[column.GetArrayLength()];
        var i = 0;
        foreach (var item in column.EnumerateArray())
        {
            if (item.ValueKind != JsonValueKind.Number || !item.TryGetDouble(out var v) || !float.IsFinite((float)v))
                throw new FormatException($"stroke {stroke}: {axis}[{i}] is not a finite number");
            values[i++] = (float)v;
        }
        return values;
    }

    /// <summary>
    /// Writes drawings one per line in Google's layout: strokes with timing as raw data, others as
    /// simplified data. Whole-number coordinates are written as integers.
    /// </summary>
    public static void Write(string path, IEnumerable<Drawing> drawings, bool gzip = false)
    {
        using var stream = DataFile.Create(path, gzip);
        Write(stream, drawings);
    }

    public static void Write(Stream stream, IEnumerable<Drawing> drawings)
    {
        using var json = new Utf8JsonWriter(stream);
        foreach (var drawing in drawings)
        {
            json.Reset(stream);
            json.WriteStartObject();
            json.WriteString("word", drawing.Word);
            json.WriteString("countrycode", drawing.CountryCode);
            if (drawing.Timestamp is { } time)
                json.WriteString("timestamp", time.UtcDateTime.ToString(TimestampFormat, CultureInfo.InvariantCulture) + TimestampSuffix);
            else
                json.WriteNull("timestamp");
            json.WriteBoolean("recognized", drawing.Recognized);
            json.WriteString("key_id", drawing.KeyId);
            json.WriteStartArray("drawing");
            foreach (var stroke in drawing.Strokes)
            {
                json.WriteStartArray();
                WriteNumbers(json, stroke.X);
                WriteNumbers(json, stroke.Y);
                if (stroke.T is { } t) WriteNumbers(json, t);
                json.WriteEndArray();
            }
            json.WriteEndArray();
            json.WriteEndObject();
            json.Flush();
            stream.WriteByte((byte)'\n');
        }
    }

    static void WriteNumbers(Utf8JsonWriter json, float[] values)
    {
        json.WriteStartArray();
        foreach (var v in values) json.WriteNumberValue(v);
        json.WriteEndArray();
    }
}
