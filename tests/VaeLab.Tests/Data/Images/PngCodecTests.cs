using VaeLab.Data;
using System.Buffers.Binary;
using System.IO.Compression;
using System.Text;
using VaeLab.Display;
using VaeLab.Tests.Display;
using VaeLab.Data.Images;

namespace VaeLab.Tests.Data.Images;

/// <summary>The PNG codec on Skia: the files we write checked chunk by chunk, and decoding against files Pillow decodes (display.json).</summary>
public class PngCodecTests
{
    /// <summary>The test's own CRC-32, bit by bit from the polynomial, with no table.</summary>
    static uint Crc(ReadOnlySpan<byte> bytes)
    {
        var crc = 0xFFFFFFFFu;
        foreach (var b in bytes)
        {
            crc ^= b;
            for (var k = 0; k < 8; k++) crc = (crc >> 1) ^ (0xEDB88320u & (0u - (crc & 1)));
        }
        return ~crc;
    }

    sealed record Chunk(string Type, byte[] Data, uint Crc);

    static List<Chunk> Chunks(byte[] png)
    {
        var chunks = new List<Chunk>();
        for (var at = 8; at < png.Length;)
        {
            var length = BinaryPrimitives.ReadInt32BigEndian(png.AsSpan(at));
            chunks.Add(new Chunk(Encoding.ASCII.GetString(png, at + 4, 4), png[(at + 8)..(at + 8 + length)],
                BinaryPrimitives.ReadUInt32BigEndian(png.AsSpan(at + 8 + length))));
            at += 12 + length;
        }
        return chunks;
    }

    static byte[] Inflate(IEnumerable<Chunk> chunks)
    {
        using var zlib = new ZLibStream(new MemoryStream(chunks.Where(c => c.Type == "IDAT").SelectMany(c => c.Data).ToArray()), CompressionMode.Decompress);
        using var raw = new MemoryStream();
        zlib.CopyTo(raw);
        return raw.ToArray();
    }

    /// <summary>A smooth ramp with a band of noise: rows where different filters win.</summary>
    static byte[] Picture(int width, int height, int channels)
    {
        var random = new Random(5);
        var pixels = new byte[width * height * channels];
        for (var i = 0; i < pixels.Length; i++)
        {
            var (y, x) = (i / (width * channels), i / channels % width);
            pixels[i] = y % 7 == 3 ? (byte)random.Next(256) : (byte)(3 * x + 5 * y + 40 * (i % channels));
        }
        return pixels;
    }

    [Fact]
    public void TheReferenceCrcHasTheStandardCheckValue() => Assert.Equal(0xCBF43926u, Crc("123456789"u8));

