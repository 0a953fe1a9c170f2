using System.Buffers.Binary;
using System.IO.Compression;
using System.Text;

namespace VaeLab.Data.Images;

/// <summary>
/// Decodes PNG files of every kind the specification allows: grey, RGB, palette, grey+alpha and RGBA at each
/// permitted bit depth (1 to 16), plain or Adam7-interlaced, with every chunk's CRC checked. Palettes are
/// expanded to 8-bit RGB, and a tRNS chunk becomes an alpha channel (a palette's per-entry alpha, or the one
/// transparent grey or RGB colour), as libpng's png_set_tRNS_to_alpha and pypng's asDirect give them.
/// Bit depths are kept: see <see cref="DecodedImage"/>.
/// </summary>
public static class PngDecoder
{
    static ReadOnlySpan<byte> Signature => [0x89, (byte)'P', (byte)'N', (byte)'G', 0x0D, 0x0A, 0x1A, 0x0A];

    static readonly (int X, int Y, int Dx, int Dy)[] Adam7 =
        [(0, 0, 8, 8), (4, 0, 8, 8), (0, 4, 4, 8), (2, 0, 4, 4), (0, 2, 2, 4), (1, 0, 2, 2), (0, 1, 1, 2)];

    static readonly (int X, int Y, int Dx, int Dy)[] NoInterlace = [(0, 0, 1, 1)];

    public static bool IsPng(ReadOnlySpan<byte> data) => data.StartsWith(Signature);

    public static DecodedImage Decode(string path) => Decode(File.ReadAllBytes(path), path);

    /// <summary>Decodes a whole PNG file; <paramref name="name"/> names it in errors.</summary>
    public static DecodedImage Decode(ReadOnlySpan<byte> file, string name)
    {
        if (!IsPng(file)) throw new DataFormatException(name, "signature", "not a PNG file (its first 8 bytes are not the PNG signature)");
        Header? header = null;
        byte[]? palette = null;
        byte[]? transparency = null;
        var data = new MemoryStream();
        var dataState = 0; // 0 before the IDAT chunks, 1 inside them, 2 after them
        var position = Signature.Length;
        while (true)
        {
            if (position + 12 > file.Length)
                throw new DataFormatException(name, $"byte {position}", "the file ends before its IEND chunk (truncated)");
            var length = BinaryPrimitives.ReadUInt32BigEndian(file[position..]);
            var type = file.Slice(position + 4, 4);
            var where = $"chunk {ChunkName(type)} at byte {position}";
            if (length > int.MaxValue || position + 12L + length > file.Length)
                throw new DataFormatException(name, where, $"the chunk's {length} bytes run past the end of the file (truncated)");
            var body = file.Slice(position + 8, (int)length);
            var crc = BinaryPrimitives.ReadUInt32BigEndian(file[(position + 8 + (int)length)..]);
            if (Crc32.Append(0, file.Slice(position + 4, 4 + (int)length)) != crc)
                throw new DataFormatException(name, where, "CRC mismatch: the chunk is corrupt");
            position += 12 + (int)length;

            var kind = Encoding.ASCII.GetString(type);
            if (header is null && kind != "IHDR") throw new DataFormatException(name, where, "the first chunk must be IHDR");
            if (dataState == 1 && kind != "IDAT") dataState = 2;
            switch (kind)
            {
                case "IHDR":
                    if (header is not null) throw new DataFormatException(name, where, "a second IHDR chunk");
                    header = Header.Read(body, name, where);
                    break;
                case "PLTE":
                    if (dataState != 0 || palette is not null) throw new DataFormatException(name, where, "PLTE must come once, before the image data");
                    palette = ReadPalette(body, header!, name, where);
                    break;
                case "tRNS":
                    if (dataState != 0 || transparency is not null) throw new DataFormatException(name, where, "tRNS must come once, before the image data");
                    transparency = ReadTransparency(body, header!, palette, name, where);
                    break;
                case "IDAT":
                    if (dataState == 2) throw new DataFormatException(name, where, "the IDAT chunks must follow one another");
                    dataState = 1;
                    data.Write(body);
                    break;
                case "IEND":
                    if (dataState == 0) throw new DataFormatException(name, where, "no IDAT chunk before IEND: the file holds no image data");
                    if (header!.ColorType == 3 && palette is null)
                        throw new DataFormatException(name, "PLTE", "a palette image (colour type 3) needs a PLTE chunk");
                    return Build(header, Inflate(data, header, name), palette, transparency, name);
                default:
                    // Bit 5 of the first letter marks ancillary chunks, which decoders may skip; critical ones they must know.
                    if ((type[0] & 0x20) == 0) throw new DataFormatException(name, where, "an unknown critical chunk");
                    break;
            }
        }
    }

    static string ChunkName(ReadOnlySpan<byte> type)
    {
        foreach (var b in type)
            if (b is < (byte)'A' or > (byte)'z' or (> (byte)'Z' and < (byte)'a')) return "0x" + Convert.ToHexString(type);
        return Encoding.ASCII.GetString(type);
    }

