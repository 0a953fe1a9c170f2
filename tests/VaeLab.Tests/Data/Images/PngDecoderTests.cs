using VaeLab.Data;
using VaeLab.Data.Images;

namespace VaeLab.Tests.Data.Images;

public class PngDecoderTests
{
    public static IEnumerable<object[]> Files => ImageFixtures.Names("png");
    public static IEnumerable<object[]> BadFiles => ImageFixtures.Names("png_bad").Where(n => Error(n) is not null);
    public static IEnumerable<object[]> ToleratedFiles => ImageFixtures.Names("png_bad").Where(n => Error(n) is null);

    /// <summary>A word the error about a png_bad file must contain; null for damage that libpng lets pass.</summary>
    static string? Error(object[] name) => ImageFixtures.Case("png_bad", (string)name[0]).GetProperty("error").GetString();

    /// <summary>
    /// The fixtures record the samples at the file's bit depth; ours are 8-bit: 1, 2 and 4-bit greys scaled to 0..255
    /// (libpng's png_set_expand), 16-bit samples cut to their high byte (png_set_strip_16).
    /// </summary>
    static int AtEightBits(int sample, int depth) => depth switch { 16 => sample >> 8, < 8 => sample * 255 / ((1 << depth) - 1), _ => sample };

    [Theory]
    [MemberData(nameof(Files))]
    public void DecodesWhatPypngAndPillowRead(string name)
    {
        var (image, expected) = ImageFixtures.DecodeAsRecorded("png", name, PngDecoder.Decode);
        var depth = expected.GetProperty("bit_depth").GetInt32();
        var samples = ImageFixtures.Ints(expected.GetProperty("samples"));
        var i = 0;
        for (var y = 0; y < image.Height; y++)
            for (var x = 0; x < image.Width; x++)
                for (var c = 0; c < image.Channels; c++, i++)
                    if (image[y, x, c] != AtEightBits(samples[i], depth))
                        Assert.Fail($"{name}: sample ({y}, {x}, {c}) is {image[y, x, c]}, expected {AtEightBits(samples[i], depth)} ({samples[i]} at {depth} bits)");
    }

    [Theory]
    [MemberData(nameof(BadFiles))]
    public void RefusesDamagedFilesSayingWhatIsWrong(string name)
    {
        Assert.Contains(Error([name])!, ImageFixtures.Refused("png_bad", name).Reason, StringComparison.OrdinalIgnoreCase);
    }

    /// <summary>Rules of the specification that libpng, and so Skia, does not enforce: the image data is whole, and is read.</summary>
    [Theory]
    [MemberData(nameof(ToleratedFiles))]
    public void ReadsWhatLibpngLetsPass(string name)
    {
        var image = ImageFile.Read(ImageFixtures.PathOf("png_bad", name));
        Assert.Equal((5, 6), (image.Width, image.Height));
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
    public void ToFloatOfScaledSamplesIsTheSampleOverTheLargestOfItsBitDepth()
    {
        // Scaling to 8 bits loses nothing below 8 bits: k * 255 / (2^d - 1) / 255 is the float nearest k / (2^d - 1).
        foreach (var (name, depth) in new[] { ("ct0_d1.png", 1), ("ct0_d2.png", 2), ("ct0_d4_i.png", 4), ("ct3_d2.png", 8) })
        {
            var samples = ImageFixtures.Ints(ImageFixtures.Case("png", name).GetProperty("samples"));
            var decoded = PngDecoder.Decode(ImageFixtures.PathOf("png", name));
            var image = decoded.ToFloat();
            Assert.Equal((decoded.Channels, decoded.Height, decoded.Width), (image.Channels, image.Height, image.Width));
            var i = 0;
            for (var y = 0; y < decoded.Height; y++)
                for (var x = 0; x < decoded.Width; x++)
                    for (var c = 0; c < decoded.Channels; c++, i++)
                        Assert.Equal(samples[i] / (float)((1 << depth) - 1), image[c, y, x]);
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
