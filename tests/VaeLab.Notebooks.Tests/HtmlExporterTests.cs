using System.Text.RegularExpressions;

namespace VaeLab.Notebooks.Tests;

public class HtmlExporterTests
{
    const string Figure = "<div class=\"vaelab-plotly\" id=\"{0}\"></div><script>Plotly.newPlot('{0}', [{{ y: [1, 2] }}]);</script>";

    static readonly Regex ExternalResource = new(@"<(script|img|link)\b[^>]*\b(src|href)\s*=\s*[""']?\s*(https?:)?//", RegexOptions.IgnoreCase);

    /// <summary>A plotly.min.js with a marker, in a folder that, like the npm package, holds a package.json (unless
    /// <paramref name="packageJson"/> is null).</summary>
    static string FakePlotly(string? packageJson = """{ "name": "plotly.js-dist-min", "version": "9.8.7-rc.1" }""")
    {
        var folder = TempFolder();
        var path = Path.Combine(folder, "plotly.min.js");
        File.WriteAllText(path, "/* fake plotly */ window.Plotly = { newPlot() {} }; var s = '</script>';");
        if (packageJson is not null) File.WriteAllText(Path.Combine(folder, "package.json"), packageJson);
        return path;
    }

    static readonly string RealPlotly = HtmlExporter.FindPlotlyScript(AppContext.BaseDirectory)
                                        ?? throw new InvalidOperationException("plotly.min.js is not installed: run scripts/setup.sh");

    /// <summary>The version plotly.min.js states in its opening comment ("plotly.js v4.1.2").</summary>
    static string HeaderVersion(string script)
    {
        using var reader = new StreamReader(script);
        return Regex.Match(reader.ReadLine() + reader.ReadLine(), @"plotly\.js v(\S+)").Groups[1].Value;
    }

    /// <summary>Asserts that the page holds every fragment, naming each one it lacks.</summary>
    static void AssertHolds(string html, params string[] fragments) => Assert.All(fragments, fragment => Assert.Contains(fragment, html));

    static Task<NotebookRun> RunFigures(int count) => RunCells(
        [.. Enumerable.Range(0, count).Select(i => $"display(HTML(\"\"\"{string.Format(Figure, $"fig{i}")}\"\"\"));"), "Console.WriteLine(\"end\");"]);

    [Fact]
    public async Task TheReportShowsTitleParametersMetricsCodeOutputsAndDurations()
    {
        var run = await Run("parameters.ipynb", new Dictionary<string, string> { ["name"] = "<tuned>" });
        var html = HtmlExporter.ToHtml(run);

        AssertHolds(html,
            "<title>Parameters</title>",
            "<h1>Parameters</h1>",
            "<tr class=\"overridden\"><td>name</td><td>string</td><td><code>&quot;&lt;tuned&gt;&quot;</code></td><td><code>&quot;base&quot;</code></td></tr>",
            "<tr><td>epochs</td><td>3</td></tr>",
            "<span class=\"kw\">var</span> epochs = <span class=\"num\">3</span>;",
            "<span class=\"str\">&quot;base&quot;</span>",
            "injected parameters cell",
            "<pre class=\"output stream stdout\">3 8 0.001 0.5 42 True &lt;tuned&gt; [1,2]",
            "<span class=\"status ok\">succeeded</span>");
        Assert.Equal(3, Regex.Matches(html, "<span class=\"duration\">\\d+ ms|<span class=\"duration\">[\\d.]+ s").Count);
        Assert.Matches("total (\\d+ ms|[\\d.]+ s)", html);
    }

    [Fact]
    public async Task HtmlOutputsAreInlineAndTextIsEscaped()
    {
        var html = HtmlExporter.ToHtml(await Run("display.ipynb"));

        AssertHolds(html,
            "<div class=\"output\"><b>circle</b></div>",
            "<div class=\"output result\"><b>square</b></div>",
            "<div class=\"output\"><pre>&lt;i&gt;not html&lt;/i&gt;</pre></div>",
            "<span class=\"str\">&quot;&lt;i&gt;not html&lt;/i&gt;&quot;</span>",
            "<h1>Display</h1>");
        Assert.DoesNotContain("vaelab-plotly", html);
        Assert.DoesNotMatch(ExternalResource, html);
    }

    [Fact]
    public async Task ErrorsAreHighlightedAndCellsAfterThemMarkedNotRun()
    {
        var html = HtmlExporter.ToHtml(await Run("errors.ipynb"));

        AssertHolds(html,
            "<span class=\"status failed\">failed</span>",
            "<p class=\"run-error\">Cell 3, line 2: InvalidOperationException: boom</p>",
            "cell 4 · not run");
        Assert.Matches("<section class=\"cell code failed\">(.|\n)*<pre class=\"output error\">Cell 3, line 2: InvalidOperationException: boom", html);
    }