    sealed record Header(int Width, int Height, int BitDepth, int ColorType, bool Interlaced)
    {
        public int Channels => ColorType switch { 0 or 3 => 1, 2 => 3, 4 => 2, _ => 4 };
        public int RowBytes(int width) => (int)(((long)width * Channels * BitDepth + 7) / 8);

        public static Header Read(ReadOnlySpan<byte> body, string name, string where)
        {
            if (body.Length != 13) throw new DataFormatException(name, where, $"IHDR holds {body.Length} bytes instead of 13");
            var width = BinaryPrimitives.ReadUInt32BigEndian(body);
            var height = BinaryPrimitives.ReadUInt32BigEndian(body[4..]);
            int depth = body[8], colorType = body[9];
            if (width is 0 or > int.MaxValue) throw new DataFormatException(name, where, $"width {width} is not between 1 and 2^31 - 1");
            if (height is 0 or > int.MaxValue) throw new DataFormatException(name, where, $"height {height} is not between 1 and 2^31 - 1");
            int[] allowed = colorType switch
            {
                0 => [1, 2, 4, 8, 16],
                2 or 4 or 6 => [8, 16],
                3 => [1, 2, 4, 8],
                _ => throw new DataFormatException(name, where, $"colour type {colorType} is not 0, 2, 3, 4 or 6"),
            };
            if (!allowed.Contains(depth))
                throw new DataFormatException(name, where, $"bit depth {depth} is not allowed for colour type {colorType} (allowed: {string.Join(", ", allowed)})");
            if (body[10] != 0) throw new DataFormatException(name, where, $"compression method {body[10]} is not 0 (deflate)");
            if (body[11] != 0) throw new DataFormatException(name, where, $"filter method {body[11]} is not 0");
            if (body[12] > 1) throw new DataFormatException(name, where, $"interlace method {body[12]} is not 0 (none) or 1 (Adam7)");
            var header = new Header((int)width, (int)height, depth, colorType, body[12] == 1);
            var outChannels = colorType == 3 ? 4 : header.Channels + 1;
            if ((long)header.Width * header.Height * outChannels * (depth == 16 ? 2 : 1) > Array.MaxLength)
                throw new DataFormatException(name, where, $"{width}x{height} pixels are too many to decode into one array");
            return header;
        }
    }

    static byte[] ReadPalette(ReadOnlySpan<byte> body, Header header, string name, string where)
    {
        if (header.ColorType is 0 or 4) throw new DataFormatException(name, where, $"colour type {header.ColorType} (grey) must not have a palette");
        if (body.Length == 0 || body.Length % 3 != 0 || body.Length > 3 * 256)
            throw new DataFormatException(name, where, $"a palette holds 1 to 256 RGB entries (3 bytes each), not {body.Length} bytes");
        if (header.ColorType == 3 && body.Length / 3 > 1 << header.BitDepth)
            throw new DataFormatException(name, where, $"{body.Length / 3} palette entries are more than {header.BitDepth}-bit indices can reach");
        return body.ToArray();
    }

    static byte[] ReadTransparency(ReadOnlySpan<byte> body, Header header, byte[]? palette, string name, string where)
    {
        switch (header.ColorType)
        {
            case 0 or 2 when body.Length != (header.ColorType == 0 ? 2 : 6):
                throw new DataFormatException(name, where, $"tRNS holds {body.Length} bytes instead of {(header.ColorType == 0 ? 2 : 6)}");
            case 3 when palette is null:
                throw new DataFormatException(name, where, "tRNS must follow the PLTE chunk");
            case 3 when body.Length == 0 || body.Length > palette.Length / 3:
                throw new DataFormatException(name, where, $"tRNS holds {body.Length} alpha values for {palette.Length / 3} palette entries");
            case 4 or 6:
                throw new DataFormatException(name, where, $"colour type {header.ColorType} has an alpha channel and must not have tRNS");
        }
        return body.ToArray();
    }

    static IEnumerable<(int X, int Y, int Dx, int Dy, int Width, int Height)> Passes(Header header) =>
        (header.Interlaced ? Adam7 : NoInterlace)
            .Select(p => (p.X, p.Y, p.Dx, p.Dy, Width: (header.Width - p.X + p.Dx - 1) / p.Dx, Height: (header.Height - p.Y + p.Dy - 1) / p.Dy))
            .Where(p => p.Width > 0 && p.Height > 0);

    static byte[] Inflate(MemoryStream data, Header header, string name)
    {
        var size = Passes(header).Sum(p => (long)p.Height * (1 + header.RowBytes(p.Width)));
        if (size > Array.MaxLength) throw new DataFormatException(name, "IHDR", "the image data would be too large for one array");
        data.Position = 0;
        try
        {
            using var zlib = new ZLibStream(data, CompressionMode.Decompress);
            var raw = StreamBytes.ReadExactly(zlib, size,
                n => new DataFormatException(name, "image data", $"the image data ends after {n} of its {size} bytes (truncated)"));
            // Reading on to the end of the stream makes zlib check its Adler-32; extra data after the image is ignored, as libpng does.
            zlib.ReadAtLeast(new byte[1], 1, throwOnEndOfStream: false);
            return raw;
        }
        catch (InvalidDataException e)
        {
            throw new DataFormatException(name, "image data", $"the zlib data is corrupt: {e.Message}", e);
        }
    }

