namespace VaeLab.Data.Formats;

/// <summary>
/// A numpy array in memory: its shape and its elements flat in C (row-major) order, as a typed .NET array
/// (byte[], short[], int[], long[], float[], double[], bool[], or object?[] for pickled object arrays).
/// </summary>
public sealed class NpyArray
{
    public NpyArray(Array data, params long[] shape)
    {
        Dtype = DtypeOf(data) ?? throw new ArgumentException($"{data.GetType().Name} is not an element type of .npy files", nameof(data));
        if (shape.Any(n => n < 0)) throw new ArgumentException($"shape ({string.Join(", ", shape)}) has a negative size", nameof(shape));
        var count = shape.Aggregate(1L, (a, n) => a * n);
        if (count != data.Length)
            throw new ArgumentException($"shape ({string.Join(", ", shape)}) needs {count} elements but data has {data.Length}", nameof(shape));
        Data = data;
        Shape = shape;
    }

    public NpyDtype Dtype { get; }
    public long[] Shape { get; }
    public Array Data { get; }
    public long Count => Data.Length;

    /// <summary>The elements as <typeparamref name="T"/>[]; an InvalidCastException names both types when they differ.</summary>
    public T[] Values<T>() => Data as T[] ??
        throw new InvalidCastException($"the array holds {Dtype.ElementType().Name} ({Dtype.Descr()}), not {typeof(T).Name}");

    /// <summary>Every element converted to float (numeric and bool arrays).</summary>
    public float[] ToFloats() => Data switch
    {
        byte[] v => Array.ConvertAll(v, x => (float)x),
        short[] v => Array.ConvertAll(v, x => (float)x),
        int[] v => Array.ConvertAll(v, x => (float)x),
        long[] v => Array.ConvertAll(v, x => (float)x),
        float[] v => (float[])v.Clone(),
        double[] v => Array.ConvertAll(v, x => (float)x),
        bool[] v => Array.ConvertAll(v, x => x ? 1f : 0f),
        _ => throw new InvalidCastException("an object array has no numeric values"),
    };

    static NpyDtype? DtypeOf(Array data) => data switch
    {
        byte[] => NpyDtype.UInt8,
        short[] => NpyDtype.Int16,
        int[] => NpyDtype.Int32,
        long[] => NpyDtype.Int64,
        float[] => NpyDtype.Float32,
        double[] => NpyDtype.Float64,
        bool[] => NpyDtype.Bool,
        _ when data.GetType() == typeof(object[]) => NpyDtype.Object,
        _ => null,
    };

    public override string ToString() => $"array({Dtype.Descr()}, shape=({string.Join(", ", Shape)}))";
}
