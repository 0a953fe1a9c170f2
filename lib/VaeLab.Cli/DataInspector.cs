using System.Globalization;
using System.Text;
using VaeLab.Data;
using VaeLab.Data.Images;
using VaeLab.Data.Formats;
using VaeLab.Data.QuickDraw;
using VaeLab.Data.Strokes;

namespace VaeLab.Cli;

/// <summary>The smallest and largest of a set of values.</summary>
sealed record ValueRange(double Min, double Max)
{
    public static ValueRange? Of(IEnumerable<double> values)
    {
        double min = double.PositiveInfinity, max = double.NegativeInfinity;
        foreach (var v in values) (min, max) = (Math.Min(min, v), Math.Max(max, v));
        return min <= max ? new ValueRange(min, max) : null;
    }

    public override string ToString() => $"{Number(Min)} .. {Number(Max)}";

    internal static string Number(double v) => v.ToString("0.####", CultureInfo.InvariantCulture);
}

/// <summary>
/// What a data file holds: its format, record counts (per split, or "total"), the longest sequence (points of a
/// drawing, rows of a stroke-3 sketch), value ranges by name, and for stroke data the normalising scale with the
/// data it was fitted on.
/// </summary>
sealed record Inspection(string Format, bool Gzip, IReadOnlyList<(string Split, long Count)> Counts, int? Longest,
    IReadOnlyList<(string Name, ValueRange Range)> Ranges, StrokeScale? Scale = null, string? ScaleFittedOn = null, string? Detail = null)
{
    public IEnumerable<(string Key, string Value)> Lines()
    {
        yield return ("format", Format + (Gzip ? " (gzip-compressed)" : ""));
        if (Detail is not null) yield return ("holds", Detail);
        yield return ("records", string.Join(", ", Counts.Select(c => $"{c.Split} {c.Count}")));
        if (Longest is { } longest) yield return ("longest", $"{longest} points");
        foreach (var (name, range) in Ranges) yield return (name, range.ToString());
        if (Scale is { } scale) yield return ("scale", $"{ValueRange.Number(scale.Xy)} (std of dx, dy over {ScaleFittedOn})");
    }
}

/// <summary>Tells a data file's format from its content (never its name) and summarises it.</summary>
static class DataInspector
{
    const int CifarRecord10 = 1 + Cifar.PixelBytes, CifarRecord100 = 2 + Cifar.PixelBytes;

    public static Inspection Inspect(string path)
    {
        bool gzip;
        byte[] head;
        using (var raw = File.OpenRead(path))
        {
            gzip = raw.ReadByte() == 0x1f && raw.ReadByte() == 0x8b;
            raw.Position = 0;
            using var stream = DataFile.OpenRead(raw, path);
            head = new byte[64];
            head = head[..stream.ReadAtLeast(head, head.Length, throwOnEndOfStream: false)];
        }
        if (head.Length == 0) throw new DataFormatException(path, "content", "the file is empty");
        if (head.AsSpan().StartsWith("PK\x03\x04"u8)) return SketchRnn(path, gzip);
        if (head is [0x93, (byte)'N', (byte)'U', (byte)'M', (byte)'P', (byte)'Y', ..]) return Npy(path, gzip);
        if (head is [0, 0, 0x08, >= 1 and <= 4, ..]) return IdxFile(path, gzip, head[3]);
        if (Encoding.UTF8.GetString(head).TrimStart().StartsWith('{')) return Ndjson(path, gzip);
        var length = DecompressedLength(path);
        if (length % CifarRecord10 == 0 && TryCifar(path, gzip, cifar100: false) is { } cifar10) return cifar10;
        if (length % CifarRecord100 == 0 && TryCifar(path, gzip, cifar100: true) is { } cifar100) return cifar100;
        try { return Drawings(path, gzip, "QuickDraw binary", [.. QuickDrawBinary.Read(path)], timing: false); }
        catch (DataFormatException e)
        {
            throw new DataFormatException(path, "content", "not a format this command knows (QuickDraw ndjson/.bin/.npy/.npz, "
                + $"IDX, CIFAR binary, .npy); read as QuickDraw binary it fails with: {e.Reason}", e);
        }
    }

    static long DecompressedLength(string path)
    {
        using var stream = DataFile.OpenRead(path);
        var buffer = new byte[1 << 16];
        long length = 0;
        while (stream.Read(buffer) is var n and > 0) length += n;
        return length;
    }

