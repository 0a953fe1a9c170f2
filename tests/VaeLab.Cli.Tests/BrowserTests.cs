using Microsoft.Playwright;

namespace VaeLab.Cli.Tests;

/// <summary>
/// An exported report opened in headless Chromium (Debian's, driven by Playwright) with the network shut: the
/// Plotly figure must draw from the plotly.js the report links (reproduce's, in analysis/) or inlines (run's, written
/// elsewhere), and the stroke drawing's SVG must be there.
/// </summary>
[Collection(NotebookCommands.Name)]
public sealed class BrowserTests : IDisposable
{
    readonly TempRepository repo = new();

    public void Dispose() => repo.Dispose();

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task AReportWithAPlotlyFigureAndAStrokeDrawingRendersOfflineWithoutErrors(bool linked)
    {
        var notebook = repo.AddNotebook("figures",
            TempRepository.ReferenceVaeLab + "\nusing VaeLab.Display;",
            TempRepository.FigureCell("loss"),
            "new StrokeDrawing(new PenStroke([0.0, 10, 20], [0.0, 15, 0]), new PenStroke([5.0, 15], [20.0, 20])) { Caption = \"a sketch\" }");
        // The linked report is read from a copy of analysis/ moved elsewhere as a whole, as someone may download it.
        var moved = Path.Combine(repo.Root, "download", "analysis");
        var report = linked ? Path.Combine(moved, "figures.html") : Path.Combine(repo.Root, "out", "figures.html");
        var run = linked ? await Vaelab.Run("reproduce", "--root", repo.Root) : await Vaelab.Run("run", notebook, "--html", report);
        Assert.True(run.ExitCode == 0, run.Error);
        if (linked)
        {
            Directory.CreateDirectory(Path.GetDirectoryName(moved)!);
            Directory.Move(repo.Analysis, moved);
        }

        using var playwright = await Playwright.CreateAsync();
        await using var browser = await HeadlessChromium.LaunchAsync(playwright);
        var page = await browser.NewPageAsync();
        var requested = new List<string>();
        var errors = new List<string>();
        page.Request += (_, request) => { lock (requested) requested.Add(request.Url); };
        page.Console += (_, message) => { if (message.Type == "error") lock (errors) errors.Add(message.Text); };
        page.PageError += (_, error) => { lock (errors) errors.Add(error); };
        // Anything but the file itself and inline data is refused, so a report that needs the network fails here.
        await page.RouteAsync("**/*", route => IsLocal(route.Request.Url) ? route.ContinueAsync() : route.AbortAsync());

        await page.GotoAsync(new Uri(report).AbsoluteUri);
        // By the load event the figure's script has run: had it not found plotly.js in the page, it would have asked the CDN.
        Assert.DoesNotContain(requested, url => !IsLocal(url));
        await page.WaitForSelectorAsync("div.vaelab-plotly svg.main-svg", new() { Timeout = 30_000 });

        Assert.True(await page.Locator("div.vaelab-plotly .scatterlayer path.js-line").CountAsync() > 0, "the line trace is drawn");
        // Title and axis titles are Plotly.NET's layout (FigureCell: title, "step", "loss"), as plotly.js draws it.
        Assert.Equal("loss", await page.Locator("div.vaelab-plotly .gtitle").TextContentAsync());
        Assert.Equal("step", await page.Locator("div.vaelab-plotly .g-xtitle").TextContentAsync());
        Assert.Equal("loss", await page.Locator("div.vaelab-plotly .g-ytitle").TextContentAsync());
        Assert.Equal(2, await page.Locator("svg.vaelab-strokes path").CountAsync());
        Assert.Equal("a sketch", await page.Locator("figure.vaelab-drawing figcaption").TextContentAsync());
        Assert.Empty(errors);
        Assert.DoesNotContain(requested, url => !IsLocal(url));
        Assert.Contains(requested, url => url.StartsWith("file:"));
        var scripts = requested.Where(url => url.EndsWith(".js")).ToList();
        Assert.Equal(linked ? [new Uri(Path.Combine(moved, TempRepository.SharedPlotly)).AbsoluteUri] : [], scripts);
    }

    static bool IsLocal(string url) => url.StartsWith("file:") || url.StartsWith("data:");
}
