using System.Text.RegularExpressions;
using static VaeLab.Notebooks.Tests.TestNotebooks;

namespace VaeLab.Notebooks.Tests;

public class HtmlExporterTests
{
    const string Figure = "<div class=\"vaelab-plotly\" id=\"{0}\"></div><script>Plotly.newPlot('{0}', [{{ y: [1, 2] }}]);</script>";

    static readonly Regex ExternalResource = new(@"<(script|img|link)\b[^>]*\b(src|href)\s*=\s*[""']?\s*(https?:)?//", RegexOptions.IgnoreCase);

    static string FakePlotly()
    {
        var path = Path.Combine(TempFolder(), "plotly.min.js");
        File.WriteAllText(path, "/* fake plotly */ window.Plotly = { newPlot() {} }; var s = '</script>';");
        return path;
    }

    static Task<NotebookRun> RunFigures(int count) => RunCells(
        [.. Enumerable.Range(0, count).Select(i => $"display(HTML(\"\"\"{string.Format(Figure, $"fig{i}")}\"\"\"));"), "Console.WriteLine(\"end\");"]);

    [Fact]
    public async Task The_report_shows_title_parameters_metrics_code_outputs_and_durations()
    {
        var run = await Run("parameters.ipynb", new Dictionary<string, string> { ["name"] = "<tuned>" });
        var html = HtmlExporter.ToHtml(run);

        Assert.Contains("<title>Parameters</title>", html);
        Assert.Contains("<h1>Parameters</h1>", html);
        Assert.Contains("<tr class=\"overridden\"><td>name</td><td>string</td><td><code>&quot;&lt;tuned&gt;&quot;</code></td><td><code>&quot;base&quot;</code></td></tr>", html);
        Assert.Contains("<tr><td>epochs</td><td>3</td></tr>", html);
        Assert.Contains("<span class=\"kw\">var</span> epochs = <span class=\"num\">3</span>;", html);
        Assert.Contains("<span class=\"str\">&quot;base&quot;</span>", html);
        Assert.Contains("injected parameters cell", html);
        Assert.Contains("<pre class=\"output stream stdout\">3 8 0.001 0.5 42 True &lt;tuned&gt; [1,2]", html);
        Assert.Equal(3, Regex.Matches(html, "<span class=\"duration\">\\d+ ms|<span class=\"duration\">[\\d.]+ s").Count);
        Assert.Matches("total (\\d+ ms|[\\d.]+ s)", html);
        Assert.Contains("<span class=\"status ok\">succeeded</span>", html);
    }

    [Fact]
    public async Task Html_outputs_are_inline_and_text_is_escaped()
    {
        var html = HtmlExporter.ToHtml(await Run("display.ipynb"));

        Assert.Contains("<div class=\"output\"><b>circle</b></div>", html);
        Assert.Contains("<div class=\"output result\"><b>square</b></div>", html);
        Assert.Contains("<div class=\"output\"><pre>&lt;i&gt;not html&lt;/i&gt;</pre></div>", html);
        Assert.Contains("<span class=\"str\">&quot;&lt;i&gt;not html&lt;/i&gt;&quot;</span>", html);
        Assert.Contains("<h1>Display</h1>", html);
        Assert.DoesNotContain("vaelab-plotly", html);
        Assert.DoesNotMatch(ExternalResource, html);
    }

    [Fact]
    public async Task Errors_are_highlighted_and_cells_after_them_marked_not_run()
    {
        var html = HtmlExporter.ToHtml(await Run("errors.ipynb"));

        Assert.Contains("<span class=\"status failed\">failed</span>", html);
        Assert.Contains("<p class=\"run-error\">Cell 3, line 2: InvalidOperationException: boom</p>", html);
        Assert.Matches("<section class=\"cell code failed\">(.|\n)*<pre class=\"output error\">Cell 3, line 2: InvalidOperationException: boom", html);
        Assert.Contains("cell 4 · not run", html);
    }

