using VaeLab.Data;
using VaeLab.Data.Images;

namespace VaeLab.Tests.Data.Images;

public class JpegDecoderTests
{
    public static IEnumerable<object[]> Files => ImageFixtures.Names("jpeg");
    public static IEnumerable<object[]> BadFiles => ImageFixtures.Names("jpeg_bad");

    /// <summary>Pillow decodes with libjpeg-turbo too, through libjpeg's API: pixels may differ by rounding only.</summary>
    [Theory]
    [MemberData(nameof(Files))]
    public void DecodesAsPillowDoesWithinTwoLevels(string name)
    {
        var (image, expected) = ImageFixtures.DecodeAsRecorded("jpeg", name, JpegDecoder.Decode);
        var pixels = ImageFixtures.Ints(expected.GetProperty("pixels"));
        var differences = pixels.Select((p, i) => Math.Abs(p - image.Samples[i])).ToArray();
        Assert.True(differences.Max() <= 2, $"{name}: a sample differs from Pillow's by {differences.Max()} levels");
        Assert.True(differences.Average() < 0.5, $"{name}: samples differ from Pillow's by {differences.Average():F2} levels on average");
    }

    [Theory]
    [MemberData(nameof(BadFiles))]
    public void RefusesDamagedFilesNamingThem(string name)
    {
        var error = ImageFixtures.Refused("jpeg_bad", name);
        Assert.Contains(ImageFixtures.Case("jpeg_bad", name).GetProperty("error").GetString()!, error.Message, StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public void EveryTruncationIsADataFormatException()
    {
        var bytes = File.ReadAllBytes(ImageFixtures.PathOf("jpeg", "progressive.jpg"));
        for (var cut = 0; cut < bytes.Length - 2; cut += 7)
            Assert.Throws<DataFormatException>(() => ImageFile.Decode(bytes.AsSpan(0, cut), "progressive.jpg"));
    }

    [Fact]
    public void DecodesOnManyThreadsAtOnce()
    {
        var bytes = File.ReadAllBytes(ImageFixtures.PathOf("jpeg", "rgb_420.jpg"));
        var reference = JpegDecoder.Decode(bytes, "rgb_420.jpg").Samples;
        Parallel.For(0, 64, new ParallelOptions { MaxDegreeOfParallelism = 8 },
            _ => Assert.Equal(reference, JpegDecoder.Decode(bytes, "rgb_420.jpg").Samples));
    }
}
