using System.Runtime.InteropServices;

namespace VaeLab.Data.Formats;

/// <summary>The element types of .npy arrays that VaeLab reads and writes (all little-endian).</summary>
public enum NpyDtype { UInt8, Int16, Int32, Int64, Float32, Float64, Bool, Object }

public static class NpyDtypeExtensions
{
    /// <summary>The type string numpy writes in .npy headers ("&lt;i2", "|u1", "|O").</summary>
    public static string Descr(this NpyDtype dtype) => dtype switch
    {
        NpyDtype.UInt8 => "|u1",
        NpyDtype.Int16 => "<i2",
        NpyDtype.Int32 => "<i4",
        NpyDtype.Int64 => "<i8",
        NpyDtype.Float32 => "<f4",
        NpyDtype.Float64 => "<f8",
        NpyDtype.Bool => "|b1",
        _ => "|O",
    };

    /// <summary>Bytes per element in a file; object arrays are pickled instead.</summary>
    public static int ItemSize(this NpyDtype dtype) => dtype switch
    {
        NpyDtype.UInt8 or NpyDtype.Bool => 1,
        NpyDtype.Int16 => 2,
        NpyDtype.Int32 or NpyDtype.Float32 => 4,
        NpyDtype.Int64 or NpyDtype.Float64 => 8,
        _ => throw new ArgumentException("object arrays have no fixed item size", nameof(dtype)),
    };

    /// <summary>The .NET element type of <see cref="NpyArray.Data"/>.</summary>
    public static Type ElementType(this NpyDtype dtype) => dtype switch
    {
        NpyDtype.UInt8 => typeof(byte),
        NpyDtype.Int16 => typeof(short),
        NpyDtype.Int32 => typeof(int),
        NpyDtype.Int64 => typeof(long),
        NpyDtype.Float32 => typeof(float),
        NpyDtype.Float64 => typeof(double),
        NpyDtype.Bool => typeof(bool),
        _ => typeof(object),
    };

    /// <summary>
    /// The dtype of a type string: an optional byte order ('&lt;', '|', or '=', as this is a little-endian
    /// machine) and a kind with its size (u1 i2 i4 i8 f4 f8 b1 O). Null for anything else.
    /// </summary>
    public static NpyDtype? FromDescr(string descr)
    {
        var hasOrder = descr.Length > 0 && descr[0] is '<' or '|' or '=' or '>';
        var order = hasOrder ? descr[0] : '=';
        var code = hasOrder ? descr[1..] : descr;
        NpyDtype? dtype = code switch
        {
            "u1" => NpyDtype.UInt8,
            "i2" => NpyDtype.Int16,
            "i4" => NpyDtype.Int32,
            "i8" => NpyDtype.Int64,
            "f4" => NpyDtype.Float32,
            "f8" => NpyDtype.Float64,
            "b1" => NpyDtype.Bool,
            "O" or "O8" => NpyDtype.Object,
            _ => null,
        };
        // Big-endian only matters for multi-byte numbers.
        return order == '>' && dtype is not (NpyDtype.UInt8 or NpyDtype.Bool) ? null : dtype;
    }

    /// <summary>Elements from their little-endian bytes.</summary>
    internal static Array Decode(this NpyDtype dtype, ReadOnlySpan<byte> bytes) => dtype switch
    {
        NpyDtype.UInt8 => bytes.ToArray(),
        NpyDtype.Int16 => MemoryMarshal.Cast<byte, short>(bytes).ToArray(),
        NpyDtype.Int32 => MemoryMarshal.Cast<byte, int>(bytes).ToArray(),
        NpyDtype.Int64 => MemoryMarshal.Cast<byte, long>(bytes).ToArray(),
        NpyDtype.Float32 => MemoryMarshal.Cast<byte, float>(bytes).ToArray(),
        NpyDtype.Float64 => MemoryMarshal.Cast<byte, double>(bytes).ToArray(),
        NpyDtype.Bool => DecodeBools(bytes),
        _ => throw new ArgumentException("object arrays are pickled, not stored as bytes", nameof(dtype)),
    };

    static bool[] DecodeBools(ReadOnlySpan<byte> bytes)
    {
        var values = new bool[bytes.Length];
        for (var i = 0; i < values.Length; i++) values[i] = bytes[i] != 0;
        return values;
    }

    /// <summary>The little-endian bytes of elements.</summary>
    internal static byte[] Encode(Array data) => data switch
    {
        byte[] v => v,
        short[] v => MemoryMarshal.AsBytes(v.AsSpan()).ToArray(),
        int[] v => MemoryMarshal.AsBytes(v.AsSpan()).ToArray(),
        long[] v => MemoryMarshal.AsBytes(v.AsSpan()).ToArray(),
        float[] v => MemoryMarshal.AsBytes(v.AsSpan()).ToArray(),
        double[] v => MemoryMarshal.AsBytes(v.AsSpan()).ToArray(),
        bool[] v => v.Select(b => b ? (byte)1 : (byte)0).ToArray(),
        _ => throw new ArgumentException($"{data.GetType().Name} arrays cannot be stored as bytes", nameof(data)),
    };
}