    [Fact]
    public async Task Images_are_embedded_as_data_uris()
    {
        var folder = TempFolder();
        File.WriteAllBytes(Path.Combine(folder, "local.png"), [137, 80, 78, 71]);
        var run = await NotebookRunner.RunAsync(new Notebook([
            NotebookCell.Markdown("# Pictures\n\n![a local image](local.png) and ![a remote one](https://example.com/x.png), see [the docs](https://example.com)."),
            NotebookCell.Code("display(\"iVBORw0KGgo=\", \"image/png\");"),
        ], Path.Combine(folder, "pictures.ipynb")));
        var html = HtmlExporter.ToHtml(run);

        Assert.Contains("<img src=\"data:image/png;base64,iVBORw0KGgo=\">", html);
        Assert.Contains("<img alt=\"a local image\" src=\"data:image/png;base64,iVBORw==\">", html);
        Assert.Contains("<a href=\"https://example.com/x.png\">a remote one</a>", html);
        Assert.Contains("<a href=\"https://example.com\">the docs</a>", html);
        Assert.DoesNotMatch(ExternalResource, html);
    }

    [Fact]
    public async Task Plotly_is_inlined_once_before_the_first_of_two_figures()
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
    public async Task Without_figures_plotly_is_not_inlined_nor_looked_for()
    {
        var html = HtmlExporter.ToHtml(await RunFigures(0), new HtmlExportOptions { PlotlyScriptPath = "/no/such/plotly.min.js" });

        Assert.DoesNotContain("Plotly", html);
    }

    [Fact]
    public async Task A_missing_plotly_script_is_an_error_saying_how_to_install_it()
    {
        var run = await RunFigures(1);
        var e = Assert.Throws<NotebookException>(() => HtmlExporter.ToHtml(run, new HtmlExportOptions { PlotlyScriptPath = "/no/such/plotly.min.js" }));

        Assert.Contains("at /no/such/plotly.min.js", e.Message);
        Assert.Contains("scripts/setup.sh", e.Message);
    }

    [Fact]
    public void The_repository_provides_plotly_from_the_npm_package()
    {
        var script = HtmlExporter.FindPlotlyScript(AppContext.BaseDirectory);

        Assert.NotNull(script);
        Assert.EndsWith("node_modules/plotly.js-dist-min/plotly.min.js", script);
        Assert.True(File.Exists(Path.Combine(Path.GetDirectoryName(script)!, "../../Polyglot.sln")));
        using var reader = new StreamReader(script);
        Assert.Contains("plotly.js v", reader.ReadLine() + reader.ReadLine());
    }

    [Fact]
    public async Task Markdown_cells_render_headings_lists_tables_and_code()
    {
        var notebook = new Notebook([
            NotebookCell.Markdown("## Setup\n\n- one **bold**\n- two `a<b` and *em*\n\n1. first\n2. second\n\n| a | b |\n|---|---|\n| 1 | 2 |\n\n```csharp\nvar x = 1; // note\n```\n\n> quoted\n\nsnake_case_name stays"),
        ], PathOf("markdown.ipynb"));
        var html = HtmlExporter.ToHtml(await NotebookRunner.RunAsync(notebook));

        Assert.Contains("<h2>Setup</h2>", html);
        Assert.Contains("<ul><li>one <strong>bold</strong></li><li>two <code>a&lt;b</code> and <em>em</em></li></ul>", html);
        Assert.Contains("<ol><li>first</li><li>second</li></ol>", html);
        Assert.Contains("<table><thead><tr><th>a</th><th>b</th></tr></thead><tbody><tr><td>1</td><td>2</td></tr></tbody></table>", html);
        Assert.Contains("<pre><code><span class=\"kw\">var</span> x = <span class=\"num\">1</span>; <span class=\"com\">// note</span></code></pre>", html);
        Assert.Contains("<blockquote><p>quoted</p>\n</blockquote>", html);
        Assert.Contains("<p>snake_case_name stays</p>", html);
    }
}
