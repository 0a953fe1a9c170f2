using System.Globalization;
using System.Text;
using System.Text.Json;
using VaeLab.Data.Strokes;

namespace VaeLab.Data.QuickDraw;

/// <summary>
/// Parses one QuickDraw ndjson line from its UTF-8 bytes, with no document tree: coordinates go into scratch columns
/// reused from line to line and are copied once into arrays of the right length.
/// <para>
/// Lines in the layout Google writes are read by a scanner of that layout alone (see <see cref="TryParseLayout"/>),
/// several times faster than a JSON tokenizer; every other line, and every line with a problem, goes through
/// <see cref="Utf8JsonReader"/>. There fields may come in any order (the last of a repeated key counts, unknown keys
/// are skipped); a line that is not valid JSON is reported as such whatever else is wrong with it, and other problems
/// are reported after the whole line has been read, the first in the order drawing, key_id, word, countrycode,
/// recognized, timestamp.
/// </para>
/// </summary>
sealed partial class QuickDrawLineParser
{
    // Google writes BigQuery's UTC timestamps: "2017-03-28 15:28:06.10658 UTC" (trailing zeros dropped).
    internal const string TimestampFormat = "yyyy-MM-dd HH:mm:ss.FFFFFFF";
    internal const string TimestampSuffix = " UTC";

    /// <summary>A field's token (None while missing) and its text when it is a string.</summary>
    readonly record struct Scalar(JsonTokenType Token, string? Text);

    readonly float[][] columns = [new float[256], new float[256], new float[256]];
    readonly int[] lengths = new int[3];
    readonly List<Stroke> strokes = [];
    JsonTokenType drawingToken;
    string? drawingError;

    /// <summary>The drawing on <paramref name="line"/>; a FormatException says what is wrong with it.</summary>
    public Drawing Parse(ReadOnlySpan<byte> line)
    {
        if (TryParseLayout(line) is { } drawing) return drawing;
        var reader = new Utf8JsonReader(line);
        try { return Parse(ref reader); }
        catch (JsonException e) { throw new FormatException($"invalid JSON: {e.Message}", e); }
        // Strings the reader cannot turn into text: invalid UTF-8 or an escaped lone surrogate.
        catch (InvalidOperationException e) { throw new FormatException($"invalid JSON: {e.Message}", e); }
    }

    Drawing Parse(ref Utf8JsonReader reader)
    {
        reader.Read();
        if (reader.TokenType != JsonTokenType.StartObject)
        {
            var kind = Kind(reader.TokenType);
            reader.Skip();
            reader.Read();
            throw new FormatException($"expected a JSON object, found {kind}");
        }
        (drawingToken, drawingError) = (JsonTokenType.None, null);
        strokes.Clear();
        Scalar keyId = default, word = default, country = default, recognized = default, timestamp = default;
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            if (reader.ValueTextEquals("drawing"u8)) ReadDrawing(ref reader);
            else if (reader.ValueTextEquals("key_id"u8)) keyId = ReadScalar(ref reader);
            else if (reader.ValueTextEquals("word"u8)) word = ReadScalar(ref reader);
            else if (reader.ValueTextEquals("countrycode"u8)) country = ReadScalar(ref reader);
            else if (reader.ValueTextEquals("recognized"u8)) recognized = ReadScalar(ref reader);
            else if (reader.ValueTextEquals("timestamp"u8)) timestamp = ReadScalar(ref reader);
            else reader.Skip();
        }
        // Past the closing brace: anything but whitespace makes the reader throw.
        reader.Read();

