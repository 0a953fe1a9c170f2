using System.Buffers.Binary;
using System.Text;
using SkiaSharp;
using VaeLab.Data.Formats;

namespace VaeLab.Data.Images;

/// <summary>
/// Decodes PNG files with Skia (SkiaSharp; libpng inside libSkiaSharp): every colour type, bit depth and interlacing
/// the specification allows. Grey files give one channel, grey+alpha two, RGB and palette files three, RGBA four,
/// and a tRNS chunk becomes an alpha channel, as libpng's png_set_tRNS_to_alpha and Pillow give them. Samples are
/// 8 bits: 1, 2 and 4-bit greys are scaled to 0..255, and 16-bit samples keep their high byte, because Skia decodes
/// to no 16-bit integer format. Colour chunks (gAMA, iCCP, sRGB) are ignored, as Pillow and torchvision ignore them.
/// </summary>
public static unsafe class PngDecoder
{
    static ReadOnlySpan<byte> Signature => [0x89, (byte)'P', (byte)'N', (byte)'G', 0x0D, 0x0A, 0x1A, 0x0A];

    // A header is not trusted to size the pixel buffer: deflate expands a byte to at most 1032, and a 1-bit image
    // packs 8 pixels a byte, so a header claiming more pixels than that is refused before anything is allocated.
    const long MaxPixelsPerByte = 1032 * 8;

    public static bool IsPng(ReadOnlySpan<byte> data) => data.StartsWith(Signature);

    public static DecodedImage Decode(string path) => Decode(File.ReadAllBytes(path), path);

    /// <summary>Decodes a whole PNG file; <paramref name="name"/> names it in errors.</summary>
    public static DecodedImage Decode(ReadOnlySpan<byte> file, string name)
    {
        if (!IsPng(file)) throw new DataFormatException(name, "signature", "not a PNG file (its first 8 bytes are not the PNG signature)");
        CheckChunks(file, name);
        fixed (byte* start = file)
        {
            using var data = SKData.Create((nint)start, file.Length, null);
            using var codec = SKCodec.Create(new SKMemoryStream(data), out var opened)
                ?? throw new DataFormatException(name, "IHDR", $"the header is invalid: a size, bit depth, colour type or method PNG does not allow ({opened})");
            var (width, height) = (codec.Info.Width, codec.Info.Height);
            if ((long)width * height > MaxPixelsPerByte * file.Length)
                throw new DataFormatException(name, "IHDR", $"{width}x{height} pixels are more than a file of {file.Length} bytes can hold (at most {MaxPixelsPerByte} a byte)");

            var grey = codec.Info.ColorType == SKColorType.Gray8;
            var alpha = codec.Info.AlphaType != SKAlphaType.Opaque;
            // Skia has no grey+alpha pixels: those come as RGBA with R = G = B, known by the IHDR's colour type (bit 1 clear: grey).
            var channels = grey ? 1 : !alpha ? 3 : (file[25] & 2) == 0 ? 2 : 4;
            var target = new SKImageInfo(width, height, grey ? SKColorType.Gray8 : SKColorType.Rgba8888,
                alpha ? SKAlphaType.Unpremul : SKAlphaType.Opaque, colorspace: null);
            if (target.BytesSize64 > Array.MaxLength)
                throw new DataFormatException(name, "IHDR", $"{width}x{height} pixels are too many to decode into one array");
            var pixels = new byte[target.BytesSize64];
            var decoded = codec.GetPixels(target, pixels);
            if (decoded != SKCodecResult.Success)
                throw new DataFormatException(name, "image data", decoded switch
                {
                    SKCodecResult.IncompleteInput => "the image data ends early: it is truncated, or its zlib data corrupt",
                    SKCodecResult.ErrorInInput => "the image data is corrupt (a CRC mismatch, an unknown filter type or bad zlib data)",
                    _ => $"the image is invalid, such as a palette image without its PLTE chunk ({decoded})",
                });
            return new DecodedImage(width, height, channels, channels is 1 or 4 ? pixels : Pack(pixels, channels));
        }
    }

    /// <summary>RGBA pixels reduced to grey+alpha (R and A) or RGB.</summary>
    static byte[] Pack(byte[] rgba, int channels)
    {
        var packed = new byte[rgba.Length / 4 * channels];
        ReadOnlySpan<byte> source = rgba;
        Span<byte> target = packed;
        var second = channels == 2 ? 3 : 1;
        for (int i = 0, o = 0; o < target.Length; i += 4, o += channels)
        {
            target[o] = source[i];
            target[o + 1] = source[i + second];
            if (channels == 3) target[o + 2] = source[i + 2];
        }
        return packed;
    }

    /// <summary>
    /// Walks the chunks up to IEND, checking the CRC of each but the image data's (which libpng checks as it reads).
    /// libpng stops reading once it has the last row, and only warns about an ancillary chunk whose CRC fails,
    /// dropping it: without this walk a file cut after its image data would pass, and a damaged tRNS chunk would
    /// silently cost the image its alpha channel.
    /// </summary>
    static void CheckChunks(ReadOnlySpan<byte> file, string name)
    {
        for (var position = Signature.Length; ;)
        {
            if (position + 12 > file.Length)
                throw new DataFormatException(name, $"byte {position}", "the file ends before its IEND chunk (truncated)");
            var length = BinaryPrimitives.ReadUInt32BigEndian(file[position..]);
            var type = file.Slice(position + 4, 4);
            var where = $"chunk {ChunkName(type)} at byte {position}";
            if (position + 12L + length > file.Length)
                throw new DataFormatException(name, where, $"the chunk's {length} bytes run past the end of the file (truncated)");
            var crc = BinaryPrimitives.ReadUInt32BigEndian(file[(position + 8 + (int)length)..]);
            if (!type.SequenceEqual("IDAT"u8) && Crc32.Append(0, file.Slice(position + 4, 4 + (int)length)) != crc)
                throw new DataFormatException(name, where, "CRC mismatch: the chunk is corrupt");
            if (type.SequenceEqual("IEND"u8)) return;
            position += 12 + (int)length;
        }
    }

    static string ChunkName(ReadOnlySpan<byte> type)
    {
        foreach (var b in type)
            if (!char.IsAsciiLetter((char)b)) return "0x" + Convert.ToHexString(type);
        return Encoding.ASCII.GetString(type);
    }
}
