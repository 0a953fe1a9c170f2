using System.Text.Json;

namespace VaeLab.Cli.Tests;

/// <summary>`vaelab data inspect` on the fixture files, against what numpy finds in them (gen_inspect.py's inspect.json).</summary>
public sealed class DataInspectTests
{
    static readonly string Fixtures = Path.Combine(TestRepository.Root, "tests", "fixtures", "data");
    static readonly JsonElement Expected = JsonDocument.Parse(File.ReadAllText(Path.Combine(Fixtures, "inspect.json"))).RootElement;

    [Theory]
    [InlineData("raw.ndjson", "QuickDraw raw ndjson", false)]
    [InlineData("simplified.ndjson.gz", "QuickDraw simplified ndjson", true)]
    [InlineData("cat.bin", "QuickDraw binary", false)]
    [InlineData("bitmap.npy", "QuickDraw numpy_bitmap", false)]
    [InlineData("sketchrnn_p3.npz", "sketch-rnn .npz", false)]
    [InlineData("idx_images.gz", "IDX images", true)]
    [InlineData("idx_labels", "IDX labels", false)]
    [InlineData("cifar10_batch.bin", "CIFAR-10", false)]
    [InlineData("cifar100_batch.bin", "CIFAR-100", false)]
    public void DetectsTheFormatAndSummarisesTheContent(string file, string format, bool gzip)
    {
        var inspection = DataInspector.Inspect(Path.Combine(Fixtures, file));
        var expected = Expected.GetProperty(file);

        Assert.StartsWith(format, inspection.Format);
        Assert.Equal(gzip, inspection.Gzip);
        Assert.Equal(expected.GetProperty("counts").EnumerateObject().Select(p => (p.Name, p.Value.GetInt64())), inspection.Counts);
        Assert.Equal(expected.TryGetProperty("longest", out var longest) ? longest.GetInt32() : null, inspection.Longest);
        Assert.Equal(expected.GetProperty("ranges").EnumerateObject().Select(p => (p.Name, new ValueRange(p.Value[0].GetDouble(), p.Value[1].GetDouble()))),
            inspection.Ranges);
        if (expected.TryGetProperty("scale", out var scale)) Assert.Equal(scale.GetDouble(), inspection.Scale!.Xy, 1e-9);
        else Assert.Null(inspection.Scale);
    }

    [Fact]
    public void TheFormatComesFromTheContentNotTheName()
    {
        Assert.StartsWith("QuickDraw raw ndjson", DataInspector.Inspect(Path.Combine(Fixtures, "raw_gzip_named_plain.ndjson")).Format);
        Assert.True(DataInspector.Inspect(Path.Combine(Fixtures, "raw_gzip_named_plain.ndjson")).Gzip);
        Assert.StartsWith("QuickDraw numpy_bitmap", DataInspector.Inspect(Path.Combine(Fixtures, "bitmap_gzip.npy")).Format);
    }

    [Fact]
    public async Task TheCommandPrintsTheSummaryAndFailsClearlyOnUnknownContent()
    {
        var (code, output, _) = await DownloaderTests.Run("data", "inspect", Path.Combine(Fixtures, "sketchrnn_p3.npz"));
        Assert.Equal(0, code);
        Assert.Contains("train 4, valid 2, test 2", output);
        Assert.Contains("the train split", output);

        var junk = Path.GetTempFileName();
        try
        {
            File.WriteAllText(junk, "hello, not data");
            var (failed, _, error) = await DownloaderTests.Run("data", "inspect", junk);
            Assert.Equal(1, failed);
            Assert.Contains(junk, error);
            Assert.Contains("not a format", error);
        }
        finally { File.Delete(junk); }
    }
}
