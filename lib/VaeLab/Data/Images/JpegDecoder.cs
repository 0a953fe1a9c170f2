using System.Runtime.InteropServices;

namespace VaeLab.Data.Images;

/// <summary>
/// Decodes JPEG files with libjpeg-turbo's TurboJPEG API (Debian's libturbojpeg0, loaded at first use): grey
/// JPEGs give one channel, colour ones RGB, and CMYK/YCCK ones (Adobe's inverted CMYK) are converted to RGB as
/// Pillow converts them. The accurate integer IDCT and smooth chroma upsampling are TurboJPEG's decoding
/// defaults, as they are Pillow's, so both give the same pixels within a level or two.
/// PNGs go through Skia (<see cref="PngDecoder"/>), JPEGs not: the libjpeg-turbo inside libSkiaSharp is built
/// without its SIMD code and decodes 2.5 to 3 times slower than Debian's, and Skia lets libjpeg's warnings about
/// corrupt data pass and decodes a progressive file cut short from the scans it has, where this decoder refuses both.
/// </summary>
public static unsafe class JpegDecoder
{
    const string LibraryName = "libturbojpeg.so.0";
    const int PixelFormatRgb = 0, PixelFormatGray = 6, PixelFormatCmyk = 11; // TJPF_RGB, TJPF_GRAY, TJPF_CMYK
    const int ColorspaceGray = 2, ColorspaceCmyk = 3, ColorspaceYcck = 4;    // TJCS_*
    const int ErrorFatal = 1;                                                // TJERR_FATAL

    // Huffman-coded scans spend at least one bit on every 8x8 block (its DC code), so a file of n bytes describes at
    // most 512 n pixels; a header claiming more would have us and libjpeg allocate for pixels that are not there.
    // (Arithmetic coding, which next to no JPEG uses, can be denser; such files are refused too.)
    const long MaxPixelsPerByte = 8 * 64;

    static readonly Lazy<TurboJpeg> library = new(TurboJpeg.Load);

    /// <summary>libjpeg warnings (JWRN_EXTRANEOUS_DATA, JWRN_NOT_SEQUENTIAL) after which the image is whole.</summary>
    static readonly string[] HarmlessWarnings = ["extraneous bytes before marker", "Invalid SOS parameters for sequential JPEG"];

    public static bool IsJpeg(ReadOnlySpan<byte> data) => data is [0xFF, 0xD8, 0xFF, ..];

    public static DecodedImage Decode(string path) => Decode(File.ReadAllBytes(path), path);

    /// <summary>Decodes a whole JPEG file; <paramref name="name"/> names it in errors.</summary>
    public static DecodedImage Decode(ReadOnlySpan<byte> file, string name)
    {
        if (!IsJpeg(file)) throw new DataFormatException(name, "header", "not a JPEG file (it does not start with the SOI marker FF D8 FF)");
        var tj = library.Value;
        var handle = tj.InitDecompress();
        if (handle == 0) throw new InvalidOperationException($"{LibraryName}: tjInitDecompress failed: {Marshal.PtrToStringUTF8((nint)tj.GetErrorStr2(0))}");
        try
        {
            fixed (byte* source = file)
            {
                var size = new CULong((nuint)file.Length);
                int width, height, subsampling, colorspace;
                if (tj.DecompressHeader3(handle, source, size, &width, &height, &subsampling, &colorspace) != 0)
                    throw new DataFormatException(name, "JPEG header", ErrorText(tj, handle));
                var cmyk = colorspace is ColorspaceCmyk or ColorspaceYcck;
                var (format, channels) = colorspace == ColorspaceGray ? (PixelFormatGray, 1) : cmyk ? (PixelFormatCmyk, 4) : (PixelFormatRgb, 3);
                if ((long)width * height * channels > Array.MaxLength)
                    throw new DataFormatException(name, "JPEG header", $"{width}x{height} pixels are too many to decode into one array");
                if ((long)width * height > MaxPixelsPerByte * file.Length)
                    throw new DataFormatException(name, "JPEG header", $"{width}x{height} pixels are more than a file of {file.Length} bytes can hold (at most {MaxPixelsPerByte} a byte)");
                var pixels = new byte[width * height * channels];
                fixed (byte* target = pixels)
                {
                    if (tj.Decompress2(handle, source, size, target, width, 0, height, format, 0) != 0)
                    {
                        // libjpeg only warns when data is missing or corrupt, and paints what it lost grey. Such images are
                        // refused; a warning that loses nothing (stray bytes between markers) is let through, as Pillow does.
                        // TurboJPEG keeps only the last message, and calls a fatal error after a warning a warning.
                        var message = ErrorText(tj, handle);
                        var harmless = tj.GetErrorCode(handle) != ErrorFatal && HarmlessWarnings.Any(w => message.Contains(w, StringComparison.OrdinalIgnoreCase));
                        if (!harmless)
                            throw new DataFormatException(name, "JPEG data", message.Contains("Premature end", StringComparison.OrdinalIgnoreCase) ? $"{message}: the file is truncated" : message);
                    }
                }
                return cmyk
                    ? new DecodedImage(width, height, 3, CmykToRgb(pixels))
                    : new DecodedImage(width, height, channels, pixels);
            }
        }
        finally
        {
            tj.Destroy(handle);
        }
    }

