namespace VaeLab.Data.Formats;

/// <summary>
/// Reads and writes whole .npy files (numpy.save / numpy.load): plain arrays of the dtypes in
/// <see cref="NpyDtype"/> in C or Fortran order, and object arrays stored as pickles (read only).
/// Arrays come back in C order whatever order the file used.
/// </summary>
public static class NpyFile
{
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
        var bytes = ReadData(stream, name, header.DataBytes);
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

    static byte[] ReadData(Stream stream, string name, long count)
    {
        if (count > Array.MaxLength) throw new DataFormatException(name, "data", $"{count} bytes is too large for one array");
        return StreamBytes.ReadExactly(stream, count,
            _ => new DataFormatException(name, "data", $"the file ends before the {count} bytes the header announces (truncated)"));
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
