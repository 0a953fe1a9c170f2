using VaeLab.Data.Formats;
namespace VaeLab.Data.QuickDraw;

/// <summary>
/// QuickDraw's numpy_bitmap files (<c>full/numpy_bitmap/&lt;word&gt;.npy</c>): an N x 784 uint8 array, one
/// 28x28 image per row (white strokes, 255, on black, 0). Rows are read one at a time.
/// </summary>
public static class QuickDrawBitmaps
{
    public const int Side = 28;
    public const int Pixels = Side * Side;

    public static RecordStream<byte[]> Read(string path, ReadOptions? options = null) =>
        Read(() => File.OpenRead(path), path, options);

    /// <summary>Reads from the seekable stream <paramref name="open"/> returns on each enumeration.</summary>
    public static RecordStream<byte[]> Read(Func<Stream> open, string name, ReadOptions? options = null) =>
        new(options, bad => ReadRows(bad, open, name));

    static IEnumerable<byte[]> ReadRows(BadRecords bad, Func<Stream> open, string name)
    {
        using var stream = DataFile.OpenRead(open(), name);
        var header = NpyHeader.Read(stream, name);
        if (header.Dtype != NpyDtype.UInt8 || header.Shape is not [_, Pixels] || header.FortranOrder)
            throw new DataFormatException(name, "header", $"expected a C-order uint8 array of shape (N, {Pixels}), found {header.Dtype.Descr()} ({string.Join(", ", header.Shape)}){(header.FortranOrder ? " in Fortran order" : "")}");
        for (var i = 0L; i < header.Shape[0]; i++)
        {
            var row = new byte[Pixels];
            if (stream.ReadAtLeast(row, Pixels, throwOnEndOfStream: false) < Pixels)
            {
                bad.Skip(new DataFormatException(name, $"row {i}", $"the file ends before the {header.Shape[0]} rows the header announces (truncated)"));
                yield break;
            }
            yield return row;
        }
    }
}
