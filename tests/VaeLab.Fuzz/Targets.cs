using System.Buffers.Binary;
using ICSharpCode.SharpZipLib.Checksum;
using VaeLab.Data;
using VaeLab.Data.Images;
using VaeLab.Torch;
using VaeLab.Data.Formats;
using VaeLab.Data.Hershey;
using VaeLab.Data.QuickDraw;

namespace VaeLab.Fuzz;

/// <summary>
/// A loader under test: the files its mutated inputs start from, how it reads one file (the whole of it: record
/// streams are enumerated), and optionally a repair applied after mutating (fixing checksums, so that mutations
/// reach the parser behind them rather than stopping at the checksum).
/// </summary>
sealed record Target(string Name, IReadOnlyList<string> Seeds, Action<string, ReadOptions> Load, Func<byte[], byte[]>? Repair = null);

static class Targets
{
    /// <summary>Every loader, its seeds taken from the repository's fixtures (and Debian's Hershey fonts).</summary>
    public static IReadOnlyList<Target> All(string repository)
    {
        var data = Path.Combine(repository, "tests", "fixtures", "data");
        var images = Path.Combine(data, "images");
        string[] Files(string folder, string pattern) => [.. Directory.GetFiles(folder, pattern, SearchOption.AllDirectories).Order(StringComparer.Ordinal)];
        string[] In(string folder, params string[] names) => [.. names.Select(n => Path.Combine(folder, n))];
        return
        [
            new("npy", In(data, "npy_f8_f.npy", "npy_b1_c.npy", "npy_v3.npy", "npy_i2_f.npy", "npy_scalar.npy", "npy_empty.npy"),
                (path, _) => NpyFile.Read(path), RepairNpyHeaderLength),
            new("npz", Files(data, "sketchrnn_*.npz"), (path, options) => SketchRnnNpz.Read(path, options)),
            new("quickdraw-ndjson", In(data, "raw.ndjson", "simplified.ndjson.gz"), (path, options) => QuickDrawNdjson.Read(path, options).Count()),
            new("quickdraw-bin", In(data, "cat.bin", "cat.bin.gz"), (path, options) => QuickDrawBinary.Read(path, "cat", options).Count()),
            new("quickdraw-bitmap", In(data, "bitmap.npy", "bitmap_gzip.npy"), (path, options) => QuickDrawBitmaps.Read(path, options).Count(),
                RepairNpyHeaderLength),
            new("idx", Files(Path.Combine(images, "idx"), "*ubyte"), (path, _) => Idx.Read(path, path.Contains("labels") ? 1 : 3)),
            new("cifar", Files(images, "*.bin"), (path, options) => Cifar.Read(path, path.Contains("cifar-100"), options).Count()),
            new("png", Files(Path.Combine(images, "png"), "*.png"), (path, _) => ImageFile.Read(path), RepairPngChecksums),
            new("jpeg", Files(Path.Combine(images, "jpeg"), "*.jpg"), (path, _) => ImageFile.Read(path)),
            new("safetensors", In(Path.Combine(repository, "tests", "fixtures", "torch"), "example.safetensors"), (path, _) =>
            {
                foreach (var tensor in safetensors.load_file(path).Values) tensor.Dispose();
            }),
            new("hershey", In(HersheyFont.DebianDirectory, "rowmans.jhf", "scripts.jhf"), (path, _) => HersheyFont.Read(path)),
        ];
    }

    /// <summary>Makes the header length of a .npy file (gzip data is left alone) reach the header's first line end, as far as the field can.</summary>
    static byte[] RepairNpyHeaderLength(byte[] npy)
    {
        var prefix = npy.Length > 6 && npy[6] == 1 ? 10 : 12;
        if (npy.Length < prefix || npy[0] != 0x93) return npy;
        var end = Array.IndexOf(npy, (byte)'\n', prefix);
        if (end < 0) return npy;
        var length = (uint)(end + 1 - prefix);
        if (prefix == 10) BinaryPrimitives.WriteUInt16LittleEndian(npy.AsSpan(8), (ushort)Math.Min(length, ushort.MaxValue));
        else BinaryPrimitives.WriteUInt32LittleEndian(npy.AsSpan(8), length);
        return npy;
    }

    /// <summary>Recomputes the CRC of every chunk whose length still fits the file (with SharpZipLib's CRC-32, which TorchSharp brings).</summary>
    static byte[] RepairPngChecksums(byte[] png)
    {
        for (var position = 8; position + 12 <= png.Length;)
        {
            var length = (long)BinaryPrimitives.ReadUInt32BigEndian(png.AsSpan(position));
            if (position + 12 + length > png.Length) break;
            var crc = new Crc32();
            crc.Update(new ArraySegment<byte>(png, position + 4, 4 + (int)length));
            BinaryPrimitives.WriteUInt32BigEndian(png.AsSpan(position + 8 + (int)length), (uint)crc.Value);
            position += 12 + (int)length;
        }
        return png;
    }
}