        Expect("drawing", drawingToken, JsonTokenType.StartArray);
        if (drawingError is not null) throw new FormatException(drawingError);
        return new Drawing(
            Text("key_id", keyId),
            Text("word", word),
            Text("countrycode", country),
            Expect("recognized", recognized.Token, JsonTokenType.True, JsonTokenType.False) == JsonTokenType.True,
            ParseTimestamp(Expect("timestamp", timestamp.Token, JsonTokenType.String, JsonTokenType.Null) == JsonTokenType.Null ? null : timestamp.Text),
            strokes.ToArray());
    }

    static Scalar ReadScalar(ref Utf8JsonReader reader)
    {
        reader.Read();
        var value = new Scalar(reader.TokenType, reader.TokenType == JsonTokenType.String ? ReadText(ref reader) : null);
        reader.Skip();
        return value;
    }

    /// <summary>
    /// A string's text. Bytes that are not UTF-8 become U+FFFD, as when lines were read as text, rather than failing
    /// the line as <see cref="Utf8JsonReader.GetString"/> would.
    /// </summary>
    static string ReadText(ref Utf8JsonReader reader) =>
        reader.ValueIsEscaped ? reader.GetString()! : Encoding.UTF8.GetString(reader.ValueSpan);

    static string Text(string key, Scalar value)
    {
        Expect(key, value.Token, JsonTokenType.String);
        return value.Text!;
    }

    static JsonTokenType Expect(string key, JsonTokenType token, params ReadOnlySpan<JsonTokenType> allowed)
    {
        if (token == JsonTokenType.None) throw new FormatException($"missing \"{key}\"");
        if (!allowed.Contains(token))
        {
            var names = new string[allowed.Length];
            for (var i = 0; i < allowed.Length; i++) names[i] = Kind(allowed[i]);
            throw new FormatException($"\"{key}\" is {Kind(token)}, expected {string.Join(" or ", names)}");
        }
        return token;
    }

    /// <summary>A token's name as <see cref="JsonValueKind"/> calls the value it starts.</summary>
    static string Kind(JsonTokenType token) => token switch
    {
        JsonTokenType.StartObject => nameof(JsonValueKind.Object),
        JsonTokenType.StartArray => nameof(JsonValueKind.Array),
        _ => token.ToString(),
    };

    static DateTimeOffset? ParseTimestamp(string? text)
    {
        if (text is null) return null;
        if (TryParseTimestamp(text, out var time)) return time;
        throw new FormatException($"\"timestamp\" \"{text}\" is not of the form \"2017-03-28 15:28:06.10658 UTC\"");
    }

    static bool TryParseTimestamp(string text, out DateTimeOffset time) =>
        TryParseGoogleTimestamp(text, out time) ||
        text.EndsWith(TimestampSuffix, StringComparison.Ordinal) &&
        DateTimeOffset.TryParseExact(text.AsSpan(0, text.Length - TimestampSuffix.Length), TimestampFormat, CultureInfo.InvariantCulture,
            DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out time);

    /// <summary>
    /// Google's own form, "2017-03-28 15:28:06.10658 UTC" with 1 to 7 digits of fraction, read digit by digit: several
    /// times faster than TryParseExact, which decides every other text (and gives the same time for this form).
    /// </summary>
    static bool TryParseGoogleTimestamp(ReadOnlySpan<char> text, out DateTimeOffset time)
    {
        time = default;
        if (text.Length is < 19 + 4 or 20 + 4 or > 27 + 4 || !text.EndsWith(TimestampSuffix, StringComparison.Ordinal)) return false;
        text = text[..^TimestampSuffix.Length];
        if (text[4] != '-' || text[7] != '-' || text[10] != ' ' || text[13] != ':' || text[16] != ':' || (text.Length > 19 && text[19] != '.'))
            return false;
        int year = Digits(text[..4]), month = Digits(text[5..7]), day = Digits(text[8..10]);
        int hour = Digits(text[11..13]), minute = Digits(text[14..16]), second = Digits(text[17..19]);
        var fraction = text.Length > 19 ? Digits(text[20..]) : 0;
        if (year < 1 || month is < 1 or > 12 || day < 1 || day > DateTime.DaysInMonth(year, month) || hour is < 0 or > 23 ||
            minute is < 0 or > 59 || second is < 0 or > 59 || fraction < 0)
            return false;
        // Digits of the fraction scaled to seven, ticks of 100 ns.
        long ticks = fraction;
        for (var digits = text.Length - 20; digits is > 0 and < 7; digits++) ticks *= 10;
        time = new DateTimeOffset(year, month, day, hour, minute, second, TimeSpan.Zero).AddTicks(ticks);
        return true;
    }

    /// <summary>The decimal number <paramref name="text"/> spells, or -1 when it holds anything but digits.</summary>
    static int Digits(ReadOnlySpan<char> text)
    {
        var value = 0;
        foreach (var c in text)
        {
            if (!char.IsAsciiDigit(c)) return -1;
            value = 10 * value + (c - '0');
        }
        return value;
    }

    /// <summary>Reads the value of "drawing"; the first problem in it is kept for after the line has been read.</summary>
    void ReadDrawing(ref Utf8JsonReader reader)
    {
        reader.Read();
        (drawingToken, drawingError) = (reader.TokenType, null);
        strokes.Clear();
        if (reader.TokenType != JsonTokenType.StartArray)
        {
            reader.Skip();
            return;
        }
        while (reader.Read() && reader.TokenType != JsonTokenType.EndArray)
        {
            if (drawingError is null) drawingError = ReadStroke(ref reader, strokes.Count);
            else reader.Skip();
        }
    }

    /// <summary>Adds the stroke that starts at the reader to <see cref="strokes"/>, or says what is wrong with it.</summary>
    string? ReadStroke(ref Utf8JsonReader reader, int index)
    {
        if (reader.TokenType != JsonTokenType.StartArray)
        {
            reader.Skip();
            return NotAStroke(index);
        }
        var count = 0;
        string? columnError = null;
        while (reader.Read() && reader.TokenType != JsonTokenType.EndArray)
        {
            if (count < 3 && columnError is null) columnError = ReadColumn(ref reader, count, index);
            else reader.Skip();
            count++;
        }
        if (count is not (2 or 3)) return NotAStroke(index);
        if (columnError is not null) return columnError;
        return TryAddStroke(count) ? null : $"stroke {index} has {string.Join("/", lengths[..count])} values of x/y{(count == 3 ? "/t" : "")}";
    }

    static string NotAStroke(int index) => $"stroke {index} is not [[x...],[y...]] or [[x...],[y...],[t...]]";

    /// <summary>Adds the stroke whose <paramref name="count"/> columns are in the scratch arrays, unless their lengths differ.</summary>
    bool TryAddStroke(int count)
    {
        if (lengths[1] != lengths[0] || (count == 3 && lengths[2] != lengths[0])) return false;
        strokes.Add(new Stroke(Copy(0), Copy(1), count == 3 ? Copy(2) : null));
        return true;
    }

    float[] Copy(int column) => columns[column].AsSpan(0, lengths[column]).ToArray();

    /// <summary>Reads column <paramref name="column"/> (0 x, 1 y, 2 t) of a stroke into its scratch array.</summary>
    string? ReadColumn(ref Utf8JsonReader reader, int column, int stroke)
    {
        var axis = "xyt"[column];
        if (reader.TokenType != JsonTokenType.StartArray)
        {
            reader.Skip();
            return $"stroke {stroke}: {axis} is not an array";
        }
        var n = 0;
        string? error = null;
        while (reader.Read() && reader.TokenType != JsonTokenType.EndArray)
        {
            if (error is not null || reader.TokenType != JsonTokenType.Number || !TryGetFinite(ref reader, out var value))
            {
                error ??= $"stroke {stroke}: {axis}[{n}] is not a finite number";
                reader.Skip();
                continue;
            }
            if (n == columns[column].Length) Grow(column);
            columns[column][n++] = value;
        }
        lengths[column] = n;
        return error;
    }

    /// <summary>Doubles the scratch array of <paramref name="column"/>, keeping its values, and returns it.</summary>
    float[] Grow(int column)
    {
        var values = new float[2 * columns[column].Length];
        columns[column].CopyTo(values, 0);
        return columns[column] = values;
    }

    /// <summary>The number token as a float, rounded through double as <see cref="Utf8JsonReader.TryGetDouble"/> gives it.</summary>
    static bool TryGetFinite(ref Utf8JsonReader reader, out float value)
    {
        if (PlainDecimal.Parse(reader.ValueSpan, out value) == reader.ValueSpan.Length) return true;
        value = reader.TryGetDouble(out var number) ? (float)number : float.NaN;
        return float.IsFinite(value);
    }
}
