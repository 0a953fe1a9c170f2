using System.IO.Compression;
using VaeLab.Data.Formats;
using VaeLab.Data.Strokes;

namespace VaeLab.Data.QuickDraw;

/// <summary>The three splits of a sketch-rnn .npz file, and the bad sketches skipped while reading it.</summary>
public sealed record SketchRnnData(IReadOnlyList<Stroke3> Train, IReadOnlyList<Stroke3> Valid, IReadOnlyList<Stroke3> Test, BadRecords Skipped);

/// <summary>
/// Sketch-rnn's .npz files (<c>sketchrnn/&lt;word&gt;.npz</c>): a zip of train.npy, valid.npy and test.npy, each
/// an object array of (L, 3) stroke-3 arrays (int16, or float64 in some community files) pickled inside the .npy.
/// A split whose sketches all have one length may instead be a plain (N, L, 3) array; both are read.
/// </summary>
public static class SketchRnnNpz
{
    public static readonly IReadOnlyList<string> Splits = ["train", "valid", "test"];

    public static SketchRnnData Read(string path, ReadOptions? options = null)
    {
        using var stream = DataFile.OpenRead(path);
        return Read(stream, path, options);
    }

    /// <summary>Reads from <paramref name="stream"/>, which may be gzip data (see <see cref="DataFile.OpenRead(Stream, string)"/>).</summary>
    public static SketchRnnData Read(Stream stream, string name, ReadOptions? options = null)
    {
        var bad = new BadRecords(options);
        var splits = new List<Stroke3>[Splits.Count];
        using var seekable = stream.CanSeek ? null : new MemoryStream();
        if (seekable is not null)
        {
            stream.CopyTo(seekable);
            seekable.Position = 0;
        }
        try
        {
            using var zip = new ZipArchive(seekable ?? stream, ZipArchiveMode.Read, leaveOpen: true);
            for (var i = 0; i < Splits.Count; i++)
            {
                var entryName = Splits[i] + ".npy";
                var entry = zip.GetEntry(entryName) ?? throw new DataFormatException(name, entryName, "missing from the archive");
                splits[i] = ReadSplit(ReadEntry(entry, name), $"{name}/{entryName}", Splits[i], bad);
            }
        }
        catch (InvalidDataException e) { throw new DataFormatException(name, "zip archive", e.Message, e); }
        return new SketchRnnData(splits[0], splits[1], splits[2], bad);
    }

    static byte[] ReadEntry(ZipArchiveEntry entry, string name)
    {
        if (entry.Length > Array.MaxLength) throw new DataFormatException(name, entry.FullName, $"{entry.Length} bytes is too large");
        using var content = entry.Open();
        // The size comes from the zip directory, which may lie: the bytes are taken as they inflate.
        var bytes = StreamBytes.ReadExactly(content, entry.Length,
            n => new DataFormatException(name, entry.FullName, $"the entry inflates to {n} bytes, not the {entry.Length} its directory entry says (corrupt)"));
        if (content.ReadByte() >= 0)
            throw new DataFormatException(name, entry.FullName, $"the entry inflates to more than the {entry.Length} bytes its directory entry says (corrupt)");
        // .NET does not check the CRC of zip entries, and a flipped byte in a pickle can still unpickle.
        if (Crc32.Append(0, bytes) != entry.Crc32)
            throw new DataFormatException(name, entry.FullName, "the entry's CRC-32 does not match its content (corrupt)");
        return bytes;
    }

    static List<Stroke3> ReadSplit(byte[] npy, string name, string split, BadRecords bad)
    {
        var array = NpyFile.Read(new MemoryStream(npy), name);
        var sketches = new List<Stroke3>();
        if (array.Dtype != NpyDtype.Object)
        {
            if (array.Shape is not [_, _, 3] || array.Dtype == NpyDtype.Bool)
                throw new DataFormatException(name, "data", $"expected an object array of sketches or numbers of shape (N, L, 3), found {array}");
            var values = array.ToFloats();
            var size = (int)(array.Shape[1] * 3);
            for (var i = 0; i < array.Shape[0]; i++) sketches.Add(new Stroke3(values[(i * size)..((i + 1) * size)]));
            return sketches;
        }
        var items = array.Values<object?>();
        for (var i = 0; i < items.Length; i++)
        {
            if (items[i] is NpyArray { Shape: [_, 3], Dtype: not (NpyDtype.Object or NpyDtype.Bool) } sketch) sketches.Add(new Stroke3(sketch.ToFloats()));
            else bad.Skip(new DataFormatException(name, $"{split}[{i}]", $"expected a numeric (L, 3) array, found {NumpyPickle.Describe(items[i])}"));
        }
        return sketches;
    }
}
