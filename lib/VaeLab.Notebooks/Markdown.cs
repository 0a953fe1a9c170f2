using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;

namespace VaeLab.Notebooks;

/// <summary>
/// The markdown notebooks use (headings, paragraphs, lists, quotes, tables, fenced code, emphasis, links, images) to
/// HTML for the report. Raw HTML is shown as text. Images are embedded when they are local files or cell attachments,
/// and become links otherwise, so the report never fetches anything. Links go only to http(s), mailto and relative
/// URLs: any other (javascript:, data:...) is shown as the text it was written as, not as a link. Quotes nest at most
/// <see cref="MaxQuoteDepth"/> deep; deeper ones show their '&gt;' marks as text.
/// </summary>
static partial class Markdown
{
    const int MaxQuoteDepth = 16;

    /// <param name="folder">Where relative image paths resolve (the notebook's folder).</param>
    /// <param name="attachments">The cell's nbformat attachments, for <c>attachment:name</c> images.</param>
    public static string ToHtml(string markdown, string folder, JsonObject? attachments = null) => Blocks(markdown, folder, attachments, 0);

    static string Blocks(string markdown, string folder, JsonObject? attachments, int depth)
    {
        var html = new StringBuilder();
        var lines = markdown.Replace("\r\n", "\n").Split('\n');
        var i = 0;
        while (i < lines.Length)
        {
            var line = lines[i];
            if (line.Trim().Length == 0) { i++; continue; }

            if (Fence().Match(line) is { Success: true } fence)
            {
                var code = new List<string>();
                for (i++; i < lines.Length && !lines[i].TrimStart().StartsWith(fence.Groups[1].Value); i++) code.Add(lines[i]);
                i++;
                var text = string.Join('\n', code);
                var language = fence.Groups[2].Value.Trim().ToLowerInvariant();
                html.Append("<pre><code>")
                    .Append(language is "csharp" or "cs" or "c#" ? CSharpHighlighter.ToHtml(text) : WebUtility.HtmlEncode(text))
                    .Append("</code></pre>\n");
            }
            else if (Heading().Match(line) is { Success: true } heading)
            {
                var level = heading.Groups[1].Value.Length;
                html.Append($"<h{level}>{Inline(heading.Groups[2].Value.TrimEnd('#', ' '), folder, attachments)}</h{level}>\n");
                i++;
            }
            else if (Rule().IsMatch(line))
            {
                html.Append("<hr>\n");
                i++;
            }
            else if (line.TrimStart().StartsWith('>') && depth < MaxQuoteDepth)
            {
                var quoted = new List<string>();
                for (; i < lines.Length && lines[i].TrimStart().StartsWith('>'); i++) quoted.Add(lines[i].TrimStart()[1..]);
                html.Append("<blockquote>").Append(Blocks(string.Join('\n', quoted), folder, attachments, depth + 1)).Append("</blockquote>\n");
            }
            else if (ListItem().Match(line) is { Success: true } first)
            {
                var ordered = char.IsDigit(first.Groups[1].Value[0]);
                var items = new List<string>();
                for (; i < lines.Length; i++)
                {
                    if (ListItem().Match(lines[i]) is { Success: true } item && char.IsDigit(item.Groups[1].Value[0]) == ordered)
                        items.Add(item.Groups[2].Value);
                    else if (lines[i].StartsWith("  ") && lines[i].Trim().Length > 0)
                        items[^1] += " " + lines[i].Trim();
                    else break;
                }
                var tag = ordered ? "ol" : "ul";
                html.Append($"<{tag}>").Append(string.Concat(items.Select(it => $"<li>{Inline(it, folder, attachments)}</li>"))).Append($"</{tag}>\n");
            }
            else if (line.Contains('|') && i + 1 < lines.Length && TableRule().IsMatch(lines[i + 1]))
            {
                html.Append("<table><thead><tr>")
                    .Append(string.Concat(Cells(line).Select(c => $"<th>{Inline(c, folder, attachments)}</th>")))
                    .Append("</tr></thead><tbody>");
                for (i += 2; i < lines.Length && lines[i].Contains('|'); i++)
                    html.Append("<tr>").Append(string.Concat(Cells(lines[i]).Select(c => $"<td>{Inline(c, folder, attachments)}</td>"))).Append("</tr>");
                html.Append("</tbody></table>\n");
            }
            else
            {
                // The first line is the paragraph's even when it would start a block: a quote too deep to nest.
                var paragraph = new List<string> { lines[i++].Trim() };
                for (; i < lines.Length && lines[i].Trim().Length > 0 && !StartsBlock(lines[i]); i++) paragraph.Add(lines[i].Trim());
                html.Append("<p>").Append(Inline(string.Join('\n', paragraph), folder, attachments)).Append("</p>\n");
            }
        }
        return html.ToString();
    }

    static bool StartsBlock(string line) =>
        Fence().IsMatch(line) || Heading().IsMatch(line) || Rule().IsMatch(line) || ListItem().IsMatch(line) || line.TrimStart().StartsWith('>');

    static IEnumerable<string> Cells(string row) => row.Trim().Trim('|').Split('|').Select(c => c.Trim());

