using System.Net;
using System.Text;
using VaeLab.Torch.Display;

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

    /// <summary>The grid as one standalone SVG document: the title on top, each drawing with its caption below.</summary>
    public string ToSvg() => SvgGrid.Compose(
        [.. Drawings.Chunk(Columns).Select(row => row.Select(d => new SvgGrid.Cell(d.Size, d.Size, d.Caption, d.Svg(standalone: false))).ToList())],
        Title, style: Drawings.Any(d => d.Replay != StrokeReplay.Off) ? StrokeDrawing.ReplayStyle : "");

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
