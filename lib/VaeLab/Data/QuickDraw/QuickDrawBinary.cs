using System.Buffers.Binary;
using System.Text;
using VaeLab.Data.Strokes;

namespace VaeLab.Data.QuickDraw;

/// <summary>
/// QuickDraw's binary files (<c>full/binary/&lt;word&gt;.bin</c>), plain or gzip-compressed. Each record is
/// key_id u64, countrycode 2 ASCII bytes, recognized i8, timestamp u32 (Unix seconds), n_strokes u16, then per
/// stroke n_points u16, x u8[n], y u8[n]; little-endian. The word is not stored: it is the file's name.
/// </summary>
public static class QuickDrawBinary
{
    const int HeaderSize = 8 + 2 + 1 + 4 + 2;

    /// <summary>Reads <paramref name="path"/>; <paramref name="word"/> defaults to its name ("cat.bin.gz" gives "cat").</summary>
    public static RecordStream<Drawing> Read(string path, string? word = null, ReadOptions? options = null) =>
        Read(() => File.OpenRead(path), path, word ?? WordOf(path), options);

    /// <summary>Reads from the seekable stream <paramref name="open"/> returns on each enumeration.</summary>
    public static RecordStream<Drawing> Read(Func<Stream> open, string name, string word, ReadOptions? options = null) =>
        new(options, bad => ReadRecords(bad, open, name, word));

    static string WordOf(string path)
    {
        var file = Path.GetFileName(path);
        foreach (var suffix in new[] { ".gz", ".bin" })
            if (file.EndsWith(suffix, StringComparison.OrdinalIgnoreCase)) file = file[..^suffix.Length];
        return file;
    }

    static IEnumerable<Drawing> ReadRecords(BadRecords bad, Func<Stream> open, string name, string word)
    {
        using var stream = DataFile.OpenRead(open(), name);
        var header = new byte[HeaderSize];
        var points = new byte[2 * ushort.MaxValue];
        for (var number = 1L; ; number++)
        {
            var read = stream.ReadAtLeast(header, HeaderSize, throwOnEndOfStream: false);
            if (read == 0) yield break;
            var location = $"record {number}";
            if (read < HeaderSize)
            {
                bad.Skip(Truncated(name, location));
                yield break;
            }
            var strokes = ReadStrokes(stream, BinaryPrimitives.ReadUInt16LittleEndian(header.AsSpan(15)), points);
            if (strokes is null)
            {
                bad.Skip(Truncated(name, location));
                yield break;
            }
            Drawing? drawing = null;
            try { drawing = ParseHeader(header, word, strokes); }
            catch (FormatException e) { bad.Skip(new DataFormatException(name, location, e.Message, e)); }
            if (drawing is not null) yield return drawing;
        }
    }

    /// <summary>The strokes of one record, or null when the file ends first.</summary>
    static List<Stroke>? ReadStrokes(Stream stream, int count, byte[] buffer)
    {
        var strokes = new List<Stroke>(count);
        for (var s = 0; s < count; s++)
        {
            if (stream.ReadAtLeast(buffer.AsSpan(0, 2), 2, throwOnEndOfStream: false) < 2) return null;
            var n = BinaryPrimitives.ReadUInt16LittleEndian(buffer);
            if (stream.ReadAtLeast(buffer.AsSpan(0, 2 * n), 2 * n, throwOnEndOfStream: false) < 2 * n) return null;
            strokes.Add(new Stroke(ToFloats(buffer.AsSpan(0, n)), ToFloats(buffer.AsSpan(n, n))));
        }
        return strokes;
    }

    static DataFormatException Truncated(string name, string location) =>
        new(name, location, "the file ends inside this record (truncated)");

    static Drawing ParseHeader(byte[] header, string word, List<Stroke> strokes)
    {
        var country = header.AsSpan(8, 2);
        foreach (var c in country)
            if (c != 0 && c is < 0x20 or > 0x7e) throw new FormatException($"countrycode byte 0x{c:x2} is not ASCII text");
        var recognized = (sbyte)header[10];
        if (recognized is not (0 or 1)) throw new FormatException($"recognized is {recognized}, not 0 or 1");
        return new Drawing(
            BinaryPrimitives.ReadUInt64LittleEndian(header).ToString(),
            word,
            Encoding.ASCII.GetString(country).TrimEnd('\0'),
            recognized == 1,
            DateTimeOffset.FromUnixTimeSeconds(BinaryPrimitives.ReadUInt32LittleEndian(header.AsSpan(11))),
            strokes);
    }

    static float[] ToFloats(ReadOnlySpan<byte> bytes)
    {
        var values = new float[bytes.Length];
        for (var i = 0; i < values.Length; i++) values[i] = bytes[i];
        return values;
    }

    /// <summary>
    /// Writes drawings as binary records. The format only holds what Google's simplified data holds: numeric
    /// key ids, whole-second timestamps and whole-number coordinates 0-255; anything else is an ArgumentException.
    /// </summary>
    public static void Write(string path, IEnumerable<Drawing> drawings, bool gzip = false)
    {
        using var stream = DataFile.Create(path, gzip);
        Write(stream, drawings);
    }

    public static void Write(Stream stream, IEnumerable<Drawing> drawings)
    {
        using var writer = new BinaryWriter(stream, Encoding.ASCII, leaveOpen: true);
        foreach (var drawing in drawings)
        {
            var id = drawing.KeyId;
            if (!ulong.TryParse(id, out var key)) throw new ArgumentException($"drawing {id}: key_id must be a decimal number below 2^64", nameof(drawings));
            if (drawing.CountryCode.Length > 2 || !Ascii.IsValid(drawing.CountryCode))
                throw new ArgumentException($"drawing {id}: countrycode \"{drawing.CountryCode}\" is not at most 2 ASCII characters", nameof(drawings));
            if (drawing.Timestamp is not { } time || time.UtcTicks % TimeSpan.TicksPerSecond != 0 || time.ToUnixTimeSeconds() is < 0 or > uint.MaxValue)
                throw new ArgumentException($"drawing {id}: the timestamp must be whole seconds between 1970 and 2106", nameof(drawings));
            if (drawing.Strokes.Count > ushort.MaxValue) throw new ArgumentException($"drawing {id}: more than 65535 strokes", nameof(drawings));
            writer.Write(key);
            writer.Write(Encoding.ASCII.GetBytes(drawing.CountryCode.PadRight(2, '\0')));
            writer.Write((sbyte)(drawing.Recognized ? 1 : 0));
            writer.Write((uint)time.ToUnixTimeSeconds());
            writer.Write((ushort)drawing.Strokes.Count);
            foreach (var stroke in drawing.Strokes)
            {
                if (stroke.Length > ushort.MaxValue) throw new ArgumentException($"drawing {id}: a stroke has more than 65535 points", nameof(drawings));
                writer.Write((ushort)stroke.Length);
                WriteBytes(writer, stroke.X, id);
                WriteBytes(writer, stroke.Y, id);
            }
        }
    }

    static void WriteBytes(BinaryWriter writer, float[] values, string id)
    {
        foreach (var v in values)
        {
            if (v is < 0 or > 255 || v != MathF.Round(v)) throw new ArgumentException($"drawing {id}: coordinate {v} is not a whole number 0-255", "drawings");
            writer.Write((byte)v);
        }
    }
}
