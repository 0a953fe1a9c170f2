using System.Text.RegularExpressions;

namespace VaeLab.Notebooks.Tests;

/// <summary>
/// A shared report must not carry a clickable script: markdown links and images keep http(s), mailto and relative
/// URLs, and any other (javascript:, data:, in any case, behind control characters a browser skips) is shown as the
/// markdown it was written as, not as a link.
/// </summary>
public class MarkdownLinkTests
{
    [Fact]
    public async Task OnlyHttpMailtoAndRelativeUrlsBecomeLinks()
    {
        var folder = TempFolder();
        var run = await NotebookRunner.RunAsync(new NotebookDocument([
            NotebookCell.Markdown("# Links\n"
                + "[web](https://example.com/a_b) [mail](mailto:someone@example.com) [page](other.html#part) [up](../notes.md)\n"
                + "[one](javascript:alert.call) [two](JavaScript:alert.bind) [three](data:text/html;base64,PHNjcmlwdD4=) [four](vbscript:x)\n"
                + "[five](\u0001javascript:alert.name) ![six](javascript:alert.length) ![seven](data:image/svg+xml;base64,PHN2Zz4=)"),
        ], Path.Combine(folder, "links.ipynb")));
        var html = HtmlExporter.ToHtml(run);

        var hrefs = Regex.Matches(html, "<a href=\"([^\"]*)\"").Select(m => m.Groups[1].Value);
        Assert.Equal(["https://example.com/a_b", "mailto:someone@example.com", "other.html#part", "../notes.md"], hrefs);
        foreach (var shown in new[] { "[one](javascript:alert.call)", "[two](JavaScript:alert.bind)", "[three](data:text/html;base64,PHNjcmlwdD4=)",
                     "[four](vbscript:x)", "[five](\u0001javascript:alert.name)", "![six](javascript:alert.length)", "![seven](data:image/svg+xml;base64,PHN2Zz4=)" })
            Assert.Contains($"<span class=\"inert-link\" title=\"not a link: only http(s), mailto and relative URLs are\">{System.Net.WebUtility.HtmlEncode(shown)}</span>", html);
    }
}
