using System.Text;
using VaeLab.Data;
using VaeLab.Data.Formats;

namespace VaeLab.Tests.Data.Formats;

public class NpyFileTests
{
    public static TheoryData<string> NumpyFiles() => [.. DataFixtures.Expected.GetProperty("npy").EnumerateObject().Select(p => p.Name)];

    [Theory]
    [MemberData(nameof(NumpyFiles))]
    public void ReadsWhatNumpyWroteInCOrder(string file)
    {
        var expected = DataFixtures.Expected.GetProperty("npy").GetProperty(file);
        var array = NpyFile.Read(DataFixtures.PathOf(file));
        Assert.Equal(expected.GetProperty("descr").GetString(), array.Dtype.Descr());
        Assert.Equal(expected.GetProperty("shape").EnumerateArray().Select(v => v.GetInt64()), array.Shape);
        var values = expected.GetProperty("values").EnumerateArray().ToList();
        Assert.Equal(values.Count, array.Count);
        for (var i = 0; i < values.Count; i++)
        {
            // Exact: int64 extremes and float32 values must survive without rounding.
            var actual = array.Data.GetValue(i)!;
            switch (actual)
            {
                case bool b: Assert.Equal(values[i].GetBoolean(), b); break;
                case float f: Assert.Equal(values[i].GetDouble(), (double)f); break;
                case double d: Assert.Equal(values[i].GetDouble(), d); break;
                default: Assert.Equal(values[i].GetInt64(), Convert.ToInt64(actual)); break;
            }
        }
    }

    [Theory]
    [MemberData(nameof(NumpyFiles))]
    public void WritesTheSameBytesAsNumpyForVersion1(string file)
    {
        var expected = DataFixtures.Expected.GetProperty("npy").GetProperty(file);
        if (expected.GetProperty("version")[0].GetInt32() != 1) return;
        var array = NpyFile.Read(DataFixtures.PathOf(file));
        using var output = new MemoryStream();
        NpyFile.Write(output, array, expected.GetProperty("fortran_order").GetBoolean());
        Assert.Equal(DataFixtures.Bytes(file), output.ToArray());
    }

    public static TheoryData<Array> Arrays() =>
    [
        new byte[] { 0, 1, 255, 7, 9, 12 },
        new short[] { short.MinValue, -1, 0, 1, 2, short.MaxValue },
        new int[] { int.MinValue, -5, 0, 3, 4, int.MaxValue },
        new long[] { long.MinValue, -5, 0, 3, 4, long.MaxValue },
        new float[] { float.MinValue, -0.5f, 0, float.Epsilon, float.NaN, float.PositiveInfinity },
        new double[] { double.MinValue, -0.25, 0, double.Epsilon, double.NaN, double.NegativeInfinity },
        new bool[] { true, false, false, true, true, false },
    ];

    [Theory]
    [MemberData(nameof(Arrays))]
    public void RoundTripsEveryDtypeInBothOrders(Array data)
    {
        foreach (var shape in new long[][] { [6], [2, 3], [3, 2, 1], [1, 2, 3] })
        foreach (var fortran in new[] { false, true })
        {
            using var stream = new MemoryStream();
            NpyFile.Write(stream, new NpyArray(data, shape), fortran);
            Assert.Equal(0, (stream.Length - data.Length * new NpyArray(data, shape).Dtype.ItemSize()) % 64); // data aligned as numpy aligns it
            stream.Position = 0;
            var back = NpyFile.Read(stream, "mem.npy");
            Assert.Equal(shape, back.Shape);
            Assert.Equal(data, back.Data);
        }
    }

    [Fact]
    public void FortranOrderIsTransposedOnDisk()
    {
        using var stream = new MemoryStream();
        NpyFile.Write(stream, new NpyArray(new int[] { 1, 2, 3, 4, 5, 6 }, 2, 3), fortranOrder: true);
        var bytes = stream.ToArray();
        var onDisk = Enumerable.Range(0, 6).Select(i => BitConverter.ToInt32(bytes, bytes.Length - 24 + 4 * i));
        Assert.Equal([1, 4, 2, 5, 3, 6], onDisk);
        Assert.Contains("'fortran_order': True", Encoding.Latin1.GetString(bytes));
    }

    static DataFormatException ReadError(byte[] bytes) =>
        Assert.Throws<DataFormatException>(() => NpyFile.Read(new MemoryStream(bytes), "x.npy"));

    static byte[] WithHeader(string dict)
    {
        var header = Encoding.Latin1.GetBytes(dict + "\n");
        return [0x93, .. "NUMPY"u8, 1, 0, (byte)header.Length, (byte)(header.Length >> 8), .. header, .. new byte[64]];
    }

    [Theory]
    [InlineData("{'descr': '>i4', 'fortran_order': False, 'shape': (2,), }", "unsupported dtype '>i4'")]
    [InlineData("{'descr': '<c8', 'fortran_order': False, 'shape': (2,), }", "unsupported dtype '<c8'")]
    [InlineData("{'descr': [('a', '<i4')], 'fortran_order': False, 'shape': (2,), }", "structured dtypes")]
    [InlineData("{'descr': '<i4', 'fortran_order': False, 'shape': (-2,), }", "negative size")]
    [InlineData("{'descr': '<i4', 'fortran_order': 0, 'shape': (2,), }", "fortran_order")]
    [InlineData("{'descr': '<i4', 'shape': (2,), }", "header keys")]
    [InlineData("{'descr': '<i4', 'fortran_order': False, 'shape': (2,)", "expected '}'")]
    [InlineData("{'descr': '<i4', 'fortran_order': False, 'shape': (99999999999, 99999999999), }", "too large")]
    public void BadHeadersAreReportedWithTheReason(string dict, string reason)
    {
        var error = ReadError(WithHeader(dict));
        Assert.Equal("header", error.Location);
        Assert.Contains(reason, error.Reason);
    }

    [Fact]
    public void Python2LongDimensionsAreRead()
    {
        var array = NpyFile.Read(new MemoryStream(WithHeader("{'descr': '<i2', 'fortran_order': False, 'shape': (2L, 3L), }")), "x.npy");
        Assert.Equal([2L, 3L], array.Shape);
    }

    [Fact]
    public void TruncatedDataAndMissingMagicAreReported()
    {
        var bytes = DataFixtures.Bytes("npy_f8_c.npy");
        Assert.Contains("truncated", ReadError(bytes[..^1]).Reason);
        Assert.Contains("truncated", ReadError(bytes[..20]).Reason);
        Assert.Contains("magic", ReadError(Encoding.ASCII.GetBytes("PK\u0003\u0004 not npy")).Reason);
    }

    [Fact]
    public void ObjectArraysCannotBeWritten()
    {
        Assert.Throws<ArgumentException>(() => NpyFile.Write(new MemoryStream(), new NpyArray(new object?[] { 1L }, 1)));
    }
}
