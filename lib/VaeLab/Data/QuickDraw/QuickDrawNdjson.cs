using System.Globalization;
using System.Text;
using System.Text.Json;
using VaeLab.Data.Strokes;

namespace VaeLab.Data.QuickDraw;

/// <summary>
/// QuickDraw ndjson, one drawing per line: raw files (<c>[[x...],[y...],[t...]]</c> per stroke) and
/// simplified files (<c>[[x...],[y...]]</c>), plain or gzip-compressed.
/// </summary>
public static class QuickDrawNdjson
{
    public static RecordStream<Drawing> Read(string path, ReadOptions? options = null) =>
        Read(() => File.OpenRead(path), path, options);

    /// <summary>Reads from the seekable stream <paramref name="open"/> returns on each enumeration.</summary>
    public static RecordStream<Drawing> Read(Func<Stream> open, string name, ReadOptions? options = null) =>
        new(options, bad => ReadLines(bad, open, name));

    static IEnumerable<Drawing> ReadLines(BadRecords bad, Func<Stream> open, string name)
    {
        using var stream = DataFile.OpenRead(open(), name);
        var lines = new ByteLines(stream);
        var parser = new QuickDrawLineParser();
        var number = 0L;
        while (lines.MoveNext())
        {
            number++;
            if (IsBlank(lines.Current)) continue;
            Drawing? drawing = null;
            try { drawing = parser.Parse(lines.Current); }
            catch (FormatException e) { bad.Skip(new DataFormatException(name, $"line {number}", e.Message, e)); }
            if (drawing is not null) yield return drawing;
        }
    }

    /// <summary>Whether a line holds only white space, as <see cref="string.IsNullOrWhiteSpace"/> decides for its text.</summary>
    static bool IsBlank(ReadOnlySpan<byte> line)
    {
        while (!line.IsEmpty)
        {
            Rune.DecodeFromUtf8(line, out var rune, out var length);
            if (!Rune.IsWhiteSpace(rune)) return false;
            line = line[length..];
        }
        return true;
    }

    /// <summary>Parses one ndjson line; a FormatException says what is wrong with it.</summary>
    public static Drawing Parse(string line) => new QuickDrawLineParser().Parse(Encoding.UTF8.GetBytes(line));

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
                json.WriteString("timestamp", time.UtcDateTime.ToString(QuickDrawLineParser.TimestampFormat, CultureInfo.InvariantCulture) + QuickDrawLineParser.TimestampSuffix);
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
