using VaeLab.Data;
using VaeLab.Data.Images;

namespace VaeLab.Tests.Data.Images;

public class PngDecoderTests
{
    public static IEnumerable<object[]> Files => ImageFixtures.Names("png");
    public static IEnumerable<object[]> BadFiles => ImageFixtures.Names("png_bad");

    [Theory]
    [MemberData(nameof(Files))]
    public void DecodesWhatPypngAndPillowRead(string name)
    {
        var expected = ImageFixtures.Case("png", name);
        var image = PngDecoder.Decode(ImageFixtures.PathOf("png", name));
        Assert.Equal(expected.GetProperty("width").GetInt32(), image.Width);
        Assert.Equal(expected.GetProperty("height").GetInt32(), image.Height);
        Assert.Equal(expected.GetProperty("channels").GetInt32(), image.Channels);
        Assert.Equal(expected.GetProperty("bit_depth").GetInt32(), image.BitDepth);
        var samples = ImageFixtures.Ints(expected.GetProperty("samples"));
        var i = 0;
        for (var y = 0; y < image.Height; y++)
            for (var x = 0; x < image.Width; x++)
                for (var c = 0; c < image.Channels; c++, i++)
                    if (image[y, x, c] != samples[i]) Assert.Fail($"{name}: sample ({y}, {x}, {c}) is {image[y, x, c]}, expected {samples[i]}");
    }

    [Theory]
    [MemberData(nameof(BadFiles))]
    public void RefusesDamagedFilesSayingWhatIsWrong(string name)
    {
        var path = ImageFixtures.PathOf("png_bad", name);
        var error = Assert.Throws<DataFormatException>(() => ImageFile.Read(path));
        Assert.Equal(path, error.File);
        Assert.Contains(ImageFixtures.Case("png_bad", name).GetProperty("error").GetString()!, error.Message, StringComparison.OrdinalIgnoreCase);
    }

    [Theory]
    [InlineData("ct2_d8_i.png")]
    [InlineData("ct3_d4_trns.png")]
    public void EveryTruncationAndEveryChangedByteIsADataFormatException(string name)
    {
        var bytes = File.ReadAllBytes(ImageFixtures.PathOf("png", name));
        for (var cut = 0; cut < bytes.Length; cut++)
            Assert.Throws<DataFormatException>(() => PngDecoder.Decode(bytes.AsSpan(0, cut), name));
        for (var at = 0; at < bytes.Length; at++)
        {
            var damaged = (byte[])bytes.Clone();
            damaged[at] ^= 0x10;
            // Only the signature, lengths, chunk contents and CRCs exist: each is checked, so no change passes.
            Assert.Throws<DataFormatException>(() => PngDecoder.Decode(damaged, name));
        }
    }

    [Fact]
    public void ToFloatDividesByTheLargestSampleOfTheBitDepth()
    {
        foreach (var (name, max) in new[] { ("ct0_d1.png", 1f), ("ct0_d4_i.png", 15f), ("ct0_d16.png", 65535f), ("ct6_d16_i.png", 65535f), ("ct3_d2.png", 255f) })
        {
            var decoded = PngDecoder.Decode(ImageFixtures.PathOf("png", name));
            var image = decoded.ToFloat();
            Assert.Equal((decoded.Channels, decoded.Height, decoded.Width), (image.Channels, image.Height, image.Width));
            for (var y = 0; y < decoded.Height; y++)
                for (var x = 0; x < decoded.Width; x++)
                    for (var c = 0; c < decoded.Channels; c++)
                        Assert.Equal(decoded[y, x, c] / max, image[c, y, x], 1e-6f);
        }
    }

    [Fact]
    public void FilesAreRecognisedByContentNotByName()
    {
        using var folder = new ImageFixtures.TempFolder();
        var disguised = folder.File("photo.jpg");
        File.Copy(ImageFixtures.PathOf("png", "pillow_RGB.png"), disguised);
        var image = ImageFile.Read(disguised);
        Assert.Equal((10, 12, 3), (image.Width, image.Height, image.Channels));
    }
}
