using System.Text.Json.Nodes;
using Microsoft.Playwright;
using static VaeLab.Kernel.Tests.ShippedNotebooks;

namespace VaeLab.Kernel.Tests;

/// <summary>
/// A notebook opened in Jupyter Notebook (Debian's jupyter-notebook, on 127.0.0.1) in headless Chromium (Debian's,
/// driven by Playwright), run with Cell > Run All as a person would: the kernel starts, every cell runs without an
/// error, and the notebook's figure (a grid of images, as a PNG) is drawn on the page.
/// </summary>
[Collection(JupyterKernels.Name)]
public sealed class JupyterNotebookBrowserTests
{
    /// <summary>Small, and its figure is an image grid, which draws without plotly.js (the page cannot reach a CDN).</summary>
    const string Name = "doodle-classifier";
    static readonly TimeSpan Patience = TimeSpan.FromMinutes(4);

    [Fact]
    public async Task RunAllInJupyterNotebookDrawsTheFigureWithoutErrors()
    {
        AssertLibraryBuilt();
        // Beside notebooks/, so that the notebook's #r "../lib/..." lines resolve from it, and inside the repository, where
        // `dotnet interactive` finds the local tool; hidden, so that git and whatever lists the notebooks pass it by.
        var folder = Directory.CreateDirectory(Path.Combine(RepoRoot, $".jupyter-test-{Guid.NewGuid():N}")).FullName;
        try
        {
            var notebook = Path.Combine(folder, Name + ".ipynb");
            WriteTiny(Name, notebook);
            var figure = JsonNode.Parse(File.ReadAllText(notebook))!["cells"]!.AsArray()
                .Select((cell, index) => (cell, index)).Single(c => Tags(c.cell!).Contains("figure")).index;
            await using var server = await JupyterNotebookServer.StartAsync(folder);
            var kernels = await server.KernelNamesAsync();
            Assert.True(kernels.Contains(KernelName), $"Jupyter has no kernel {KernelName}, only {string.Join(", ", kernels)}: run scripts/setup.sh");
            await RunAll(server, figure);
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    /// <summary>The lines of the error and stderr outputs on the page; the kernel shows a compile error on stderr only.</summary>
    const string ErrorLines = "() => [...document.querySelectorAll('.output_error, .output_stderr')].flatMap(e => e.innerText.split('\\n'))" +
                              ".filter(line => line.trim() !== '')";

    static async Task RunAll(JupyterNotebookServer server, int figure)
    {
        using var playwright = await Playwright.CreateAsync();
        await using var browser = await HeadlessChromium.LaunchAsync(playwright);
        var page = await browser.NewPageAsync();
        page.SetDefaultTimeout((float)Patience.TotalMilliseconds);
        await page.GotoAsync(new Uri(server.Root, $"notebooks/{Name}.ipynb?token={server.Token}").AbsoluteUri);

        // It starts in seconds; one that cannot start at all leaves the page saying "Kernel starting" for good.
        var kernel = await Expect("the kernel to start (scripts/setup.sh restores dotnet-interactive)", () =>
            page.WaitForSelectorAsync("#kernel_indicator_icon.kernel_idle_icon, #kernel_indicator_icon.kernel_dead_icon", new() { Timeout = 90_000 }));
        Assert.True(await kernel!.GetAttributeAsync("class") == "kernel_idle_icon",
            $"the {KernelName} kernel died (scripts/setup.sh restores dotnet-interactive)\nserver log:\n{server.Log()}");
        await page.ClickAsync("#celllink");
        await page.ClickAsync("#run_all_cells > a");

        // Run All marks every code cell as running at once, and each stops running when the kernel answers for it. The
        // kernel runs the cells after a failing one all the same, so an error ends the wait too.
        await Expect("Run All to finish", () => page.WaitForFunctionAsync($"() => document.querySelectorAll('.cell.running').length === 0 || ({ErrorLines})().length > 0"));
        var errors = await page.EvaluateAsync<string[]>(ErrorLines);
        Assert.True(errors.Length == 0, $"the notebook shows errors:\n{string.Join("\n", errors)}");
        var image = await Expect("the figure cell to show its image", () =>
            page.WaitForSelectorAsync($"#notebook-container > .cell:nth-child({figure + 1}) .output_area img[src^='data:image/png']"));
        await Expect("the figure's PNG to be drawn", () => page.WaitForFunctionAsync("image => image.complete && image.naturalWidth > 0", image));

        async Task<T> Expect<T>(string what, Func<Task<T>> wait)
        {
            try { return await wait(); }
            catch (Exception e) when (e is PlaywrightException or TimeoutException)
            {
                var text = await page.Locator("#notebook-container").InnerTextAsync();
                Assert.Fail($"{e.Message.Split('\n')[0]} waiting for {what}\nserver log:\n{server.Log()}\nthe page's last lines:\n{Tail(text, 30)}");
                throw;
            }
        }
    }
}
