using System.IO.Compression;
using System.Text;
using VaeLab.Data;

namespace VaeLab.Tests.Data;

public class QuickDrawNdjsonTests
{
    [Theory]
    [InlineData("raw.ndjson", "raw")]
    [InlineData("raw_gzip_named_plain.ndjson", "raw")]
    [InlineData("simplified.ndjson", "simplified")]
    [InlineData("simplified.ndjson.gz", "simplified")]
    public void ReadsGoogleLayoutPlainOrGzipByContent(string file, string group)
    {
        var drawings = QuickDrawNdjson.Read(DataFixtures.PathOf(file)).ToList();
        Assert.Equal(DataFixtures.ExpectedDrawings(group), drawings);
        Assert.Equal(group == "raw", drawings.All(d => d.HasTiming));
    }

    [Fact]
    public void WritesWhatItReadsBackForRawAndSimplifiedPlainAndGzip()
    {
        foreach (var group in new[] { "raw", "simplified" })
        foreach (var gzip in new[] { false, true })
        {
            var path = Path.GetTempFileName();
            try
            {
                var drawings = DataFixtures.ExpectedDrawings(group);
                QuickDrawNdjson.Write(path, drawings, gzip);
                Assert.Equal(gzip, File.ReadAllBytes(path)[0] == 0x1f);
                Assert.Equal(drawings, QuickDrawNdjson.Read(path).ToList());
            }
            finally { File.Delete(path); }
        }
    }

    [Fact]
    public void WritesTheSameLinesAsPythonsJsonDumps()
    {
        using var output = new MemoryStream();
        QuickDrawNdjson.Write(output, DataFixtures.ExpectedDrawings("simplified"));
        Assert.Equal(File.ReadAllText(DataFixtures.PathOf("simplified.ndjson")), Encoding.UTF8.GetString(output.ToArray()));
    }

    static string[] Lines() => File.ReadAllLines(DataFixtures.PathOf("simplified.ndjson"));

    static RecordStream<Drawing> ReadText(string text, ReadOptions? options = null) =>
        QuickDrawNdjson.Read(() => new MemoryStream(Encoding.UTF8.GetBytes(text)), "cat.ndjson", options);

    [Theory]
    [InlineData("{\"word\":", "invalid JSON")]
    [InlineData("[1,2]", "expected a JSON object")]
    [InlineData("{\"word\":\"cat\"}", "missing \"drawing\"")]
    public void ABadLineNamesTheFileAndLine(string badLine, string reason)
    {
        var lines = Lines();
        lines[2] = badLine;
        var error = Assert.Throws<DataFormatException>(() => ReadText(string.Join("\n", lines)).ToList());
        Assert.Equal("cat.ndjson", error.File);
        Assert.Equal("line 3", error.Location);
        Assert.Contains(reason, error.Reason);
        Assert.StartsWith("cat.ndjson: line 3: ", error.Message);
    }

    [Theory]
    [InlineData("[[[1,2],[3]]]", "2/1 values of x/y")]
    [InlineData("[[[1,2]]]", "is not [[x...],[y...]]")]
    [InlineData("[[[1,\"a\"],[3,4]]]", "x[1] is not a finite number")]
    public void StrokesWithMismatchedOrNonNumericValuesAreBad(string drawing, string reason)
    {
        var line = Lines()[0];
        var start = line.IndexOf("\"drawing\":", StringComparison.Ordinal) + "\"drawing\":".Length;
        var error = Assert.Throws<DataFormatException>(() => ReadText(line[..start] + drawing + "}").ToList());
        Assert.Contains(reason, error.Reason);
    }

    [Fact]
    public void SkippingBadLinesCountsThemAndKeepsTheRest()
    {
        var lines = Lines().ToList();
        lines.Insert(1, "not json");
        lines.Insert(4, "{\"word\":\"cat\"}");
        var records = ReadText(string.Join("\n", lines) + "\n\n", new ReadOptions(SkipBadRecords: true));
        Assert.Equal(DataFixtures.ExpectedDrawings("simplified"), records.ToList());
        Assert.Equal(2, records.Skipped.Count);
        Assert.Equal(["line 2", "line 5"], records.Skipped.Errors.Select(e => e.Location));
        // A second enumeration counts afresh.
        Assert.Equal(5, records.Count());
        Assert.Equal(2, records.Skipped.Count);
    }

    [Fact]
    public void TruncatedGzipIsDetectedEvenWhenTheCutFallsOnALineEnd()
    {
        var bytes = DataFixtures.Bytes("simplified.ndjson.gz");
        foreach (var cut in new[] { bytes.Length - 1, bytes.Length - 8, bytes.Length / 2, 12 })
        {
            var cutBytes = bytes[..cut];
            var error = Assert.Throws<DataFormatException>(() =>
                QuickDrawNdjson.Read(() => new MemoryStream(cutBytes), "cat.ndjson.gz", new ReadOptions(SkipBadRecords: true)).ToList());
            Assert.Equal("cat.ndjson.gz", error.File);
        }
    }

    [Fact]
    public void ConcatenatedGzipMembersAreRefusedRatherThanHalfRead()
    {
        var member = DataFixtures.Bytes("simplified.ndjson.gz");
        var error = Assert.Throws<DataFormatException>(() =>
            QuickDrawNdjson.Read(() => new MemoryStream([.. member, .. member]), "two.gz").ToList());
        Assert.Contains("several gzip members", error.Reason);
    }

    [Fact]
    public void StreamsWithoutReadingTheWholeFileFirst()
    {
        // A file whose second line is broken still yields its first drawing before the error.
        var text = Lines()[0] + "\n{broken\n";
        using var lines = ReadText(text).GetEnumerator();
        Assert.True(lines.MoveNext());
        Assert.Equal(DataFixtures.ExpectedDrawings("simplified")[0], lines.Current);
        Assert.Throws<DataFormatException>(() => lines.MoveNext());
    }

    [Fact]
    public void ParsesTimestampsWithAnyNumberOfFractionDigits()
    {
        var line = Lines()[0];
        var start = line.IndexOf("\"timestamp\":\"", StringComparison.Ordinal) + "\"timestamp\":\"".Length;
        var end = line.IndexOf('"', start);
        foreach (var (text, expected) in new[] { ("2017-03-28 15:28:06 UTC", "2017-03-28T15:28:06Z"), ("2017-03-28 15:28:06.1 UTC", "2017-03-28T15:28:06.1Z") })
            Assert.Equal(DateTimeOffset.Parse(expected), QuickDrawNdjson.Parse(line[..start] + text + line[end..]).Timestamp);
        Assert.Throws<FormatException>(() => QuickDrawNdjson.Parse(line[..start] + "yesterday" + line[end..]));
    }
}