    [Fact]
    public async Task ImagesAreEmbeddedAsDataUris()
    {
        var folder = TempFolder();
        File.WriteAllBytes(Path.Combine(folder, "local.png"), [137, 80, 78, 71]);
        var run = await NotebookRunner.RunAsync(new NotebookDocument([
            NotebookCell.Markdown("# Pictures\n\n![a local image](local.png) and ![a remote one](https://example.com/x.png), see [the docs](https://example.com)."),
            NotebookCell.Code("\"iVBORw0KGgo=\".DisplayAs(\"image/png\");"),
        ], Path.Combine(folder, "pictures.ipynb")));
        var html = HtmlExporter.ToHtml(run);

        AssertHolds(html,
            "<img src=\"data:image/png;base64,iVBORw0KGgo=\">",
            "<img alt=\"a local image\" src=\"data:image/png;base64,iVBORw==\">",
            "<a href=\"https://example.com/x.png\">a remote one</a>",
            "<a href=\"https://example.com\">the docs</a>");
        Assert.DoesNotMatch(ExternalResource, html);
    }

    [Fact]
    public async Task PlotlyIsInlinedOnceBeforeTheFirstOfTwoFigures()
    {
        var html = HtmlExporter.ToHtml(await RunFigures(2), new HtmlExportOptions { PlotlyScriptPath = FakePlotly() });

        Assert.Single(Regex.Matches(html, "fake plotly"));
        var script = html.IndexOf("fake plotly", StringComparison.Ordinal);
        Assert.True(script < html.IndexOf("id=\"fig0\"", StringComparison.Ordinal));
        Assert.True(html.IndexOf("id=\"fig0\"", StringComparison.Ordinal) < html.IndexOf("id=\"fig1\"", StringComparison.Ordinal));
        // A "</script>" inside the library must not close the element it is inlined in.
        Assert.Contains("var s = '<\\/script>';", html);
        Assert.DoesNotMatch(ExternalResource, html);
    }

    [Fact]
    public async Task WithoutFiguresPlotlyIsNotInlinedNorLookedFor()
    {
        var run = await RunFigures(0);
        var html = HtmlExporter.ToHtml(run, new HtmlExportOptions { PlotlyScriptPath = "/no/such/plotly.min.js" });
        var linking = HtmlExporter.ToHtml(run, new HtmlExportOptions { PlotlyScriptLink = "plotly-1.0.0.min.js" });

        Assert.DoesNotContain("Plotly", html);
        Assert.DoesNotContain("plotly", linking);
    }

    [Fact]
    public async Task WithALinkPlotlyIsLoadedOnceBeforeTheFirstFigureAndNotInlined()
    {
        var run = await RunFigures(2);
        var linked = HtmlExporter.ToHtml(run, new HtmlExportOptions { PlotlyScriptLink = "plotly-4.1.2.min.js", PlotlyScriptPath = FakePlotly() });
        var real = HtmlExporter.ToHtml(run, new HtmlExportOptions { PlotlyScriptLink = "plotly-4.1.2.min.js" });
        var inlined = HtmlExporter.ToHtml(run);

        Assert.Single(Regex.Matches(linked, "<script src="));
        var script = linked.IndexOf("<script src=\"plotly-4.1.2.min.js\"></script>\n", StringComparison.Ordinal);
        Assert.True(script >= 0 && script < linked.IndexOf("id=\"fig0\"", StringComparison.Ordinal));
        Assert.DoesNotContain("fake plotly", linked);
        Assert.Equal(linked, real);
        // The library itself is 4.6 MB and opens with "plotly.js v": inlined without the link, absent with it.
        Assert.Contains("plotly.js v", inlined);
        Assert.True(inlined.Length > new FileInfo(RealPlotly).Length);
        Assert.DoesNotContain("plotly.js v", real);
        Assert.True(real.Length < 50_000, $"{real.Length} characters");
        Assert.DoesNotMatch(ExternalResource, linked);
    }

