namespace VaeLab.Data.QuickDraw;

/// <summary>
/// JSON numbers without exponent and with at most 15 digits, nearly every value in QuickDraw files, read as floats.
/// The digits and the power of ten dividing them are exact in a double, so their quotient is the correctly rounded
/// double of the decimal, the value a general parser gives, and casting it gives the float that rounding through
/// double gives.
/// </summary>
static class PlainDecimal
{
    const int MaxDigits = 15;
    static readonly double[] PowersOfTen = [1, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15];

    /// <summary>
    /// Reads such a number from the start of <paramref name="text"/>; returns how many bytes it took, or 0 where the
    /// text does not start with one (another number, or no valid JSON number).
    /// </summary>
    public static int Parse(ReadOnlySpan<byte> text, out float value)
    {
        value = 0;
        var at = text.Length > 0 && text[0] == '-' ? 1 : 0;
        long digits = 0;
        int count = 0, fraction = 0;
        if (at == text.Length || !char.IsAsciiDigit((char)text[at])) return 0;
        // JSON allows no digits after a leading zero.
        if (text[at] == '0') at++;
        else
            for (; at < text.Length && char.IsAsciiDigit((char)text[at]); at++, count++) digits = 10 * digits + (text[at] - '0');
        if (at < text.Length && text[at] == '.')
        {
            for (at++; at < text.Length && char.IsAsciiDigit((char)text[at]); at++, count++, fraction++) digits = 10 * digits + (text[at] - '0');
            if (fraction == 0) return 0;
        }
        // Past 15 digits the sum may have wrapped around, but the number is refused then.
        if (count > MaxDigits || (at < text.Length && (text[at] | 0x20) == 'e')) return 0;
        var magnitude = digits / PowersOfTen[fraction];
        value = (float)(text[0] == '-' ? -magnitude : magnitude);
        return at;
    }
}
