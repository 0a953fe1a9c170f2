using VaeLab.Data;
using VaeLab.Data.QuickDraw;

namespace VaeLab.Tests.Data.QuickDraw;

public class QuickDrawBitmapsTests
{
    [Theory]
    [InlineData("bitmap.npy")]
    [InlineData("bitmap_gzip.npy")]
    public void ReadsRowsOf784Pixels(string file)
    {
        var expected = DataFixtures.Expected.GetProperty("bitmaps").EnumerateArray()
            .Select(row => row.EnumerateArray().Select(v => (byte)v.GetInt32()).ToArray()).ToList();
        Assert.Equal(expected, QuickDrawBitmaps.Read(DataFixtures.PathOf(file)).ToList());
    }

    [Fact]
    public void ATruncatedFileIsReportedAtTheMissingRow()
    {
        var bytes = DataFixtures.Bytes("bitmap.npy")[..^100];
        var error = Assert.Throws<DataFormatException>(() => QuickDrawBitmaps.Read(() => new MemoryStream(bytes), "cat.npy").ToList());
        Assert.Equal("row 2", error.Location);
        var rows = QuickDrawBitmaps.Read(() => new MemoryStream(bytes), "cat.npy", new ReadOptions(SkipBadRecords: true));
        Assert.Equal(2, rows.Count());
        Assert.Equal(1, rows.Skipped.Count);
    }

    [Fact]
    public void OtherArraysAreRefusedByTheirHeader()
    {
        var error = Assert.Throws<DataFormatException>(() => QuickDrawBitmaps.Read(DataFixtures.PathOf("npy_i2_c.npy")).ToList());
        Assert.Equal("header", error.Location);
        Assert.Contains("(N, 784)", error.Reason);
    }
}
