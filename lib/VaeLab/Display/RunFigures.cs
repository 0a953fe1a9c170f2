using System.Text;
using System.Text.RegularExpressions;
using VaeLab.Runs;

namespace VaeLab.Display;

/// <summary>
/// Keeps each figure a notebook displays while a run is going (<see cref="Run.current"/>) in the run's figures/ folder,
/// numbered in the order shown: grids of images as PNG, drawings as SVG, Plotly figures as a page that draws them
/// (plotly.js from its CDN). The kernel's formatter calls it as it renders the value for display, so VS Code and
/// vaelab run keep the same files.
/// </summary>
static partial class RunFigures
{
    [GeneratedRegex("[^a-z0-9]+")]
    private static partial Regex NotInName();

    public static void Keep(object value)
    {
        if (Run.current is not { } run) return;
        if (File(value) is not var (title, extension, content)) return;
        try
        {
            var folder = run.folder.figures_folder;
            var number = Directory.Exists(folder) ? Directory.GetFiles(folder).Length + 1 : 1;
            var slug = NotInName().Replace(title.ToLowerInvariant(), "-").Trim('-');
            System.IO.File.WriteAllBytes(run.figure_path($"{number:00}-{(slug.Length == 0 ? "figure" : slug[..Math.Min(slug.Length, 60)])}{extension}"), content);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // A kept figure is an extra: the output is shown all the same.
            Console.Error.WriteLine($"the figure was not kept in {run.folder.figures_folder}: {e.Message}");
        }
    }

    static (string title, string extension, byte[] content)? File(object value) => value switch
    {
        ImageGrid grid => (grid.Title ?? "images", ".png", grid.ToImage().ToPng()),
        Image image => (image.Caption ?? "image", ".png", image.ToPng()),
        StrokeGrid grid => (grid.Title ?? "drawings", ".svg", Encoding.UTF8.GetBytes(grid.ToSvg())),
        StrokeDrawing drawing => (drawing.Caption ?? "drawing", ".svg", Encoding.UTF8.GetBytes(drawing.ToSvg())),
        Figure figure => (figure.Title ?? "figure", ".html", Encoding.UTF8.GetBytes(
            $"<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\"><title>{System.Net.WebUtility.HtmlEncode(figure.Title ?? "figure")}</title></head>\n" +
            $"<body>\n{figure.ToHtml()}\n</body></html>\n")),
        _ => null,
    };
}
