using System.Globalization;

namespace VaeLab.Display;


public static class NumberFormat
{
    /// <summary>
    /// A number with the given significant digits, written as Python's <c>format(value, '.{digits}g')</c>
    /// writes it (0.0001234, 123.5, 1.235e+04, nan, inf), so that reports read as PyTorch users expect.
    /// </summary>
    public static string General(double value, int digits)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(digits, 1);
        if (double.IsNaN(value)) return "nan";
        if (double.IsInfinity(value)) return value > 0 ? "inf" : "-inf";
        // .NET's G switches to exponents where Python's g does and writes them the same way, but in upper case.
        return value.ToString("G" + digits, CultureInfo.InvariantCulture).Replace('E', 'e');
    }
}
