using System.IO.Compression;
using VaeLab.Data.Formats;

namespace VaeLab.Data;

/// <summary>Opens data files for reading, decompressing gzip when the content starts with its magic bytes.</summary>
public static class DataFile
{
    /// <summary>Opens <paramref name="path"/>, gzip-decompressed if it is gzip data whatever its extension.</summary>
    public static Stream OpenRead(string path) => OpenRead(File.OpenRead(path), path);

    /// <summary>
    /// Wraps a seekable stream (and takes ownership of it): gzip data comes back decompressed and checked
    /// against its trailer, anything else comes back as it is. <paramref name="name"/> names it in errors.
    /// </summary>
    public static Stream OpenRead(Stream stream, string name)
    {
        if (!stream.CanSeek)
        {
            stream.Dispose();
            throw new ArgumentException($"{name}: reading needs a seekable stream (a file or a MemoryStream)", nameof(stream));
        }
        return IsGzip(stream) ? new GzipCheckedStream(stream, name) : stream;
    }

    /// <summary>Creates <paramref name="path"/> for writing, gzip-compressed when asked.</summary>
    public static Stream Create(string path, bool gzip = false)
    {
        var file = File.Create(path);
        return gzip ? new GZipStream(file, CompressionLevel.Optimal) : file;
    }

    static bool IsGzip(Stream stream)
    {
        var start = stream.Position;
        Span<byte> magic = stackalloc byte[2];
        var n = stream.ReadAtLeast(magic, 2, throwOnEndOfStream: false);
        stream.Position = start;
        return n == 2 && magic[0] == 0x1f && magic[1] == 0x8b;
    }

    /// <summary>
    /// Decompresses gzip and, at the end, compares the CRC-32 and length of what came out with the trailer:
    /// .NET's GZipStream ends quietly when the compressed data is cut short, so this is what detects
    /// truncated files. The trailer checked is the file's last, so concatenated gzip members are refused.
    /// </summary>
    sealed class GzipCheckedStream(Stream compressed, string name) : Stream
    {
        const int TrailerSize = 8;
        readonly GZipStream gzip = new(compressed, CompressionMode.Decompress);
        uint crc;
        long length;
        bool checkedTrailer;

        public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

        public override int Read(Span<byte> buffer)
        {
            int n;
            try { n = gzip.Read(buffer); }
            catch (InvalidDataException e) { throw new DataFormatException(name, $"gzip data after {length} bytes", e.Message, e); }
            if (n == 0 && buffer.Length > 0) CheckTrailer();
            crc = Crc32.Append(crc, buffer[..n]);
            length += n;
            return n;
        }

        void CheckTrailer()
        {
            if (checkedTrailer) return;
            checkedTrailer = true;
            Span<byte> trailer = stackalloc byte[TrailerSize];
            if (compressed.Length < 18)
                throw new DataFormatException(name, "gzip data", "the file is too short to be gzip data (truncated?)");
            compressed.Position = compressed.Length - TrailerSize;
            compressed.ReadExactly(trailer);
            var expectedCrc = BitConverter.ToUInt32(trailer);
            var expectedLength = BitConverter.ToUInt32(trailer[4..]);
            if (expectedCrc != crc || expectedLength != (uint)length)
                throw new DataFormatException(name, $"gzip data after {length} bytes",
                    "the data does not match the gzip trailer: the file is truncated or corrupt (or holds several gzip members, which is not supported)");
        }

        protected override void Dispose(bool disposing)
        {
            if (disposing) gzip.Dispose();
            base.Dispose(disposing);
        }

        public override bool CanRead => true;
        public override bool CanSeek => false;
        public override bool CanWrite => false;
        public override long Length => throw new NotSupportedException();
        public override long Position { get => length; set => throw new NotSupportedException(); }
        public override void Flush() { }
        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();
        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    }
}
