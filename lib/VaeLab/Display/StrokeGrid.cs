using System.Globalization;
using System.Net;
using System.Text;


namespace VaeLab.Display;

/// <summary>Drawings in rows, each with its caption, and one button that replays them all. As SVG (one document, for a
/// file of its own) the drawings replay once when it is shown.</summary>
[TypeFormatterSource(typeof(FormatterSource<StrokeGrid>))]
public sealed class StrokeGrid : IRenderable
{
    public IReadOnlyList<StrokeDrawing> Drawings { get; }
    public int Columns { get; }
    public string? Title { get; init; }

    public StrokeGrid(IEnumerable<StrokeDrawing> drawings, int columns = 6)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(columns, 1);
        (Drawings, Columns) = (drawings.ToList(), columns);
    }

    public string ToHtml()
    {
        var html = new StringBuilder("<div class=\"vaelab-stroke-grid\">\n<table style=\"border-collapse:collapse\">\n");
        if (Title is not null) html.Append($"<caption>{WebUtility.HtmlEncode(Title)}</caption>\n");
        html.Append("<tbody>\n");
        foreach (var row in Drawings.Chunk(Columns))
            html.Append("<tr>").AppendJoin("", row.Select(d => $"<td style=\"padding:2px;vertical-align:top\">{d.Html(button: false)}</td>")).Append("</tr>\n");
        html.Append("</tbody>\n</table>\n");
        if (Drawings.Any(d => d.Replay != StrokeReplay.Off)) html.Append(StrokeDrawing.ReplayButton).Append('\n');
        return html.Append("</div>").ToString();
    }

    // SVG lays out no text: a caption's width is estimated from its length, generously for 12 px sans-serif.
    const double FontSize = 12, LineHeight = 16, Baseline = 12, CharWidth = 7, Padding = 4;

    /// <summary>The grid as one standalone SVG document, laid out as the HTML table: the title on top, each drawing
    /// centred in its cell with its caption below.</summary>
    public string ToSvg()
    {
        static string N(double v) => v.ToString("0.##", CultureInfo.InvariantCulture);
        static double TextWidth(string? text) => (text?.Length ?? 0) * CharWidth;
        var rows = Drawings.Chunk(Columns).ToList();
        var widths = Enumerable.Range(0, Math.Min(Columns, Drawings.Count))
            .Select(c => rows.Where(r => c < r.Length).Max(r => Math.Max(r[c].Size, TextWidth(r[c].Caption))) + 2 * Padding).ToList();
        var heights = rows.Select(r => r.Max(d => d.Size + (d.Caption is null ? 0 : LineHeight)) + 2 * Padding).ToList();
        var top = Title is null ? 0 : LineHeight + Padding;
        var (width, height) = (Math.Max(widths.Sum(), TextWidth(Title)), top + heights.Sum());

        var svg = new StringBuilder($"<svg xmlns=\"{StrokeDrawing.SvgNamespace}\" width=\"{N(width)}\" height=\"{N(height)}\" ")
            .Append($"viewBox=\"0 0 {N(width)} {N(height)}\" font-family=\"sans-serif\" font-size=\"{N(FontSize)}\" text-anchor=\"middle\">");
        if (Drawings.Any(d => d.Replay != StrokeReplay.Off)) svg.Append(StrokeDrawing.ReplayStyle);
        svg.Append("<rect width=\"100%\" height=\"100%\" fill=\"#fff\" />");
        if (Title is not null) svg.Append($"<text x=\"{N(width / 2)}\" y=\"{N(Baseline)}\">{WebUtility.HtmlEncode(Title)}</text>");
        var y = top + Padding;
        for (var r = 0; r < rows.Count; y += heights[r++])
        {
            var x = 0.0;
            for (var c = 0; c < rows[r].Length; x += widths[c++])
            {
                var drawing = rows[r][c];
                svg.Append($"<g transform=\"translate({N(x + (widths[c] - drawing.Size) / 2)} {N(y)})\">{drawing.Svg(standalone: false)}</g>");
                if (drawing.Caption is not null)
                    svg.Append($"<text x=\"{N(x + widths[c] / 2)}\" y=\"{N(y + drawing.Size + Baseline)}\">{WebUtility.HtmlEncode(drawing.Caption)}</text>");
            }
        }
        return svg.Append("</svg>").ToString();
    }

    public override string ToString() => $"StrokeGrid of {Drawings.Count} drawings" + (Title is null ? "" : $" \"{Title}\"");

    static IReadOnlyList<string> IRenderable.MimeTypes => [Mime.Html, Mime.Svg, Mime.Text];

    string IRenderable.Render(string mimeType) => mimeType switch
    {
        Mime.Html => ToHtml(),
        Mime.Svg => ToSvg(),
        Mime.Text => ToString(),
        _ => throw Mime.Unsupported(typeof(StrokeGrid), mimeType),
    };
}
