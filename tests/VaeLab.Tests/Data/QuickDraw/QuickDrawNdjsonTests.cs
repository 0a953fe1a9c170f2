using System.Globalization;
using System.IO.Compression;
using System.Text;
using System.Text.Json;
using VaeLab.Data;
using VaeLab.Data.QuickDraw;

namespace VaeLab.Tests.Data.QuickDraw;

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
    [InlineData("[[[1,2],[3,1e39]]]", "y[1] is not a finite number")]
    [InlineData("[[[1,2],[3,4],[5]]]", "2/2/1 values of x/y/t")]
    [InlineData("[[[1,2],[3,4],[5,6],[7,8]]]", "is not [[x...],[y...]]")]
    [InlineData("[[[1,2],[3,4]],[[1],5]]", "stroke 1: y is not an array")]
    [InlineData("[[[1,2],[3,4]],7]", "stroke 1 is not [[x...],[y...]]")]
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

    /// <summary>The first simplified line with <paramref name="field"/>'s value replaced.</summary>
    static string LineWith(string field, string json)
    {
        using var document = JsonDocument.Parse(Lines()[0]);
        return "{" + string.Join(",", document.RootElement.EnumerateObject().Select(p => $"\"{p.Name}\":{(p.Name == field ? json : p.Value.GetRawText())}")) + "}";
    }

    /// <summary>
    /// Lines in Google's layout go through a scanner of that layout; with a field it does not know they go through
    /// Utf8JsonReader. Each check runs both ways.
    /// </summary>
    static string WithUnknownField(string line) => line.Insert(1, "\"extra\":[0,{\"word\":\"dog\"}],");

    [Fact]
    public void FieldsComeInAnyOrderWithWhiteSpaceAndUnknownFieldsAreSkipped()
    {
        var expected = DataFixtures.ExpectedDrawings("raw");
        var lines = File.ReadAllLines(DataFixtures.PathOf("raw.ndjson"));
        for (var i = 0; i < lines.Length; i++)
        {
            using var document = JsonDocument.Parse(lines[i]);
            var fields = document.RootElement.EnumerateObject().Select(p => $"\"{p.Name}\" : {p.Value.GetRawText()}").Reverse().ToList();
            var reordered = "{ " + string.Join(" ,\t", fields) + " }";
            Assert.Equal(expected[i], QuickDrawNdjson.Parse(reordered));
            Assert.Equal(expected[i], QuickDrawNdjson.Parse(WithUnknownField(reordered)));
        }
    }

    [Fact]
    public void ARepeatedKeyCountsItsLastValue()
    {
        var line = LineWith("word", "\"dog\"");
        Assert.Equal("dog", QuickDrawNdjson.Parse(line.Insert(1, "\"word\":\"bird\",")).Word);
        Assert.Equal("bird", QuickDrawNdjson.Parse(line[..^1] + ",\"word\":\"bird\"}").Word);
    }

    [Fact]
    public void EscapedStringsAreUnescapedAndBytesThatAreNotUtf8BecomeReplacementCharacters()
    {
        var escaped = LineWith("word", """
            "c\u0061t \"x\" \\ \/"
            """);
        foreach (var line in new[] { escaped, WithUnknownField(escaped) })
            Assert.Equal("""cat "x" \ /""", QuickDrawNdjson.Parse(line).Word);
        // As when lines were read as text: an invalid byte in a string is U+FFFD, not a bad line.
        foreach (var line in new[] { LineWith("word", "\"c#at\""), WithUnknownField(LineWith("word", "\"c#at\"")) })
        {
            var bytes = Encoding.UTF8.GetBytes(line);
            bytes[Array.IndexOf(bytes, (byte)'#')] = 0xFF;
            Assert.Equal("c\uFFFDat", QuickDrawNdjson.Read(() => new MemoryStream(bytes), "cat.ndjson").Single().Word);
        }
        // A lone surrogate has no text at all: the line is bad, with the file and line named.
        var error = Assert.Throws<DataFormatException>(() => ReadText(LineWith("word", """
            "\ud800"
            """)).ToList());
        Assert.Equal("line 1", error.Location);
        Assert.StartsWith("invalid JSON", error.Reason);
    }

    [Fact]
    public void NumbersInEveryJsonFormAreTheFloatsOfDoubleParse()
    {
        var random = new Random(5);
        string Number() => random.Next(6) switch
        {
            0 => random.Next(-1000, 100_000).ToString(CultureInfo.InvariantCulture),
            // What QuickDrawNdjson.Write and numpy's float32 write: the shortest text that rounds back.
            1 => ((float)(random.NextDouble() * 256)).ToString("R", CultureInfo.InvariantCulture),
            // 16 or 17 significant digits: past the scanner's exact division.
            2 => (random.NextDouble() * 1000).ToString("R", CultureInfo.InvariantCulture),
            3 => $"{random.Next(256)}.{random.Next(100):D2}0",
            4 => $"{random.Next(-99, 99)}.{random.Next(10)}{"eE"[random.Next(2)]}{random.Next(-5, 6):+0;-0}",
            _ => $"-0.{new string('0', random.Next(5))}{random.Next(0, 999_999)}",
        };
        for (var trial = 0; trial < 300; trial++)
        {
            var xs = Enumerable.Range(0, 5).Select(_ => Number()).ToArray();
            var ys = Enumerable.Range(0, 5).Select(_ => Number()).ToArray();
            var line = LineWith("drawing", $"[[[{string.Join(",", xs)}],[{string.Join(", ", ys)}]]]");
            foreach (var text in new[] { line, WithUnknownField(line) })
            {
                var stroke = QuickDrawNdjson.Parse(text).Strokes.Single();
                // Bit for bit, so that -0 is told from 0.
                Assert.Equal(xs.Select(x => BitConverter.SingleToInt32Bits((float)double.Parse(x, CultureInfo.InvariantCulture))), stroke.X.Select(BitConverter.SingleToInt32Bits));
                Assert.Equal(ys.Select(y => BitConverter.SingleToInt32Bits((float)double.Parse(y, CultureInfo.InvariantCulture))), stroke.Y.Select(BitConverter.SingleToInt32Bits));
            }
        }
    }

    [Fact]
    public void TimestampsWithUpToSevenFractionDigitsAreParseExactsTimes()
    {
        var random = new Random(8);
        for (var trial = 0; trial < 300; trial++)
        {
            var time = new DateTime(1990, 1, 1).AddTicks((long)(random.NextDouble() * TimeSpan.TicksPerDay * 365 * 40));
            var fraction = new string('f', random.Next(8));
            var format = "yyyy-MM-dd HH:mm:ss" + (fraction.Length > 0 ? "." + fraction : "");
            var text = time.ToString(format, CultureInfo.InvariantCulture);
            var expected = DateTimeOffset.ParseExact(text, format, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal);
            foreach (var line in new[] { LineWith("timestamp", $"\"{text} UTC\""), WithUnknownField(LineWith("timestamp", $"\"{text} UTC\"")) })
                Assert.Equal(expected, QuickDrawNdjson.Parse(line).Timestamp);
        }
        foreach (var text in new[] { "2017-02-29 10:00:00 UTC", "2017-03-28 24:00:00 UTC", "2017-03-28 15:28:06.12345678 UTC", "2017-03-28 15:28:06 utc", "2017-03-28T15:28:06 UTC" })
            Assert.Contains("is not of the form", Assert.Throws<FormatException>(() => QuickDrawNdjson.Parse(LineWith("timestamp", $"\"{text}\""))).Message);
    }

    /// <summary>A seekable stream that hands out at most <paramref name="chunk"/> bytes per read, as a slow source might.</summary>
    sealed class TrickleStream(byte[] bytes, int chunk) : MemoryStream(bytes)
    {
        public override int Read(byte[] buffer, int offset, int count) => base.Read(buffer, offset, Math.Min(count, chunk));

        public override int Read(Span<byte> buffer) => base.Read(buffer[..Math.Min(buffer.Length, chunk)]);
    }

    [Fact]
    public void LinesEndAsWhenReadAsTextWhateverTheReadsHandOut()
    {
        // A drawing whose line is longer than the reader's first buffer (64 KiB).
        var random = new Random(3);
        var points = Enumerable.Range(0, 12_000).Select(_ => (float)Math.Round(random.NextDouble() * 255, 3)).ToArray();
        var large = DataFixtures.ExpectedDrawings("simplified")[0] with { Strokes = [new Stroke(points, Enumerable.Reverse(points).ToArray())] };
        using var largeLine = new MemoryStream();
        QuickDrawNdjson.Write(largeLine, [large]);
        var lines = Lines().Concat([Encoding.UTF8.GetString(largeLine.ToArray()).TrimEnd('\n'), "not json", " \t"]).ToList();
        var endings = new[] { "\r\n", "\r", "\n" };
        var text = "\uFEFF" + string.Concat(lines.Select((l, i) => l + endings[i % endings.Length]));
        // The line of "not json" as StringReader, which follows StreamReader, counts it.
        var reader = new StringReader(text);
        var number = 1;
        while (reader.ReadLine() != "not json") number++;
        // Whole, in reads of 7 bytes, and a byte at a time (every "\r" then ends a read).
        foreach (var chunk in new[] { int.MaxValue, 7, 1 })
        {
            Stream open() => new TrickleStream(Encoding.UTF8.GetBytes(text), chunk);
            var records = QuickDrawNdjson.Read(open, "cat.ndjson", new ReadOptions(SkipBadRecords: true));
            Assert.Equal([.. DataFixtures.ExpectedDrawings("simplified"), large], records.ToList());
            Assert.Equal([$"line {number}"], records.Skipped.Errors.Select(e => e.Location));
        }
    }

    [Fact]
    public void TheLayoutScannerAndTheJsonReaderAgreeOnDamagedLines()
    {
        static string Outcome(string line)
        {
            try { return string.Join(";", QuickDrawNdjson.Parse(line).Strokes.Select(s => string.Join(",", s.X.Concat(s.Y).Concat(s.T ?? []).Select(BitConverter.SingleToInt32Bits)))); }
            // The reader's messages name byte positions, which the unknown field moves.
            catch (FormatException e) { return e.Message.StartsWith("invalid JSON") ? "invalid JSON" : e.Message; }
        }
        var lines = File.ReadAllLines(DataFixtures.PathOf("raw.ndjson"));
        const string meaningful = "0123456789.-+eE,[]{}\" :tfnul";
        var random = new Random(9);
        var (parsed, checkedLines) = (0, 0);
        for (var trial = 0; trial < 3000; trial++)
        {
            var chars = lines[random.Next(lines.Length)].ToList();
            for (var edit = random.Next(1, 3); edit > 0; edit--)
            {
                var at = random.Next(chars.Count - 1);
                var c = meaningful[random.Next(meaningful.Length)];
                switch (random.Next(3))
                {
                    case 0: chars[at] = c; break;
                    case 1: chars.Insert(at, c); break;
                    default: chars.RemoveAt(at); break;
                }
            }
            var line = new string([.. chars]);
            if (!line.EndsWith('}')) continue;
            var outcome = Outcome(line);
            Assert.Equal(outcome, Outcome(line[..^1] + ",\"extra\":0}"));
            checkedLines++;
            if (!outcome.Contains(' ')) parsed++;
        }
        // Both outcomes must be common, or the comparison tests little.
        Assert.InRange(parsed, checkedLines / 5, checkedLines * 4 / 5);
    }
}
