using VaeLab.Data;
using VaeLab.Data.QuickDraw;

namespace VaeLab.Tests.Data.QuickDraw;

public class QuickDrawBinaryTests
{
    [Theory]
    [InlineData("cat.bin")]
    [InlineData("cat.bin.gz")]
    public void ReadsRecordsPackedWithPythonsStruct(string file)
    {
        var drawings = QuickDrawBinary.Read(DataFixtures.PathOf(file)).ToList();
        Assert.Equal(DataFixtures.ExpectedDrawings("bin"), drawings);
        Assert.All(drawings, d => Assert.Equal("cat", d.Word));
    }

    [Fact]
    public void WritesTheSameBytesAsGooglesLayout()
    {
        using var output = new MemoryStream();
        QuickDrawBinary.Write(output, DataFixtures.ExpectedDrawings("bin"));
        Assert.Equal(DataFixtures.Bytes("cat.bin"), output.ToArray());
    }

    [Fact]
    public void RoundTripsSimplifiedDrawingsGzipped()
    {
        var directory = Directory.CreateTempSubdirectory("vaelab-").FullName;
        var path = Path.Combine(directory, "dog.bin.gz");
        try
        {
            // Simplified ndjson holds what the binary format holds, except sub-second timestamps.
            var drawings = DataFixtures.ExpectedDrawings("simplified")
                .Select(d => d with { Word = "dog", Timestamp = DateTimeOffset.FromUnixTimeSeconds(d.Timestamp!.Value.ToUnixTimeSeconds()) }).ToList();
            QuickDrawBinary.Write(path, drawings, gzip: true);
            Assert.Equal(drawings, QuickDrawBinary.Read(path).ToList());
        }
        finally { Directory.Delete(directory, recursive: true); }
    }

    [Fact]
    public void RefusesToWriteWhatTheFormatCannotHold()
    {
        var drawing = DataFixtures.ExpectedDrawings("bin")[0];
        var cases = new[]
        {
            drawing with { KeyId = "abc" },
            drawing with { CountryCode = "USA" },
            drawing with { Timestamp = drawing.Timestamp!.Value.AddMilliseconds(5) },
            drawing with { Strokes = [new Stroke([1.5f], [2])] },
            drawing with { Strokes = [new Stroke([256], [2])] },
        };
        foreach (var bad in cases)
        {
            var error = Assert.Throws<ArgumentException>(() => QuickDrawBinary.Write(new MemoryStream(), [bad]));
            Assert.Contains(bad.KeyId, error.Message);
        }
    }

    static RecordStream<Drawing> ReadBytes(byte[] bytes, ReadOptions? options = null) =>
        QuickDrawBinary.Read(() => new MemoryStream(bytes), "cat.bin", "cat", options);

    [Fact]
    public void TruncationAnywhereInARecordIsReportedWithTheRecordNumber()
    {
        var bytes = DataFixtures.Bytes("cat.bin");
        var whole = ReadBytes(bytes).Count();
        for (var cut = 1; cut < bytes.Length; cut++)
        {
            var records = ReadBytes(bytes[..cut], new ReadOptions(SkipBadRecords: true));
            var read = records.Count();
            if (records.Skipped.Count == 0) continue; // the cut fell between records
            Assert.Equal(1, records.Skipped.Count);
            Assert.Equal($"record {read + 1}", records.Skipped.Errors[0].Location);
            Assert.Contains("truncated", records.Skipped.Errors[0].Reason);
            Assert.Throws<DataFormatException>(() => ReadBytes(bytes[..cut]).ToList());
        }
        Assert.Equal(5, whole);
    }

    [Fact]
    public void ABadFieldSkipsOnlyItsRecord()
    {
        var bytes = DataFixtures.Bytes("cat.bin");
        bytes[10] = 7; // recognized of the first record
        var error = Assert.Throws<DataFormatException>(() => ReadBytes(bytes).ToList());
        Assert.Equal("record 1", error.Location);
        Assert.Contains("recognized is 7", error.Reason);
        var records = ReadBytes(bytes, new ReadOptions(SkipBadRecords: true));
        Assert.Equal(DataFixtures.ExpectedDrawings("bin").Skip(1), records.ToList());
        Assert.Equal(1, records.Skipped.Count);
    }
}
