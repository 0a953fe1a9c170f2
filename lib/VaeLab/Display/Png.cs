using System.Buffers.Binary;
using System.IO.Compression;
using System.Text;

namespace VaeLab.Display;

/// <summary>
/// A small PNG codec for 8-bit images: grey, grey+alpha, RGB and RGBA, not interlaced. The encoder picks
/// each row's filter by the usual heuristic (smallest sum of absolute filtered bytes); the decoder reads
/// what such encoders write and refuses other PNG variants by name.
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

    /// <summary>Decodes an 8-bit, non-interlaced grey, grey+alpha, RGB or RGBA PNG, checking every chunk's CRC.</summary>
    public static Image Decode(ReadOnlySpan<byte> png)
    {
        if (png.Length < Signature.Length || !png[..Signature.Length].SequenceEqual(Signature))
            throw new InvalidDataException("not a PNG: the file does not start with the PNG signature");
        int width = 0, height = 0, channels = 0;
        var compressed = new MemoryStream();
        var position = Signature.Length;
        var ended = false;
        while (!ended)
        {
            if (position + 12 > png.Length) throw new InvalidDataException("truncated PNG: no IEND chunk");
            var length = BinaryPrimitives.ReadInt32BigEndian(png[position..]);
            if (length < 0 || position + 12L + length > png.Length) throw new InvalidDataException($"truncated PNG: a chunk at byte {position} runs past the end");
            var typeAndData = png.Slice(position + 4, 4 + length);
            var type = Encoding.ASCII.GetString(typeAndData[..4]);
            var data = typeAndData[4..];
            if (Data.Crc32.Append(0, typeAndData) != BinaryPrimitives.ReadUInt32BigEndian(png[(position + 8 + length)..]))
                throw new InvalidDataException($"corrupt PNG: the CRC of the {type} chunk at byte {position} does not match");
            position += 12 + length;
            switch (type)
            {
                case "IHDR":
                    width = BinaryPrimitives.ReadInt32BigEndian(data);
                    height = BinaryPrimitives.ReadInt32BigEndian(data[4..]);
                    var (depth, colorType, interlace) = (data[8], data[9], data[12]);
                    channels = Array.IndexOf(ColorTypes, colorType) + 1;
                    if (depth != 8 || channels == 0 || interlace != 0)
                        throw new NotSupportedException($"PNG with bit depth {depth}, colour type {colorType}, interlace {interlace}: " +
                            "only 8-bit grey, grey+alpha, RGB and RGBA without interlacing are read");
                    break;
                case "IDAT":
                    compressed.Write(data);
                    break;
                case "IEND":
                    ended = true;
                    break;
            }
        }
        if (channels == 0) throw new InvalidDataException("corrupt PNG: no IHDR chunk");

        var stride = width * channels;
        var filtered = new byte[(long)height * (stride + 1)];
        compressed.Position = 0;
        using (var zlib = new ZLibStream(compressed, CompressionMode.Decompress))
        {
            try { zlib.ReadExactly(filtered); }
            catch (EndOfStreamException) { throw new InvalidDataException($"corrupt PNG: the image data holds fewer than {height} rows of {width} pixels"); }
        }
        var pixels = new byte[(long)height * stride];
        var previous = new byte[stride];
        for (var y = 0; y < height; y++)
        {
            var filter = filtered[y * (stride + 1)];
            if (filter > 4) throw new InvalidDataException($"corrupt PNG: row {y} has unknown filter type {filter}");
            var source = filtered.AsSpan(y * (stride + 1) + 1, stride);
            var row = pixels.AsSpan(y * stride, stride);
            for (var i = 0; i < stride; i++) row[i] = (byte)(source[i] + Predict(filter, row, previous, i, channels));
            row.CopyTo(previous);
        }
        return new Image(pixels, width, height, channels);
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
