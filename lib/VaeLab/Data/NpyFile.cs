namespace VaeLab.Data;

/// <summary>
/// Reads and writes whole .npy files (numpy.save / numpy.load): plain arrays of the dtypes in
/// <see cref="NpyDtype"/> in C or Fortran order, and object arrays stored as pickles (read only).
/// Arrays come back in C order whatever order the file used.
/// </summary>
public static class NpyFile
{
    // Without a known length (gzip data) the data is read in pieces, so that a corrupt shape cannot
    // make us allocate gigabytes before finding the file too short.
    const int Piece = 1 << 20;

    public static NpyArray Read(string path)
    {
        using var stream = DataFile.OpenRead(path);
        return Read(stream, path);
    }

    /// <summary>Reads an array from <paramref name="stream"/> (not decompressed: see <see cref="DataFile.OpenRead(Stream, string)"/>).</summary>
    public static NpyArray Read(Stream stream, string name)
    {
        var header = NpyHeader.Read(stream, name);
        if (header.Dtype == NpyDtype.Object) return ReadPickled(stream, name, header);
        var bytes = ReadData(stream, name, header.Count * header.Dtype.ItemSize(), "data");
        var data = header.Dtype.Decode(bytes);
        return new NpyArray(header.FortranOrder ? FortranToC(data, header.Shape) : data, header.Shape);
    }

    static NpyArray ReadPickled(Stream stream, string name, NpyHeader header)
    {
        using var rest = new MemoryStream();
        stream.CopyTo(rest);
        var value = NumpyPickle.Load(rest.ToArray(), name);
        if (value is not NpyArray { Dtype: NpyDtype.Object } array)
            throw new DataFormatException(name, "data", $"the pickle holds {NumpyPickle.Describe(value)}, not an object array");
        if (!array.Shape.SequenceEqual(header.Shape))
            throw new DataFormatException(name, "data", $"the pickled array has shape ({string.Join(", ", array.Shape)}) but the header says ({string.Join(", ", header.Shape)})");
        return array;
    }

    /// <summary>Reads exactly <paramref name="count"/> bytes; a DataFormatException names <paramref name="what"/> when the file ends first.</summary>
    static byte[] ReadData(Stream stream, string name, long count, string what)
    {
        if (count > Array.MaxLength) throw new DataFormatException(name, what, $"{count} bytes is too large for one array");
        var truncated = $"the file ends before the {count} bytes the header announces (truncated)";
        if (stream.CanSeek && stream.Length - stream.Position < count) throw new DataFormatException(name, what, truncated);
        var bytes = new byte[stream.CanSeek ? count : Math.Min(count, Piece)];
        var filled = 0;
        while (filled < count)
        {
            if (filled == bytes.Length) Array.Resize(ref bytes, (int)Math.Min(count, 2L * bytes.Length));
            var n = stream.Read(bytes, filled, bytes.Length - filled);
            if (n == 0) throw new DataFormatException(name, what, truncated);
            filled += n;
        }
        return bytes;
    }

    /// <summary>Reorders elements stored column-major (Fortran) for <paramref name="shape"/> into row-major (C) order.</summary>
    internal static Array FortranToC(Array fortran, long[] shape) => Reorder(fortran, shape, toFortran: false);

    static Array Reorder(Array source, long[] shape, bool toFortran)
    {
        var result = Array.CreateInstance(source.GetType().GetElementType()!, source.Length);
        // Walk C order with a counter per dimension; fortranIndex follows with Fortran strides.
        var strides = new long[shape.Length];
        for (long d = 0, stride = 1; d < shape.Length; stride *= shape[d], d++) strides[d] = stride;
        var index = new long[shape.Length];
        long fortranIndex = 0;
        for (long c = 0; c < source.Length; c++)
        {
            if (toFortran) Array.Copy(source, c, result, fortranIndex, 1);
            else Array.Copy(source, fortranIndex, result, c, 1);
            for (var d = shape.Length - 1; d >= 0; d--)
            {
                fortranIndex += strides[d];
                if (++index[d] < shape[d]) break;
                fortranIndex -= strides[d] * shape[d];
                index[d] = 0;
            }
        }
        return result;
    }

    public static void Write(string path, NpyArray array, bool fortranOrder = false)
    {
        using var stream = File.Create(path);
        Write(stream, array, fortranOrder);
    }

    /// <summary>Writes a plain (not object) array, in Fortran order when asked, as numpy.save would.</summary>
    public static void Write(Stream stream, NpyArray array, bool fortranOrder = false)
    {
        if (array.Dtype == NpyDtype.Object) throw new ArgumentException("object arrays cannot be written (that needs a pickler)", nameof(array));
        new NpyHeader(array.Dtype, fortranOrder, array.Shape).Write(stream);
        stream.Write(NpyDtypeExtensions.Encode(fortranOrder ? Reorder(array.Data, array.Shape, toFortran: true) : array.Data));
    }
}
