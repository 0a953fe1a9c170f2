namespace VaeLab.Data;

/// <summary>
/// Reading a count of bytes that a file's header announced. The header may lie: memory is taken as the bytes
/// arrive (doubling from a megabyte), so a header claiming gigabytes in a file of a few bytes fails at the file's
/// end rather than first allocating what it claims.
/// </summary>
static class StreamBytes
{
    const int FirstPiece = 1 << 20;

    /// <summary>
    /// Reads exactly <paramref name="count"/> bytes (at most Array.MaxLength: one array); when the stream ends
    /// first, throws what <paramref name="truncated"/> makes of the number of bytes that did arrive.
    /// </summary>
    public static byte[] ReadExactly(Stream stream, long count, Func<long, DataFormatException> truncated)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(count);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(count, Array.MaxLength);
        if (stream.CanSeek && stream.Length - stream.Position < count) throw truncated(Math.Max(0, stream.Length - stream.Position));
        var bytes = new byte[stream.CanSeek ? count : Math.Min(count, FirstPiece)];
        var filled = 0;
        while (filled < count)
        {
            if (filled == bytes.Length) Array.Resize(ref bytes, (int)Math.Min(count, 2L * bytes.Length));
            var n = stream.Read(bytes, filled, bytes.Length - filled);
            if (n == 0) throw truncated(filled);
            filled += n;
        }
        return bytes;
    }
}
