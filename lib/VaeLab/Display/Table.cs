using System.Globalization;
using System.Net;
using System.Reflection;
using System.Text;


namespace VaeLab.Display;

/// <summary>
/// A table of values: HTML in notebooks, aligned text elsewhere. Floating point numbers show
/// <see cref="Digits"/> significant digits as Python's '.4g' shows them; integers are never rounded;
/// numeric columns are right-aligned.
/// </summary>
[TypeFormatterSource(typeof(FormatterSource<Table>))]
public sealed class Table : IRenderable
{
    public IReadOnlyList<string> Columns { get; }
    public IReadOnlyList<IReadOnlyList<object?>> Rows { get; }
    public string? Title { get; init; }

    /// <summary>Significant digits of floating point numbers.</summary>
    public int Digits
    {
        get;
        init => field = value >= 1 ? value : throw new ArgumentOutOfRangeException(nameof(Digits), value, "at least one significant digit");
    } = 4;

    public Table(IEnumerable<string> columns, IEnumerable<IEnumerable<object?>> rows)
    {
        Columns = columns.ToList();
        Rows = rows.Select((row, i) =>
        {
            var cells = row.ToList();
            return cells.Count == Columns.Count ? (IReadOnlyList<object?>)cells
                : throw new ArgumentException($"row {i} has {cells.Count} cells for {Columns.Count} columns", nameof(rows));
        }).ToList();
    }

    /// <summary>A table of records, anonymous objects or any class: one column per public property, in declaration order.</summary>
    public static Table From<T>(IEnumerable<T> rows)
    {
        var list = rows.ToList();
        // Rows typed as object are read through the first row's own type.
        var type = typeof(T) == typeof(object) && list.FirstOrDefault() is { } first ? first.GetType() : typeof(T);
        var properties = type.GetProperties(BindingFlags.Public | BindingFlags.Instance)
            .Where(p => p.CanRead && p.GetIndexParameters().Length == 0).OrderBy(p => p.MetadataToken).ToList();
        return new Table(properties.Select(p => p.Name), list.Select(row => properties.Select(p => row is null ? null : p.GetValue(row))));
    }

    public string FormatCell(object? value) => value switch
    {
        null => "",
        double d => NumberFormat.General(d, Digits),
        float f => NumberFormat.General(f, Digits),
        Half h => NumberFormat.General((double)h, Digits),
        decimal m => NumberFormat.General((double)m, Digits),
        IFormattable f => f.ToString(null, CultureInfo.InvariantCulture),
        _ => value.ToString() ?? "",
    };

    static bool IsNumber(object? value) =>
        value is sbyte or byte or short or ushort or int or uint or long or ulong or float or double or decimal or Half;

    /// <summary>A column is numeric, and right-aligned, when every value in it that is not null is a number.</summary>
    bool[] NumericColumns() =>
        Enumerable.Range(0, Columns.Count).Select(c => Rows.Any(r => r[c] is not null) && Rows.All(r => r[c] is null || IsNumber(r[c]))).ToArray();

    public string ToHtml()
    {
        static string E(string s) => WebUtility.HtmlEncode(s);
        var numeric = NumericColumns();
        string Align(int c) => numeric[c] ? " style=\"text-align:right\"" : " style=\"text-align:left\"";
        var html = new StringBuilder("<table class=\"vaelab-table\">\n");
        if (Title is not null) html.Append($"<caption>{E(Title)}</caption>\n");
        html.Append("<thead><tr>");
        for (var c = 0; c < Columns.Count; c++) html.Append($"<th{Align(c)}>{E(Columns[c])}</th>");
        html.Append("</tr></thead>\n<tbody>\n");
        foreach (var row in Rows)
        {
            html.Append("<tr>");
            for (var c = 0; c < Columns.Count; c++) html.Append($"<td{Align(c)}>{E(FormatCell(row[c]))}</td>");
            html.Append("</tr>\n");
        }
        return html.Append("</tbody>\n</table>").ToString();
    }

    /// <summary>Columns two spaces apart under a dashed rule, padded to their widest cell.</summary>
    public override string ToString()
    {
        var numeric = NumericColumns();
        var cells = Rows.Select(r => r.Select(FormatCell).ToArray()).Prepend(Columns.ToArray()).ToList();
        var widths = Enumerable.Range(0, Columns.Count).Select(c => cells.Max(r => r[c].Length)).ToArray();
        string Line(IEnumerable<string> row) => string.Join("  ", row.Select((s, c) => numeric[c] ? s.PadLeft(widths[c]) : s.PadRight(widths[c]))).TrimEnd();
        var text = new StringBuilder();
        if (Title is not null) text.AppendLine(Title);
        text.AppendLine(Line(cells[0])).Append(string.Join("  ", widths.Select(w => new string('-', w))));
        foreach (var row in cells.Skip(1)) text.AppendLine().Append(Line(row));
        return text.ToString();
    }

    static IReadOnlyList<string> IRenderable.MimeTypes => [Mime.Html, Mime.Text];

    string IRenderable.Render(string mimeType) => mimeType switch
    {
        Mime.Html => ToHtml(),
        Mime.Text => ToString(),
        _ => throw Mime.Unsupported(typeof(Table), mimeType),
    };
}
