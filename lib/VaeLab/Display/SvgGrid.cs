using System.Globalization;
using System.Net;
using System.Text;

namespace VaeLab.Display;

/// <summary>
/// Pictures in rows and columns as one standalone SVG document, laid out as the HTML tables of <see cref="ImageGrid"/>
/// and <see cref="StrokeGrid"/>: the title on top, column labels above the columns, row labels before the rows, each
/// picture centred in its cell with its caption below. SVG lays out no text, so text widths are estimated from the
/// number of characters, generously for a 12 px sans-serif font.
/// </summary>
static class SvgGrid
{
    public const string Namespace = "http://www.w3.org/2000/svg";

    const double FontSize = 12, LineHeight = 16, Baseline = 12, CharWidth = 7, Padding = 4, LabelGap = 6;

    /// <summary>One picture: its size, its caption and its SVG element drawn from the origin.</summary>
    public sealed record Cell(double Width, double Height, string? Caption, string Element);

    /// <param name="style">Markup placed first in the document, such as a style sheet the pictures share.</param>
    public static string Compose(IReadOnlyList<IReadOnlyList<Cell>> rows, string? title, IReadOnlyList<string>? rowLabels = null,
        IReadOnlyList<string>? columnLabels = null, string style = "")
    {
        var columns = rows.Select(r => r.Count).Append(columnLabels?.Count ?? 0).Max();
        var widths = Enumerable.Range(0, columns).Select(c => rows.Where(r => c < r.Count).Select(r => Math.Max(r[c].Width, TextWidth(r[c].Caption)))
            .Append(TextWidth(columnLabels?[c])).Max() + 2 * Padding).ToList();
        var heights = rows.Select(r => r.Select(c => c.Height + (c.Caption is null ? 0 : LineHeight)).DefaultIfEmpty(0).Max() + 2 * Padding).ToList();
        var left = rowLabels is null ? 0 : rowLabels.Select(TextWidth).DefaultIfEmpty(0).Max() + 2 * LabelGap;
        var labelsTop = title is null ? 0 : LineHeight + Padding;
        var top = labelsTop + (columnLabels is null ? 0 : LineHeight);
        var width = Math.Max(left + widths.Sum(), TextWidth(title));
        var height = top + heights.Sum();

        var svg = new StringBuilder($"<svg xmlns=\"{Namespace}\" width=\"{N(width)}\" height=\"{N(height)}\" viewBox=\"0 0 {N(width)} {N(height)}\" ")
            .Append($"font-family=\"sans-serif\" font-size=\"{N(FontSize)}\">").Append(style)
            .Append("<rect width=\"100%\" height=\"100%\" fill=\"#fff\" />");
        if (title is not null) Text(svg, width / 2, Baseline, "middle", title);
        var starts = widths.Select((_, c) => left + widths.Take(c).Sum()).ToList();
        if (columnLabels is not null)
            for (var c = 0; c < columnLabels.Count; c++) Text(svg, starts[c] + widths[c] / 2, labelsTop + Baseline, "middle", columnLabels[c], bold: true);
        var y = top;
        for (var r = 0; r < rows.Count; y += heights[r++])
        {
            if (rowLabels is not null) Text(svg, left - LabelGap, y + heights[r] / 2 + FontSize / 3, "end", rowLabels[r], bold: true);
            for (var c = 0; c < rows[r].Count; c++)
            {
                var cell = rows[r][c];
                svg.Append($"<g transform=\"translate({N(starts[c] + (widths[c] - cell.Width) / 2)} {N(y + Padding)})\">").Append(cell.Element).Append("</g>");
                if (cell.Caption is not null) Text(svg, starts[c] + widths[c] / 2, y + Padding + cell.Height + Baseline, "middle", cell.Caption);
            }
        }
        return svg.Append("</svg>").ToString();
    }

    static double TextWidth(string? text) => (text?.Length ?? 0) * CharWidth;

    static void Text(StringBuilder svg, double x, double y, string anchor, string text, bool bold = false) =>
        svg.Append($"<text x=\"{N(x)}\" y=\"{N(y)}\" text-anchor=\"{anchor}\"{(bold ? " font-weight=\"bold\"" : "")}>{WebUtility.HtmlEncode(text)}</text>");

    static string N(double v) => v.ToString("0.##", CultureInfo.InvariantCulture);
}
