using System.Buffers.Binary;
using System.Globalization;
using System.Text;

namespace VaeLab.Data.Formats;

/// <summary>
/// The header of a .npy file: format version, element type, memory order and shape. Versions 1.0 and
/// 2.0 store the header as latin-1 text, 3.0 as UTF-8; 1.0 gives its length in 2 bytes, the others in 4.
/// </summary>
public sealed record NpyHeader(NpyDtype Dtype, bool FortranOrder, long[] Shape, int MajorVersion = 1)
{
    static readonly byte[] Magic = [0x93, .. "NUMPY"u8];
    // numpy aligns the data to 64 bytes for memory mapping and refuses headers longer than this.
    const int Alignment = 64;
    const int MaxHeaderLength = 1 << 20;

    /// <summary>Elements in the array: the product of the shape (1 for a 0-d array).</summary>
    public long Count => Shape.Aggregate(1L, (a, n) => checked(a * n));

    /// <summary>Bytes of data after the header (for plain, not object, arrays).</summary>
    public long DataBytes => checked(Count * Dtype.ItemSize());

    /// <summary>Reads a header, leaving <paramref name="stream"/> at the start of the data.</summary>
    public static NpyHeader Read(Stream stream, string name)
    {
        var prefix = new byte[Magic.Length + 2];
        if (stream.ReadAtLeast(prefix, prefix.Length, throwOnEndOfStream: false) < prefix.Length || !prefix.AsSpan(0, Magic.Length).SequenceEqual(Magic))
            throw Error(name, "not a .npy file (no \\x93NUMPY magic)");
        var major = prefix[Magic.Length];
        if (major is not (1 or 2 or 3)) throw Error(name, $"unsupported .npy format version {major}.{prefix[Magic.Length + 1]}");
        var lengthBytes = new byte[major == 1 ? 2 : 4];
        if (stream.ReadAtLeast(lengthBytes, lengthBytes.Length, throwOnEndOfStream: false) < lengthBytes.Length) throw Error(name, "truncated header");
        var length = major == 1 ? BinaryPrimitives.ReadUInt16LittleEndian(lengthBytes) : BinaryPrimitives.ReadUInt32LittleEndian(lengthBytes);
        if (length > MaxHeaderLength) throw Error(name, $"header length {length} is implausibly large");
        var text = new byte[length];
        if (stream.ReadAtLeast(text, text.Length, throwOnEndOfStream: false) < text.Length) throw Error(name, "truncated header");
        var encoding = major == 3 ? new UTF8Encoding(false, throwOnInvalidBytes: true) : Encoding.Latin1;
        try { return Parse(encoding.GetString(text), major); }
        catch (FormatException e) { throw Error(name, e.Message); }
        catch (DecoderFallbackException e) { throw Error(name, $"the header is not UTF-8: {e.Message}"); }
    }

    static DataFormatException Error(string name, string reason) => new(name, "header", reason);

    static NpyHeader Parse(string text, int major)
    {
        var literal = new PythonLiteral(text);
        var dict = literal.ParseDict();
        if (!dict.Keys.Order(StringComparer.Ordinal).SequenceEqual(["descr", "fortran_order", "shape"]))
            throw new FormatException($"header keys are {{{string.Join(", ", dict.Keys)}}}, expected descr, fortran_order and shape");
        if (dict["descr"] is not string descr) throw new FormatException("descr is not a type string (structured dtypes are not supported)");
        var dtype = NpyDtypeExtensions.FromDescr(descr) ?? throw new FormatException($"unsupported dtype '{descr}' (supported: u1 i2 i4 i8 f4 f8 b1 O, little-endian)");
        if (dict["fortran_order"] is not bool fortran) throw new FormatException("fortran_order is not True or False");
        if (dict["shape"] is not List<object> { } dims || dims.Any(d => d is not long))
            throw new FormatException("shape is not a tuple of integers");
        var shape = dims.Cast<long>().ToArray();
        if (shape.Any(n => n < 0)) throw new FormatException($"shape ({string.Join(", ", shape)}) has a negative size");
        var header = new NpyHeader(dtype, fortran, shape, major);
        try { _ = dtype == NpyDtype.Object ? header.Count : header.DataBytes; }
        catch (OverflowException) { throw new FormatException($"shape ({string.Join(", ", shape)}) is too large: its size in bytes does not fit 64 bits"); }
        return header;
    }

