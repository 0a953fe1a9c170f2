namespace VaeLab.Data;

/// <summary>
/// The lines of a stream as UTF-8 bytes, split as <see cref="StreamReader.ReadLine"/> splits them ("\n", "\r" or
/// "\r\n" ends a line; a UTF-8 byte order mark at the start is dropped), so that a parser of UTF-8 sees each line
/// without a round trip through UTF-16 strings. <see cref="Current"/> stays valid until the next <see cref="MoveNext"/>.
/// </summary>
sealed class ByteLines(Stream stream)
{
    static ReadOnlySpan<byte> ByteOrderMark => [0xEF, 0xBB, 0xBF];

    byte[] buffer = new byte[1 << 16];
    int position, filled, lineStart, lineLength;
    bool started, ended, lineFeedMayFollow;

    public ReadOnlySpan<byte> Current => buffer.AsSpan(lineStart, lineLength);

    public bool MoveNext()
    {
        if (!started) Start();
        // Bytes after position already searched for a line end, so that a long line arriving in small reads is
        // searched once.
        var searched = 0;
        while (true)
        {
            var at = buffer.AsSpan(position + searched, filled - position - searched).IndexOfAny((byte)'\n', (byte)'\r');
            if (at >= 0)
            {
                var end = position + searched + at;
                (lineStart, lineLength, position) = (position, end - position, end + 1);
                if (buffer[end] == '\r')
                {
                    if (position < filled) position += buffer[position] == '\n' ? 1 : 0;
                    else lineFeedMayFollow = true;
                }
                return true;
            }
            if (ended)
            {
                if (position == filled) return false;
                (lineStart, lineLength, position) = (position, filled - position, filled);
                return true;
            }
            searched = filled - position;
            Fill();
        }
    }

    void Start()
    {
        started = true;
        filled = stream.ReadAtLeast(buffer, ByteOrderMark.Length, throwOnEndOfStream: false);
        if (buffer.AsSpan(0, filled).StartsWith(ByteOrderMark)) position = ByteOrderMark.Length;
    }

    /// <summary>
    /// Reads more after the unfinished line, which moves to the front of the buffer first (doubling the buffer
    /// when the line fills it).
    /// </summary>
    void Fill()
    {
        if (position > 0)
        {
            buffer.AsSpan(position, filled - position).CopyTo(buffer);
            (filled, position) = (filled - position, 0);
        }
        else if (filled == buffer.Length) Array.Resize(ref buffer, 2 * buffer.Length);
        var read = stream.Read(buffer, filled, buffer.Length - filled);
        ended = read == 0;
        // A "\r" that ended the previous read and a "\n" that starts this one are one line end.
        if (lineFeedMayFollow && read > 0 && buffer[filled] == '\n') position++;
        lineFeedMayFollow = false;
        filled += read;
    }
}