    static string ErrorText(TurboJpeg tj, nint handle) => Marshal.PtrToStringUTF8((nint)tj.GetErrorStr2(handle)) ?? "unknown TurboJPEG error";

    /// <summary>
    /// Pillow reads JPEG CMYK as Adobe's inverted CMYK and converts with R = (255 - C)(255 - K)/255 on the
    /// uninverted values; on the stored (inverted) values s that is R = sK - round((255 - sC) sK / 255).
    /// </summary>
    static byte[] CmykToRgb(byte[] cmyk)
    {
        var rgb = new byte[cmyk.Length / 4 * 3];
        for (int i = 0, o = 0; i < cmyk.Length; i += 4, o += 3)
        {
            var k = cmyk[i + 3];
            for (var c = 0; c < 3; c++) rgb[o + c] = (byte)(k - MulDiv255(255 - cmyk[i + c], k));
        }
        return rgb;
    }

    /// <summary>a * b / 255 rounded, with Pillow's integer formula.</summary>
    static int MulDiv255(int a, int b)
    {
        var t = a * b + 128;
        return ((t >> 8) + t) >> 8;
    }

    sealed class TurboJpeg
    {
        public delegate* unmanaged<nint> InitDecompress;
        public delegate* unmanaged<nint, byte*, CULong, int*, int*, int*, int*, int> DecompressHeader3;
        public delegate* unmanaged<nint, byte*, CULong, byte*, int, int, int, int, int, int> Decompress2;
        public delegate* unmanaged<nint, byte*> GetErrorStr2;
        public delegate* unmanaged<nint, int> GetErrorCode;
        public delegate* unmanaged<nint, int> Destroy;

        public static TurboJpeg Load()
        {
            if (!NativeLibrary.TryLoad(LibraryName, out var lib))
                throw new DllNotFoundException($"{LibraryName} (libjpeg-turbo's TurboJPEG) is not installed: JPEG decoding needs Debian's libturbojpeg0 package (apt-get install libturbojpeg0, or scripts/setup.sh)");
            return new TurboJpeg
            {
                InitDecompress = (delegate* unmanaged<nint>)NativeLibrary.GetExport(lib, "tjInitDecompress"),
                DecompressHeader3 = (delegate* unmanaged<nint, byte*, CULong, int*, int*, int*, int*, int>)NativeLibrary.GetExport(lib, "tjDecompressHeader3"),
                Decompress2 = (delegate* unmanaged<nint, byte*, CULong, byte*, int, int, int, int, int, int>)NativeLibrary.GetExport(lib, "tjDecompress2"),
                GetErrorStr2 = (delegate* unmanaged<nint, byte*>)NativeLibrary.GetExport(lib, "tjGetErrorStr2"),
                GetErrorCode = (delegate* unmanaged<nint, int>)NativeLibrary.GetExport(lib, "tjGetErrorCode"),
                Destroy = (delegate* unmanaged<nint, int>)NativeLibrary.GetExport(lib, "tjDestroy"),
            };
        }
    }
}