    static Inspection SketchRnn(string path, bool gzip)
    {
        var data = SketchRnnNpz.Read(path);
        var splits = new[] { ("train", data.Train), ("valid", data.Valid), ("test", data.Test) };
        var all = splits.SelectMany(s => s.Item2).ToList();
        var fittedOn = data.Train.Count > 0 ? "the train split" : "the whole file";
        return new Inspection("sketch-rnn .npz (stroke-3)", gzip, [.. splits.Select(s => (s.Item1, (long)s.Item2.Count))],
            all.Count > 0 ? all.Max(s => s.Length) : null,
            Ranges(("dx", all.SelectMany(s => Column(s, 0))), ("dy", all.SelectMany(s => Column(s, 1)))),
            all.Count > 0 ? StrokeScale.Fit(data.Train.Count > 0 ? data.Train : all) : null, fittedOn,
            data.Skipped.Count > 0 ? $"{data.Skipped.Count} bad sketches skipped" : null);
    }

    static IEnumerable<double> Column(StrokeRows rows, int column)
    {
        for (var i = 0; i < rows.Length; i++) yield return rows[i, column];
    }

    static Inspection Npy(string path, bool gzip)
    {
        using (var stream = DataFile.OpenRead(path))
        {
            var header = NpyHeader.Read(stream, path);
            if (header.Dtype == NpyDtype.UInt8 && header.Shape is [_, QuickDrawBitmaps.Pixels] && !header.FortranOrder)
            {
                var rows = QuickDrawBitmaps.Read(path);
                return new Inspection("QuickDraw numpy_bitmap .npy (28x28 uint8 rows)", gzip, [("total", header.Shape[0])], null,
                    Ranges(("pixel", rows.SelectMany(r => r.Select(b => (double)b)))));
            }
        }
        var array = NpyFile.Read(path);
        var values = array.Dtype == NpyDtype.Object ? [] : array.ToFloats();
        return new Inspection($".npy array {array.Dtype.Descr()}", gzip, [("total", array.Shape.Length > 0 ? array.Shape[0] : 1)], null,
            Ranges(("value", values.Select(v => (double)v))), Detail: $"shape ({string.Join(", ", array.Shape)})");
    }

    static Inspection IdxFile(string path, bool gzip, int dimensions)
    {
        var array = Idx.Read(path, dimensions);
        var kind = dimensions switch { 1 => "labels", 3 => "images", _ => $"{dimensions}-d array" };
        return new Inspection($"IDX {kind} (uint8)", gzip, [("total", array.Count)], null,
            Ranges((dimensions == 1 ? "label" : "pixel", array.Data.Select(b => (double)b))),
            Detail: $"shape ({string.Join(", ", array.Shape)})");
    }

    static Inspection? TryCifar(string path, bool gzip, bool cifar100)
    {
        var records = Cifar.Read(path, cifar100, new ReadOptions(SkipBadRecords: true));
        var list = records.ToList();
        if (records.Skipped.Count > 0 || list.Count == 0) return null;
        var ranges = cifar100
            ? Ranges(("fine", list.Select(r => (double)r.Label)), ("coarse", list.Select(r => (double)r.CoarseLabel!.Value)))
            : Ranges(("label", list.Select(r => (double)r.Label)));
        ranges.Add(("pixel", ValueRange.Of(list.SelectMany(r => r.Pixels.Select(b => (double)b)))!));
        return new Inspection(cifar100 ? "CIFAR-100 binary" : "CIFAR-10 binary", gzip, [("total", list.Count)], null, ranges,
            Detail: "3x32x32 uint8 images");
    }

    static Inspection Ndjson(string path, bool gzip)
    {
        var drawings = QuickDrawNdjson.Read(path).ToList();
        var timing = drawings.Count > 0 && drawings.All(d => d.HasTiming);
        return Drawings(path, gzip, timing ? "QuickDraw raw ndjson (with timing)" : "QuickDraw simplified ndjson", drawings, timing);
    }

    static Inspection Drawings(string path, bool gzip, string format, IReadOnlyList<Drawing> drawings, bool timing)
    {
        if (drawings.Count == 0) throw new DataFormatException(path, "content", $"read as {format} it holds no drawing");
        var points = drawings.SelectMany(d => d.Strokes).ToList();
        var ranges = Ranges(("x", points.SelectMany(s => s.X.Select(v => (double)v))), ("y", points.SelectMany(s => s.Y.Select(v => (double)v))));
        if (timing) ranges.Add(("t (ms)", ValueRange.Of(points.SelectMany(s => s.T!.Select(v => (double)v)))!));
        var words = drawings.GroupBy(d => d.Word).Select(g => $"{g.Key} {g.Count()}");
        return new Inspection(format, gzip, [("total", drawings.Count)], drawings.Max(d => d.Strokes.Sum(s => s.Length)), ranges,
            StrokeScale.Fit(drawings.Select(d => Stroke3.FromStrokes(d.Strokes))), "the whole file",
            $"words: {string.Join(", ", words)}");
    }

    static List<(string, ValueRange)> Ranges(params (string Name, IEnumerable<double> Values)[] columns) =>
        [.. columns.Select(c => (c.Name, ValueRange.Of(c.Values))).Where(c => c.Item2 is not null).Select(c => (c.Name, c.Item2!))];
}
