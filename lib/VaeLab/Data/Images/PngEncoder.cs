using SkiaSharp;

namespace VaeLab.Data.Images;

/// <summary>Encodes PNG files with Skia (SkiaSharp), the counterpart of <see cref="PngDecoder"/>: 8-bit grey, grey+alpha, RGB and RGBA images.</summary>
public static unsafe class PngEncoder
{
    /// <summary>libpng's adaptive choice among all five filters for each row, and zlib's strongest compression: notebooks embed these files.</summary>
    static readonly SKPngEncoderOptions Options = new(SKPngEncoderFilterFlags.AllFilters, zLibLevel: 9);

    /// <summary>
    /// Encodes pixels given row by row, top first, with the channels of a pixel side by side. Grey images become grey
    /// PNGs, RGB ones RGB and RGBA ones RGBA; Skia has no grey+alpha pixels, so grey+alpha images are written as RGBA.
    /// </summary>
    public static byte[] Encode(ReadOnlySpan<byte> pixels, int width, int height, int channels)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(width, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(height, 1);
        if (channels is < 1 or > 4)
            throw new ArgumentOutOfRangeException(nameof(channels), channels, "channels must be 1 (grey), 2 (grey+alpha), 3 (RGB) or 4 (RGBA)");
        if (pixels.Length != (long)width * channels * height)
            throw new ArgumentException($"{width}x{height} pixels of {channels} channel(s) need {(long)width * channels * height} bytes, got {pixels.Length}", nameof(pixels));

        var info = new SKImageInfo(width, height, channels == 1 ? SKColorType.Gray8 : SKColorType.Rgba8888,
            channels is 1 or 3 ? SKAlphaType.Opaque : SKAlphaType.Unpremul, colorspace: null);
        ReadOnlySpan<byte> source = channels is 1 or 4 ? pixels : ToRgba(pixels, channels);
        fixed (byte* start = source)
        {
            using var pixmap = new SKPixmap(info, (nint)start);
            using var png = pixmap.Encode(Options) ?? throw new InvalidOperationException($"Skia could not encode a {width}x{height} PNG");
            return png.ToArray();
        }
    }


    /// <summary>Grey+alpha or RGB pixels as RGBA (opaque where there is no alpha).</summary>
    static byte[] ToRgba(ReadOnlySpan<byte> pixels, int channels)
    {
        var rgba = new byte[pixels.Length / channels * 4];
        for (int i = 0, o = 0; i < pixels.Length; i += channels, o += 4)
        {
            var grey = channels == 2;
            rgba[o] = pixels[i];
            rgba[o + 1] = pixels[grey ? i : i + 1];
            rgba[o + 2] = pixels[grey ? i : i + 2];
            rgba[o + 3] = grey ? pixels[i + 1] : (byte)255;
        }
        return rgba;
    }
}
