using System.Buffers;
using System.Text;
using System.Text.Json;
using VaeLab.Data.Strokes;

namespace VaeLab.Data.QuickDraw;

sealed partial class QuickDrawLineParser
{
    /// <summary>
    /// The drawing of a line in the layout Google writes: an object of the six keys, each once, in any order, strings
    /// without escapes, numbers without exponent, strokes of two or three equally long columns, and nothing wrong.
    /// Null for any other line, which <see cref="Utf8JsonReader"/> then parses or reports, so that this scanner decides
    /// no errors: it only has to accept nothing that is not valid JSON and to read what it accepts as the reader does.
    /// </summary>
    Drawing? TryParseLayout(ReadOnlySpan<byte> line)
    {
        var text = new Cursor(line);
        string? keyId = null, word = null, country = null, timestamp = null;
        var recognized = false;
        var seen = 0;
        if (!text.Take((byte)'{')) return null;
        do
        {
            if (!text.TakeString(out var key) || !text.Take((byte)':')) return null;
            int field;
            bool ok;
            if (key.SequenceEqual("drawing"u8)) (field, ok) = (0, TakeStrokes(ref text));
            else if (key.SequenceEqual("key_id"u8)) (field, ok) = (1, text.TakeText(out keyId));
            else if (key.SequenceEqual("word"u8)) (field, ok) = (2, text.TakeText(out word));
            else if (key.SequenceEqual("countrycode"u8)) (field, ok) = (3, text.TakeText(out country));
            else if (key.SequenceEqual("recognized"u8)) (field, ok) = (4, (recognized = text.TakeWord("true"u8)) || text.TakeWord("false"u8));
            else if (key.SequenceEqual("timestamp"u8)) (field, ok) = (5, text.TakeWord("null"u8) || text.TakeText(out timestamp));
            else return null;
            if (!ok || (seen & (1 << field)) != 0) return null;
            seen |= 1 << field;
        }
        while (text.Take((byte)','));
        DateTimeOffset time = default;
        if (!text.Take((byte)'}') || !text.AtEnd || seen != 0b111111 || (timestamp is not null && !TryParseTimestamp(timestamp, out time)))
            return null;
        return new Drawing(keyId!, word!, country!, recognized, timestamp is null ? null : time, strokes.ToArray());
    }

    bool TakeStrokes(ref Cursor text)
    {
        strokes.Clear();
        if (!text.Take((byte)'[')) return false;
        if (text.Take((byte)']')) return true;
        do
        {
            if (!text.Take((byte)'[')) return false;
            var count = 0;
            do
            {
                if (count == 3 || !TakeColumn(ref text, count++)) return false;
            }
            while (text.Take((byte)','));
            if (!text.Take((byte)']') || count < 2 || !TryAddStroke(count)) return false;
        }
        while (text.Take((byte)','));
        return text.Take((byte)']');
    }

    bool TakeColumn(ref Cursor text, int column)
    {
        if (!text.Take((byte)'[')) return false;
        var n = 0;
        if (!text.Take((byte)']'))
        {
            var values = columns[column];
            do
            {
                if (!text.TakeNumber(out var value)) return false;
                if (n == values.Length) values = Grow(column);
                values[n++] = value;
            }
            while (text.Take((byte)','));
            if (!text.Take((byte)']')) return false;
        }
        lengths[column] = n;
        return true;
    }

    /// <summary>A position in a line and the JSON pieces that can be taken from it; each skips white space first.</summary>
    ref struct Cursor(ReadOnlySpan<byte> line)
    {
        // What ends a string this scanner reads: its closing quote, or an escape or a control character (refused).
        static readonly SearchValues<byte> StringEnds = SearchValues.Create([(byte)'"', (byte)'\\', .. Enumerable.Range(0, 0x20).Select(b => (byte)b)]);

        readonly ReadOnlySpan<byte> line = line;
        int at;

        void SkipSpace()
        {
            while (at < line.Length && line[at] is (byte)' ' or (byte)'\t' or (byte)'\n' or (byte)'\r') at++;
        }

        public bool AtEnd
        {
            get
            {
                SkipSpace();
                return at == line.Length;
            }
        }

        public bool Take(byte c)
        {
            // Google's lines hold no white space, so look for it only when the byte is not the one expected.
            if (at == line.Length || line[at] != c)
            {
                SkipSpace();
                if (at == line.Length || line[at] != c) return false;
            }
            at++;
            return true;
        }

        public bool TakeWord(ReadOnlySpan<byte> word)
        {
            SkipSpace();
            if (!line[at..].StartsWith(word)) return false;
            at += word.Length;
            return true;
        }

        public bool TakeNumber(out float value)
        {
            var length = PlainDecimal.Parse(line[at..], out value);
            if (length == 0)
            {
                SkipSpace();
                length = PlainDecimal.Parse(line[at..], out value);
            }
            at += length;
            return length > 0;
        }

        public bool TakeString(out ReadOnlySpan<byte> value)
        {
            value = default;
            if (!Take((byte)'"')) return false;
            var length = line[at..].IndexOfAny(StringEnds);
            if (length < 0 || line[at + length] != '"') return false;
            value = line.Slice(at, length);
            at += length + 1;
            return true;
        }

        /// <summary>A string as <see cref="ReadText"/> decodes it.</summary>
        public bool TakeText(out string? value)
        {
            value = TakeString(out var bytes) ? Encoding.UTF8.GetString(bytes) : null;
            return value is not null;
        }
    }
}