    [Fact]
    public void TheSharedCopyIsNamedByThePackagesVersionAndIdenticalToIt()
    {
        var folder = Path.Combine(TempFolder(), "analysis");

        var name = HtmlExporter.SharePlotlyScript(folder);
        var fake = HtmlExporter.SharePlotlyScript(folder, new HtmlExportOptions { PlotlyScriptPath = FakePlotly() });

        Assert.Equal($"plotly-{HeaderVersion(RealPlotly)}.min.js", name);
        Assert.Equal(File.ReadAllBytes(RealPlotly), File.ReadAllBytes(Path.Combine(folder, name)));
        Assert.Equal("plotly-9.8.7-rc.1.min.js", fake);
        Assert.Contains("fake plotly", File.ReadAllText(Path.Combine(folder, fake)));
    }

    [Theory]
    [InlineData(null)]
    [InlineData("""{ "name": "plotly.js-dist-min" }""")]
    [InlineData("""{ "version": "../../x" }""")]
    [InlineData("""{ "version": 4 }""")]
    [InlineData("""{ "version": """)]
    public void ASharedCopyNeedsTheVersionFromThePackageJsonBesideTheScript(string? packageJson)
    {
        var script = FakePlotly(packageJson);
        var folder = TempFolder();

        var e = Assert.Throws<NotebookException>(() => HtmlExporter.SharePlotlyScript(folder, new HtmlExportOptions { PlotlyScriptPath = script }));

        Assert.Contains(Path.Combine(Path.GetDirectoryName(script)!, "package.json"), e.Message);
        Assert.Empty(Directory.GetFiles(folder));
    }

    [Fact]
    public async Task OnlyTheSharedCopiesNoPageLinksAreRemoved()
    {
        var folder = TempFolder();
        HtmlExporter.Write(await RunFigures(1), Path.Combine(folder, "report.html"), new HtmlExportOptions { PlotlyScriptLink = "plotly-2.0.0.min.js" });
        foreach (var name in new[] { "plotly-1.0.0.min.js", "plotly-2.0.0.min.js", "plotly-3.0.0.min.js", "other.js" })
            File.WriteAllText(Path.Combine(folder, name), name);
        // A page that merely mentions a copy does not keep it.
        File.WriteAllText(Path.Combine(folder, "notes.html"), "<p>plotly-3.0.0.min.js</p>");

        HtmlExporter.RemoveUnlinkedPlotlyScripts(folder);

        Assert.Equal(["notes.html", "other.js", "plotly-2.0.0.min.js", "report.html"], Directory.GetFiles(folder).Select(Path.GetFileName).Order());
    }

    [Fact]
    public async Task AMissingPlotlyScriptIsAnErrorSayingHowToInstallIt()
    {
        var run = await RunFigures(1);
        var e = Assert.Throws<NotebookException>(() => HtmlExporter.ToHtml(run, new HtmlExportOptions { PlotlyScriptPath = "/no/such/plotly.min.js" }));

        Assert.Contains("at /no/such/plotly.min.js", e.Message);
        Assert.Contains("scripts/setup.sh", e.Message);
    }

    [Fact]
    public void TheRepositoryProvidesPlotlyFromTheNpmPackage()
    {
        var script = HtmlExporter.FindPlotlyScript(AppContext.BaseDirectory);

        Assert.NotNull(script);
        Assert.EndsWith("node_modules/plotly.js-dist-min/plotly.min.js", script);
        Assert.True(File.Exists(Path.Combine(Path.GetDirectoryName(script)!, "../../Polyglot.sln")));
        using var reader = new StreamReader(script);
        Assert.Contains("plotly.js v", reader.ReadLine() + reader.ReadLine());
    }

    [Fact]
    public async Task MarkdownCellsRenderHeadingsListsTablesAndCode()
    {
        var notebook = new NotebookDocument([
            NotebookCell.Markdown("## Setup\n\n- one **bold**\n- two `a<b` and *em*\n\n1. first\n2. second\n\n| a | b |\n|---|---|\n| 1 | 2 |\n\n```csharp\nvar x = 1; // note\n```\n\n> quoted\n\nsnake_case_name stays"),
        ], PathOf("markdown.ipynb"));
        var html = HtmlExporter.ToHtml(await NotebookRunner.RunAsync(notebook));

        AssertHolds(html,
            "<h2>Setup</h2>",
            "<ul><li>one <strong>bold</strong></li><li>two <code>a&lt;b</code> and <em>em</em></li></ul>",
            "<ol><li>first</li><li>second</li></ol>",
            "<table><thead><tr><th>a</th><th>b</th></tr></thead><tbody><tr><td>1</td><td>2</td></tr></tbody></table>",
            "<pre><code><span class=\"kw\">var</span> x = <span class=\"num\">1</span>; <span class=\"com\">// note</span></code></pre>",
            "<blockquote><p>quoted</p>\n</blockquote>",
            "<p>snake_case_name stays</p>");
    }
}