    /// <summary>Code spans, images, links, bold and italic, on HTML-encoded text.</summary>
    static string Inline(string text, string folder, JsonObject? attachments)
    {
        // Finished HTML (code spans, images, refused links) waits behind placeholders while the other rules run.
        var spans = new List<string>();
        string Keep(string html)
        {
            spans.Add(html);
            return $"\u0000{spans.Count - 1}\u0000";
        }
        text = CodeSpan().Replace(text, m => Keep($"<code>{WebUtility.HtmlEncode(m.Groups[1].Value)}</code>"));
        text = WebUtility.HtmlEncode(text);
        text = Image().Replace(text, m => Keep(ImageHtml(WebUtility.HtmlDecode(m.Groups[1].Value), WebUtility.HtmlDecode(m.Groups[2].Value), folder, attachments)));
        text = Link().Replace(text, m => IsSafeUrl(WebUtility.HtmlDecode(m.Groups[2].Value))
            ? $"<a href=\"{m.Groups[2].Value}\">{m.Groups[1].Value}</a>"
            : Keep(Inert(m.Value)));
        text = Bold().Replace(text, "<strong>$2</strong>");
        text = Italic().Replace(text, "<em>$2</em>");
        return Placeholder().Replace(text, m => spans[int.Parse(m.Groups[1].Value)]);
    }

    static string ImageHtml(string alt, string source, string folder, JsonObject? attachments)
    {
        var encodedAlt = WebUtility.HtmlEncode(alt);
        if (source.StartsWith("attachment:") && attachments?[source["attachment:".Length..]] is JsonObject bundle
            && bundle.FirstOrDefault(p => p.Key.StartsWith("image/")) is { Value: { } data } image)
            return $"<img alt=\"{encodedAlt}\" src=\"data:{image.Key};base64,{NotebookReader.JoinText(data).Trim()}\">";

        var mime = Path.GetExtension(source).ToLowerInvariant() switch
        {
            ".png" => "image/png", ".jpg" or ".jpeg" => "image/jpeg", ".gif" => "image/gif", ".svg" => "image/svg+xml", _ => null,
        };
        if (!source.Contains("://") && mime is not null)
        {
            var file = Path.Combine(folder, Uri.UnescapeDataString(source));
            if (File.Exists(file)) return $"<img alt=\"{encodedAlt}\" src=\"data:{mime};base64,{Convert.ToBase64String(File.ReadAllBytes(file))}\">";
        }
        return IsSafeUrl(source)
            ? $"<a href=\"{WebUtility.HtmlEncode(source)}\">{(alt.Length > 0 ? encodedAlt : WebUtility.HtmlEncode(source))}</a>"
            : Inert(WebUtility.HtmlEncode($"![{alt}]({source})"));
    }

    static readonly char[] ControlOrSpace = [.. Enumerable.Range(0, 33).Select(c => (char)c)];

    /// <summary>Whether a link may go to <paramref name="url"/>: http(s), mailto, or relative (no scheme).</summary>
    static bool IsSafeUrl(string url)
    {
        // Read as a browser reads it: tabs and line breaks anywhere, and control characters or spaces in front, do not count.
        var seen = url.Replace("\t", "").Replace("\n", "").Replace("\r", "").TrimStart(ControlOrSpace);
        var scheme = UrlScheme().Match(seen);
        return !scheme.Success || scheme.Groups[1].Value.ToLowerInvariant() is "http" or "https" or "mailto";
    }

    /// <summary>A refused link or image, shown as the (HTML-encoded) markdown it was written as.</summary>
    static string Inert(string encodedMarkdown) =>
        $"<span class=\"inert-link\" title=\"not a link: only http(s), mailto and relative URLs are\">{encodedMarkdown}</span>";

    [GeneratedRegex(@"^\s*(```+|~~~+)(.*)$")] private static partial Regex Fence();
    [GeneratedRegex(@"^(#{1,6})\s+(.*)$")] private static partial Regex Heading();
    [GeneratedRegex(@"^\s*([-*_])(\s*\1){2,}\s*$")] private static partial Regex Rule();
    [GeneratedRegex(@"^\s*([-*+]|\d+[.)])\s+(.*)$")] private static partial Regex ListItem();
    [GeneratedRegex(@"^\s*\|?\s*:?-+:?\s*(\|\s*:?-+:?\s*)*\|?\s*$")] private static partial Regex TableRule();
    [GeneratedRegex(@"`([^`]+)`")] private static partial Regex CodeSpan();
    [GeneratedRegex(@"\u0000(\d+)\u0000")] private static partial Regex Placeholder();
    [GeneratedRegex(@"!\[([^\]]*)\]\(([^)\s]+)(?:\s+&quot;[^)]*&quot;)?\)")] private static partial Regex Image();
    [GeneratedRegex(@"\[([^\]]+)\]\(([^)\s]+)(?:\s+&quot;[^)]*&quot;)?\)")] private static partial Regex Link();
    [GeneratedRegex(@"^([a-zA-Z][a-zA-Z0-9+.\-]*):")] private static partial Regex UrlScheme();
    [GeneratedRegex(@"(\*\*|__)(?=\S)(.+?)(?<=\S)\1")] private static partial Regex Bold();
    [GeneratedRegex(@"(?<![\w*])(\*|_)(?=\S)(.+?)(?<=\S)\1(?![\w*])")] private static partial Regex Italic();
}
