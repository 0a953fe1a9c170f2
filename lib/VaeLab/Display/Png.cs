using System.Buffers.Binary;
using System.IO.Compression;
using System.Text;
using VaeLab.Data.Images;

namespace VaeLab.Display;

/// <summary>
/// PNG for display: an encoder for 8-bit grey, grey+alpha, RGB and RGBA images that picks each row's filter
/// by the usual heuristic (smallest sum of absolute filtered bytes), and decoding of any PNG to 8 bits.
/// </summary>
public static class Png
{
    static readonly byte[] Signature = [0x89, (byte)'P', (byte)'N', (byte)'G', 0x0D, 0x0A, 0x1A, 0x0A];

    /// <summary>PNG colour types by number of channels: grey, grey+alpha, RGB, RGBA.</summary>
    static readonly byte[] ColorTypes = [0, 4, 2, 6];

    /// <summary>Encodes pixels given row by row, top first, with the channels of a pixel side by side.</summary>
    public static byte[] Encode(ReadOnlySpan<byte> pixels, int width, int height, int channels)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(width, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(height, 1);
        if (channels is < 1 or > 4)
            throw new ArgumentOutOfRangeException(nameof(channels), channels, "channels must be 1 (grey), 2 (grey+alpha), 3 (RGB) or 4 (RGBA)");
        var stride = width * channels;
        if (pixels.Length != (long)stride * height)
            throw new ArgumentException($"{width}x{height} pixels of {channels} channel(s) need {(long)stride * height} bytes, got {pixels.Length}", nameof(pixels));

        var compressed = new MemoryStream();
        using (var zlib = new ZLibStream(compressed, CompressionLevel.SmallestSize, leaveOpen: true))
        {
            var previous = new byte[stride];
            var candidate = new byte[stride];
            var best = new byte[stride + 1];
            for (var y = 0; y < height; y++)
            {
                var row = pixels.Slice(y * stride, stride);
                var bestCost = long.MaxValue;
                for (byte filter = 0; filter <= 4; filter++)
                {
                    long cost = 0;
                    for (var i = 0; i < stride; i++)
                    {
                        candidate[i] = (byte)(row[i] - Predict(filter, row, previous, i, channels));
                        cost += Math.Abs((int)(sbyte)candidate[i]);
                    }
                    if (cost >= bestCost) continue;
                    bestCost = cost;
                    best[0] = filter;
                    candidate.CopyTo(best, 1);
                }
                zlib.Write(best);
                row.CopyTo(previous);
            }
        }

        var header = new byte[13];
        BinaryPrimitives.WriteInt32BigEndian(header, width);
        BinaryPrimitives.WriteInt32BigEndian(header.AsSpan(4), height);
        header[8] = 8;
        header[9] = ColorTypes[channels - 1];
        var png = new MemoryStream();
        png.Write(Signature);
        WriteChunk(png, "IHDR", header);
        WriteChunk(png, "IDAT", compressed.ToArray());
        WriteChunk(png, "IEND", []);
        return png.ToArray();
    }

    /// <summary>Decodes any PNG, through the data layer's full decoder, to 8-bit samples.</summary>
    public static Image Decode(ReadOnlySpan<byte> png)
    {
        var decoded = PngDecoder.Decode(png, "PNG data");
        var pixels = new byte[decoded.Width * decoded.Height * decoded.Channels];
        var scale = 255.0 / decoded.MaxValue;
        var i = 0;
        for (var y = 0; y < decoded.Height; y++)
            for (var x = 0; x < decoded.Width; x++)
                for (var c = 0; c < decoded.Channels; c++)
                    pixels[i++] = (byte)Math.Round(decoded[y, x, c] * scale);
        return new Image(pixels, decoded.Width, decoded.Height, decoded.Channels);
    }

    /// <summary>The filter's prediction of byte i of a row, from the bytes left (a), above (b) and above-left (c).</summary>
    static int Predict(byte filter, ReadOnlySpan<byte> row, ReadOnlySpan<byte> previous, int i, int bytesPerPixel)
    {
        int a = i >= bytesPerPixel ? row[i - bytesPerPixel] : 0;
        int b = previous[i];
        int c = i >= bytesPerPixel ? previous[i - bytesPerPixel] : 0;
        switch (filter)
        {
            case 0: return 0;
            case 1: return a;
            case 2: return b;
            case 3: return (a + b) / 2;
            default:
                var p = a + b - c;
                var (pa, pb, pc) = (Math.Abs(p - a), Math.Abs(p - b), Math.Abs(p - c));
                return pa <= pb && pa <= pc ? a : pb <= pc ? b : c;
        }
    }

    static void WriteChunk(Stream png, string type, byte[] data)
    {
        var chunk = new byte[12 + data.Length];
        BinaryPrimitives.WriteInt32BigEndian(chunk, data.Length);
        Encoding.ASCII.GetBytes(type, chunk.AsSpan(4));
        data.CopyTo(chunk, 8);
        BinaryPrimitives.WriteUInt32BigEndian(chunk.AsSpan(8 + data.Length), Data.Crc32.Append(0, chunk.AsSpan(4, 4 + data.Length)));
        png.Write(chunk);
    }
}
