using System.Text;
using Microsoft.DotNet.Interactive.Formatting;

namespace VaeLab.Notebooks;

/// <summary>
/// The picture a notebook names as its figure, as a file of its own for a README to show: the first value shown by a
/// code cell tagged <c>figure</c> that renders as SVG or PNG. Values that render only as HTML (a Plotly chart, a table)
/// are passed over, since they need a browser to become a picture.
/// </summary>
public sealed class NotebookFigure
{
    public const string Tag = "figure";

    // SVG first, for a value that has both: it stays sharp at any size.
    static readonly (string MimeType, string Extension)[] Formats = [("image/svg+xml", ".svg"), ("image/png", ".png")];

    NotebookFigure(string mimeType, string extension, byte[] content) => (MimeType, Extension, Content) = (mimeType, extension, content);

    public string MimeType { get; }
    /// <summary>".svg" or ".png".</summary>
    public string Extension { get; }
    /// <summary>The file's bytes: a PNG, or an SVG document in UTF-8.</summary>
    public byte[] Content { get; }

    /// <summary>Every extension a figure file can have, so that a run's figure can replace an earlier run's of another format.</summary>
    public static IEnumerable<string> Extensions => Formats.Select(f => f.Extension);

    /// <summary>Writes the figure to <paramref name="pathWithoutExtension"/> plus <see cref="Extension"/>, creating its folder, and returns that path.</summary>
    public string Save(string pathWithoutExtension)
    {
        var path = pathWithoutExtension + Extension;
        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(path))!);
        File.WriteAllBytes(path, Content);
        return path;
    }

    /// <summary>The SVG or PNG of a shown value: the one its output has, else the one the kernel's formatter makes of the
    /// value when its type has a formatter for it (an output usually has the HTML alone); null when there is neither.</summary>
    /// <exception cref="Exception">Whatever the value's formatter throws, or a PNG that is not base64.</exception>
    internal static NotebookFigure? Of(object? value, IReadOnlyDictionary<string, string> data)
    {
        foreach (var (mimeType, extension) in Formats)
            if (data.TryGetValue(mimeType, out var shown)) return new(mimeType, extension, Bytes(mimeType, shown));
        if (value is null) return null;
        foreach (var (mimeType, extension) in Formats)
            if (Formatted(value, mimeType) is { } text) return new(mimeType, extension, Bytes(mimeType, text));
        return null;
    }

    static byte[] Bytes(string mimeType, string text) => mimeType == "image/png" ? Convert.FromBase64String(text) : Encoding.UTF8.GetBytes(text);

    static string? Formatted(object value, string mimeType)
    {
        ITypeFormatter formatter;
        try
        {
            formatter = Formatter.GetPreferredFormatterFor(value.GetType(), mimeType);
        }
        catch (ArgumentException)
        {
            return null;    // the formatter's answer for a MIME type that nothing registered serves
        }
        using var writer = new StringWriter();
        using var context = new FormatContext(writer);
        return formatter.Format(value, context) ? writer.ToString() : null;
    }
}
