using System.Net;
using System.Text;
using TorchSharp;
using static TorchSharp.torch;


namespace VaeLab.Display;

/// <summary>
/// Images in rows and columns, with per-image captions (each image's own), row labels and column labels,
/// such as triptychs of partial / completion / binarised drawings. Notebooks show it as one HTML table of
/// PNGs; <see cref="ToImage"/> composes one PNG with borders instead (without the text).
/// </summary>
[TypeFormatterSource(typeof(FormatterSource<ImageGrid>))]
public sealed class ImageGrid : IRenderable
{
    /// <summary>The on-screen size of a cell's longer side that the automatic scale reaches for, in pixels.</summary>
    const int AutoCellSize = 64;

    public IReadOnlyList<IReadOnlyList<Image>> Rows { get; }

    /// <summary>One label per row, shown before it.</summary>
    public IReadOnlyList<string>? RowLabels
    {
        get;
        init => field = value is null || value.Count == Rows.Count ? value
            : throw new ArgumentException($"{value.Count} row labels for {Rows.Count} rows", nameof(RowLabels));
    }

    /// <summary>One label per column of the widest row, shown above the grid.</summary>
    public IReadOnlyList<string>? ColumnLabels
    {
        get;
        init => field = value is null || value.Count == Columns ? value
            : throw new ArgumentException($"{value.Count} column labels for {Columns} columns", nameof(ColumnLabels));
    }

    public string? Title { get; init; }

    /// <summary>Whole-pixel enlargement of every image; null picks one that brings the largest image near 64 pixels.</summary>
    public int? Scale
    {
        get;
        init => field = value is null or >= 1 ? value : throw new ArgumentOutOfRangeException(nameof(Scale), value, "the scale is a whole factor of at least 1");
    }

    public int Columns => Rows.Count == 0 ? 0 : Rows.Max(r => r.Count);

    public ImageGrid(IEnumerable<IEnumerable<Image>> rows) => Rows = rows.Select(r => (IReadOnlyList<Image>)r.ToList()).ToList();

    /// <summary>The images in reading order, <paramref name="columns"/> to a row.</summary>
    public ImageGrid(IEnumerable<Image> images, int columns = 8) : this(images.Chunk(Positive(columns, nameof(columns)))) { }

    /// <summary>A batch shaped [N, C, H, W] or [N, H, W] (see <see cref="Image(Tensor)"/>), <paramref name="columns"/> to a row,
    /// with one caption per image if given.</summary>
    public static ImageGrid FromTensor(Tensor images, int columns = 8, IEnumerable<string>? captions = null)
    {
        var batch = Image.FromBatch(images);
        if (captions is not null)
        {
            var text = captions.ToList();
            if (text.Count != batch.Length) throw new ArgumentException($"{text.Count} captions for {batch.Length} images", nameof(captions));
            batch = batch.Select((image, i) => image.WithCaption(text[i])).ToArray();
        }
        return new ImageGrid(batch, columns);
    }

    /// <summary>One labelled row per batch: <c>FromRows(("partial", y), ("completion", x), ("binarised", x &gt; 0.5))</c>.</summary>
    public static ImageGrid FromRows(params (string label, Tensor images)[] rows) =>
        new(rows.Select(r => Image.FromBatch(r.images))) { RowLabels = rows.Select(r => r.label).ToList() };

    int DisplayScale => Scale ?? (Rows.Any(r => r.Count > 0)
        ? Image.AutoScale(Rows.SelectMany(r => r).Max(i => i.Width), Rows.SelectMany(r => r).Max(i => i.Height), AutoCellSize) : 1);

    public string ToHtml()
    {
        static string E(string s) => WebUtility.HtmlEncode(s);
        const string cell = "padding:2px;text-align:center;vertical-align:top";
        var scale = DisplayScale;
        var html = new StringBuilder("<table class=\"vaelab-image-grid\" style=\"border-collapse:collapse\">\n");
        if (Title is not null) html.Append($"<caption>{E(Title)}</caption>\n");
        if (ColumnLabels is not null)
        {
            html.Append("<thead><tr>");
            if (RowLabels is not null) html.Append("<th></th>");
            foreach (var label in ColumnLabels) html.Append($"<th style=\"{cell}\">{E(label)}</th>");
            html.Append("</tr></thead>\n");
        }
        html.Append("<tbody>\n");
        for (var r = 0; r < Rows.Count; r++)
        {
            html.Append("<tr>");
            if (RowLabels is not null) html.Append($"<th scope=\"row\" style=\"padding:2px 6px;text-align:right\">{E(RowLabels[r])}</th>");
            foreach (var image in Rows[r]) html.Append($"<td style=\"{cell}\">{image.Html(scale)}</td>");
            html.Append("</tr>\n");
        }
        return html.Append("</tbody>\n</table>").ToString();
    }

    /// <summary>
    /// The grid as one image, as torchvision's make_grid lays it out: cells of the common image size,
    /// <paramref name="padding"/> pixels of <paramref name="border"/> grey around and between them, and the
    /// channels needed by the most colourful image. Labels and captions are not drawn; the title becomes the caption.
    /// </summary>
    public Image ToImage(int padding = 2, byte border = 128)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(padding);
        var images = Rows.SelectMany(r => r).ToList();
        if (images.Count == 0) throw new InvalidOperationException("an empty grid has no image");
        var (w, h) = (images[0].Width, images[0].Height);
        if (images.FirstOrDefault(i => i.Width != w || i.Height != h) is { } other)
            throw new InvalidOperationException($"one image needs images of one size; the grid holds {w}x{h} and {other.Width}x{other.Height}");
        var channels = Image.CommonChannels(images);
        var (width, height) = (Columns * (w + padding) + padding, Rows.Count * (h + padding) + padding);
        var pixels = new byte[width * height * channels];
        var background = new Image([border], 1, 1).PixelsWith(channels);
        for (var i = 0; i < width * height; i++) background.CopyTo(pixels, i * channels);
        for (var r = 0; r < Rows.Count; r++)
        for (var c = 0; c < Rows[r].Count; c++)
        {
            var source = Rows[r][c].PixelsWith(channels);
            var (left, top) = (padding + c * (w + padding), padding + r * (h + padding));
            for (var y = 0; y < h; y++)
                source.AsSpan(y * w * channels, w * channels).CopyTo(pixels.AsSpan(((top + y) * width + left) * channels));
        }
        return new Image(pixels, width, height, channels) { Caption = Title, Scale = DisplayScale };
    }

    public override string ToString() =>
        $"ImageGrid {Rows.Count}x{Columns}" + (Title is null ? "" : $" \"{Title}\"");

    static IReadOnlyList<string> IRenderable.MimeTypes => [Mime.Html, Mime.Png, Mime.Text];

    string IRenderable.Render(string mimeType) => mimeType switch
    {
        Mime.Html => ToHtml(),
        Mime.Png => Convert.ToBase64String(ToImage().ToPng()),
        Mime.Text => ToString(),
        _ => throw Mime.Unsupported(typeof(ImageGrid), mimeType),
    };

    static int Positive(int value, string name)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(value, 1, name);
        return value;
    }
}