    [Theory]
    [InlineData(1, 0)]
    [InlineData(2, 6)] // Skia has no grey+alpha pixels: written as RGBA
    [InlineData(3, 2)]
    [InlineData(4, 6)]
    public void EncodedFilesHaveTheSignatureHeaderChunkCrcsAndFilteredScanlines(int channels, int colorType)
    {
        const int width = 23, height = 17;
        var png = PngEncoder.Encode(Picture(width, height, channels), width, height, channels);

        Assert.Equal(new byte[] { 0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A }, png[..8]);
        var chunks = Chunks(png);
        // Critical chunks (upper-case first letter) are IHDR, IDAT, IEND; Skia adds an ancillary sBIT.
        Assert.Equal(["IHDR", "IDAT", "IEND"], chunks.Select(c => c.Type).Where(t => char.IsUpper(t[0])));
        Assert.Equal(("IHDR", "IEND"), (chunks[0].Type, chunks[^1].Type));
        foreach (var chunk in chunks) Assert.Equal(Crc(Encoding.ASCII.GetBytes(chunk.Type).Concat(chunk.Data).ToArray()), chunk.Crc);

        var header = chunks[0].Data;
        Assert.Equal(13, header.Length);
        Assert.Equal(width, BinaryPrimitives.ReadInt32BigEndian(header));
        Assert.Equal(height, BinaryPrimitives.ReadInt32BigEndian(header.AsSpan(4)));
        Assert.Equal(new byte[] { 8, (byte)colorType, 0, 0, 0 }, header[8..]);
        Assert.Empty(chunks[^1].Data);

        var scanlines = Inflate(chunks);
        var stride = 1 + width * (channels == 2 ? 4 : channels);
        Assert.Equal(height * stride, scanlines.Length);
        var filters = Enumerable.Range(0, height).Select(y => scanlines[y * stride]).ToList();
        Assert.All(filters, f => Assert.InRange(f, 0, 4));
        Assert.True(filters.Distinct().Count() > 1, "the rows of a ramp with noise should not all pick one filter");
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    [InlineData(4)]
    public void EncodedFilesDecodeToTheirPixels(int channels)
    {
        foreach (var (width, height) in new[] { (1, 1), (23, 17), (300, 200) })
        {
            var pixels = Picture(width, height, channels);
            var image = Image.FromPng(PngEncoder.Encode(pixels, width, height, channels));
            // Grey+alpha is written as RGBA, and comes back so.
            var expected = channels == 2 ? pixels.Chunk(2).SelectMany(p => new[] { p[0], p[0], p[0], p[1] }).ToArray() : pixels;
            Assert.Equal((width, height, channels == 2 ? 4 : channels), (image.Width, image.Height, image.Channels));
            Assert.Equal(expected, image.Pixels);
        }
    }

    public static IEnumerable<object[]> Fixtures => DisplayFixture.Cases("png");

    [Theory]
    [MemberData(nameof(Fixtures))]
    public void TheDecoderReadsWhatPillowReads(string name)
    {
        var fixture = DisplayFixture.Case("png", name);
        var image = Image.FromPng(Convert.FromBase64String(fixture.GetProperty("png").GetString()!));
        Assert.Equal(fixture.GetProperty("width").GetInt32(), image.Width);
        Assert.Equal(fixture.GetProperty("height").GetInt32(), image.Height);
        Assert.Equal(fixture.GetProperty("channels").GetInt32(), image.Channels);
        Assert.Equal(fixture.GetProperty("pixels").EnumerateArray().Select(p => p.GetByte()).ToArray(), image.Pixels);
    }

    [Fact]
    public void TheFixturesCoverEveryFilterTypeAndSplitImageData()
    {
        var filters = new HashSet<int>();
        var split = false;
        foreach (var fixture in DisplayFixture.Get("png").EnumerateArray())
        {
            var chunks = Chunks(Convert.FromBase64String(fixture.GetProperty("png").GetString()!));
            split |= chunks.Count(c => c.Type == "IDAT") > 1;
            var stride = 1 + fixture.GetProperty("width").GetInt32() * fixture.GetProperty("channels").GetInt32();
            var scanlines = Inflate(chunks);
            for (var at = 0; at < scanlines.Length; at += stride) filters.Add(scanlines[at]);
        }
        Assert.Equal([0, 1, 2, 3, 4], filters.Order());
        Assert.True(split);
    }

    public static IEnumerable<object[]> Unsupported => DisplayFixture.Cases("png_unsupported");

    [Theory]
    [MemberData(nameof(Unsupported))]
    public void OtherPngVariantsDecodeToEightBitSamples(string name)
    {
        // 16-bit, palette and interlaced files go through the data layer's decoder (tested there against pypng).
        var png = Convert.FromBase64String(DisplayFixture.Case("png_unsupported", name).GetProperty("png").GetString()!);
        var image = Image.FromPng(png);
        Assert.Equal(image.Width * image.Height * image.Channels, image.Pixels.Length);
        Assert.True(image.Pixels.Distinct().Count() > 1, "a decoded variant should not be flat");
    }

    [Fact]
    public void DamagedFilesAreRefusedWithTheReason()
    {
        var png = PngEncoder.Encode(Picture(8, 8, 3), 8, 8, 3);
        Assert.Contains("signature", Assert.Throws<DataFormatException>(() => Image.FromPng(png[1..])).Message);
        Assert.Contains("IEND", Assert.Throws<DataFormatException>(() => Image.FromPng(png[..^12])).Message);
        var flipped = (byte[])png.Clone();
        flipped[8 + 25 + 10] ^= 1; // in the image data
        Assert.Contains("corrupt", Assert.Throws<DataFormatException>(() => Image.FromPng(flipped)).Message);
    }

    [Fact]
    public void EncodingChecksItsArguments()
    {
        Assert.Contains("need 12 bytes, got 11", Assert.Throws<ArgumentException>(() => PngEncoder.Encode(new byte[11], 2, 2, 3)).Message);
        Assert.Throws<ArgumentOutOfRangeException>(() => PngEncoder.Encode(new byte[20], 2, 2, 5));
        Assert.Throws<ArgumentOutOfRangeException>(() => PngEncoder.Encode([], 0, 1, 1));
    }
}
