using System.Globalization;
using System.Net;
using System.Text;
using System.Runtime.CompilerServices;
using Microsoft.Data.Analysis;

namespace VaeLab.Display;

/// <summary>
/// A DataFrame as a table: HTML in notebooks, aligned text elsewhere, its first <see cref="MaxRows"/> rows. Floating
/// point numbers show <see cref="Digits"/> significant digits as Python's '.4g' shows them; integers are never
/// rounded; numeric columns are right-aligned; a missing value is an empty cell.
/// </summary>
public static class DataFrameDisplay
{
    public const int Digits = 4;

    /// <summary>Rows shown; a frame of a whole data set says how many more it has instead of writing them all out.</summary>
    public const int MaxRows = 100;

    /// <summary>Registers these outputs with the kernel's formatter when VaeLab's code first runs: DataFrame has a
    /// formatter only in its own .NET Interactive extension, which a notebook that #r's VaeLab does not load.</summary>
#pragma warning disable CA2255
    [ModuleInitializer]
#pragma warning restore CA2255
    internal static void RegisterFormatters() => MimeFormatter.RegisterHtmlAndText<DataFrame>(Html, Text);

    public static string Cell(object? value) => value switch
    {
        null => "",
        double d => NumberFormat.General(d, Digits),
        float f => NumberFormat.General(f, Digits),
        Half h => NumberFormat.General((double)h, Digits),
        decimal m => NumberFormat.General((double)m, Digits),
        IFormattable f => f.ToString(null, CultureInfo.InvariantCulture),
        _ => value.ToString() ?? "",
    };

    public static string Html(DataFrame frame)
    {
        static string E(string s) => WebUtility.HtmlEncode(s);
        var columns = frame.Columns;
        string Align(int c) => columns[c].IsNumericColumn() ? " style=\"text-align:right\"" : " style=\"text-align:left\"";
        var html = new StringBuilder("<table class=\"vaelab-table\">\n<thead><tr>");
        for (var c = 0; c < columns.Count; c++) html.Append($"<th{Align(c)}>{E(columns[c].Name)}</th>");
        html.Append("</tr></thead>\n<tbody>\n");
        for (var r = 0L; r < Shown(frame); r++)
        {
            html.Append("<tr>");
            for (var c = 0; c < columns.Count; c++) html.Append($"<td{Align(c)}>{E(Cell(columns[c][r]))}</td>");
            html.Append("</tr>\n");
        }
        html.Append("</tbody>\n");
        if (More(frame) is { } more) html.Append($"<tfoot><tr><td colspan=\"{columns.Count}\">{more}</td></tr></tfoot>\n");
        return html.Append("</table>").ToString();
    }

    /// <summary>Columns two spaces apart under a dashed rule, padded to their widest cell.</summary>
    public static string Text(DataFrame frame)
    {
        var columns = frame.Columns;
        var cells = new List<string[]> { columns.Select(c => c.Name).ToArray() };
        for (var r = 0L; r < Shown(frame); r++) cells.Add(columns.Select(c => Cell(c[r])).ToArray());
        var widths = Enumerable.Range(0, columns.Count).Select(c => cells.Max(row => row[c].Length)).ToArray();
        string Line(string[] row) => string.Join("  ", row.Select((s, c) => columns[c].IsNumericColumn() ? s.PadLeft(widths[c]) : s.PadRight(widths[c]))).TrimEnd();
        var text = new StringBuilder(Line(cells[0])).AppendLine().Append(string.Join("  ", widths.Select(w => new string('-', w))));
        foreach (var row in cells.Skip(1)) text.AppendLine().Append(Line(row));
        if (More(frame) is { } more) text.AppendLine().Append(more);
        return text.ToString();
    }

    static long Shown(DataFrame frame) => Math.Min(frame.Rows.Count, MaxRows);

    static string? More(DataFrame frame) =>
        frame.Rows.Count - MaxRows is var more and > 0 ? $"... {more} more row{(more == 1 ? "" : "s")}" : null;
}