    static DecodedImage Build(Header header, byte[] raw, byte[]? palette, byte[]? transparency, string name)
    {
        var channels = header.Channels;
        var depth = header.BitDepth;
        var outChannels = header.ColorType == 3 ? (transparency is null ? 3 : 4) : channels + (transparency is null ? 0 : 1);
        var outDepth = header.ColorType == 3 ? 8 : depth;
        var sampleBytes = outDepth == 16 ? 2 : 1;
        var samples = new byte[(long)header.Width * header.Height * outChannels * sampleBytes];
        var bpp = Math.Max(1, channels * depth / 8);
        var pixel = outChannels * sampleBytes;
        var key = transparency is not null && header.ColorType != 3
            ? Enumerable.Range(0, channels).Select(c => BinaryPrimitives.ReadUInt16BigEndian(transparency.AsSpan(2 * c))).ToArray()
            : null;
        var opaque = (1 << outDepth) - 1;

        var offset = 0;
        var pass = 0;
        foreach (var (x0, y0, dx, dy, width, height) in Passes(header))
        {
            var rowBytes = header.RowBytes(width);
            ReadOnlySpan<byte> previous = new byte[rowBytes];
            for (var r = 0; r < height; r++)
            {
                var filter = raw[offset];
                var row = raw.AsSpan(offset + 1, rowBytes);
                offset += 1 + rowBytes;
                if (filter > 4)
                    throw new DataFormatException(name, header.Interlaced ? $"row {r} of pass {pass + 1}" : $"row {r}", $"unknown filter type {filter} (0 to 4 exist)");
                Unfilter(filter, row, previous, bpp);
                var y = y0 + r * dy;
                var line = samples.AsSpan(y * header.Width * pixel, header.Width * pixel);
                if (dx == 1 && depth >= 8 && header.ColorType != 3 && key is null)
                {
                    row.CopyTo(line);
                }
                else
                {
                    for (var i = 0; i < width; i++)
                    {
                        var target = line.Slice((x0 + i * dx) * pixel, pixel);
                        if (header.ColorType == 3)
                        {
                            var index = Sample(row, i, depth);
                            if (index * 3 >= palette!.Length)
                                throw new DataFormatException(name, $"row {y}", $"palette index {index} is beyond the palette's {palette.Length / 3} entries");
                            palette.AsSpan(index * 3, 3).CopyTo(target);
                            if (transparency is not null) target[3] = index < transparency.Length ? transparency[index] : (byte)255;
                            continue;
                        }
                        var matches = key is not null;
                        for (var c = 0; c < channels; c++)
                        {
                            var v = Sample(row, i * channels + c, depth);
                            Put(target, c, v, outDepth);
                            matches &= key is not null && v == key[c];
                        }
                        if (key is not null) Put(target, channels, matches ? 0 : opaque, outDepth);
                    }
                }
                previous = row;
            }
            pass++;
        }
        return new DecodedImage(header.Width, header.Height, outChannels, outDepth, samples);
    }

    static int Sample(ReadOnlySpan<byte> row, int index, int depth) => depth switch
    {
        8 => row[index],
        16 => row[2 * index] << 8 | row[2 * index + 1],
        _ => row[index * depth / 8] >> (8 - depth - index * depth % 8) & ((1 << depth) - 1),
    };

    static void Put(Span<byte> pixel, int channel, int value, int depth)
    {
        if (depth == 16) BinaryPrimitives.WriteUInt16BigEndian(pixel[(2 * channel)..], (ushort)value);
        else pixel[channel] = (byte)value;
    }

    /// <summary>Undoes a row's filter in place; bytes before the row's start and above the first row count as 0.</summary>
    static void Unfilter(byte filter, Span<byte> row, ReadOnlySpan<byte> previous, int bpp)
    {
        switch (filter)
        {
            case 1:
                for (var i = bpp; i < row.Length; i++) row[i] += row[i - bpp];
                break;
            case 2:
                for (var i = 0; i < row.Length; i++) row[i] += previous[i];
                break;
            case 3:
                for (var i = 0; i < row.Length; i++) row[i] += (byte)(((i >= bpp ? row[i - bpp] : 0) + previous[i]) >> 1);
                break;
            case 4:
                for (var i = 0; i < row.Length; i++)
                    row[i] += i >= bpp ? Paeth(row[i - bpp], previous[i], previous[i - bpp]) : previous[i];
                break;
        }
    }

    static byte Paeth(int a, int b, int c)
    {
        var p = a + b - c;
        int pa = Math.Abs(p - a), pb = Math.Abs(p - b), pc = Math.Abs(p - c);
        return (byte)(pa <= pb && pa <= pc ? a : pb <= pc ? b : c);
    }
}