    /// <summary>Writes this header in the smallest version that holds it (1.0, else 2.0), padded to 64 bytes.</summary>
    public void Write(Stream stream)
    {
        var dims = Shape.Length == 1 ? $"{Shape[0]}," : string.Join(", ", Shape);
        var dict = $"{{'descr': '{Dtype.Descr()}', 'fortran_order': {(FortranOrder ? "True" : "False")}, 'shape': ({dims}), }}";
        var major = Magic.Length + 2 + 2 + dict.Length + 1 <= ushort.MaxValue ? 1 : 2;
        var prefix = Magic.Length + 2 + (major == 1 ? 2 : 4);
        var padded = dict.PadRight((prefix + dict.Length + 1 + Alignment - 1) / Alignment * Alignment - prefix - 1) + "\n";
        stream.Write(Magic);
        stream.Write([(byte)major, 0]);
        if (major == 1) stream.Write(BitConverter.GetBytes((ushort)padded.Length));
        else stream.Write(BitConverter.GetBytes((uint)padded.Length));
        stream.Write(Encoding.Latin1.GetBytes(padded));
    }

    /// <summary>
    /// The Python literals of .npy headers: a dict of strings to strings, booleans and tuples of integers.
    /// Tuples and lists come back as List&lt;object&gt;. Nesting is capped, so that a header of a million
    /// parentheses is an error rather than a stack overflow.
    /// </summary>
    sealed class PythonLiteral(string text)
    {
        // numpy's headers nest two deep (a shape in the dict); structured dtypes, which are refused anyway, a few more.
        const int MaxDepth = 8;
        int position;
        int depth;

        public Dictionary<string, object> ParseDict()
        {
            Expect('{');
            var dict = new Dictionary<string, object>();
            while (!TryTake('}'))
            {
                if (ParseValue() is not string key) throw new FormatException($"dict key at column {position} is not a string");
                Expect(':');
                if (!dict.TryAdd(key, ParseValue())) throw new FormatException($"key '{key}' appears twice");
                if (!TryTake(',')) { Expect('}'); break; }
            }
            SkipSpace();
            if (position != text.Length) throw new FormatException($"unexpected text after the dict at column {position}");
            return dict;
        }

        object ParseValue()
        {
            SkipSpace();
            if (position >= text.Length) throw new FormatException("the header ends early");
            var c = text[position];
            if (c is '\'' or '"') return ParseString(c);
            if (c is '(' or '[') return ParseSequence(c == '(' ? ')' : ']');
            if (c is '-' or >= '0' and <= '9') return ParseInteger();
            if (TryWord("True")) return true;
            if (TryWord("False")) return false;
            throw new FormatException($"unexpected '{c}' at column {position}");
        }

        string ParseString(char quote)
        {
            var end = text.IndexOf(quote, position + 1);
            if (end < 0) throw new FormatException($"unterminated string at column {position}");
            var value = text[(position + 1)..end];
            position = end + 1;
            return value;
        }

        List<object> ParseSequence(char close)
        {
            if (++depth > MaxDepth) throw new FormatException($"tuples or lists nest deeper than {MaxDepth} levels at column {position}");
            position++;
            var items = new List<object>();
            while (!TryTake(close))
            {
                items.Add(ParseValue());
                if (!TryTake(',')) { Expect(close); break; }
            }
            depth--;
            return items;
        }

        long ParseInteger()
        {
            var start = position;
            if (text[position] == '-') position++;
            while (position < text.Length && char.IsAsciiDigit(text[position])) position++;
            // Python 2 wrote long dimensions with an L suffix: (3L, 784L).
            var digits = text[start..position];
            if (position < text.Length && text[position] == 'L') position++;
            return long.TryParse(digits, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var value)
                ? value : throw new FormatException($"'{digits}' at column {start} is not a 64-bit integer");
        }

        bool TryWord(string word)
        {
            if (string.CompareOrdinal(text, position, word, 0, word.Length) != 0) return false;
            position += word.Length;
            return true;
        }

        void SkipSpace()
        {
            while (position < text.Length && char.IsWhiteSpace(text[position])) position++;
        }

        bool TryTake(char c)
        {
            SkipSpace();
            if (position < text.Length && text[position] == c) { position++; return true; }
            return false;
        }

        void Expect(char c)
        {
            if (!TryTake(c)) throw new FormatException($"expected '{c}' at column {position}");
        }
    }
}
