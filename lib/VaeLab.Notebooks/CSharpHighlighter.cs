using System.Net;
using System.Text;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;

namespace VaeLab.Notebooks;

/// <summary>C# to HTML with keywords, literals, comments and directives in spans, using Roslyn's own tokenizer.</summary>
static class CSharpHighlighter
{
    static readonly CSharpParseOptions ScriptParse = new(LanguageVersion.Latest, kind: SourceCodeKind.Script);

    // Contextual keywords are identifiers to the tokenizer; these are the ones that read as keywords in notebook code.
    static readonly HashSet<string> ContextualKeywords = ["var", "async", "await", "yield", "record", "nameof", "dynamic", "init", "required", "with", "when"];

    public static string ToHtml(string code)
    {
        var html = new StringBuilder();
        foreach (var token in CSharpSyntaxTree.ParseText(code, ScriptParse).GetRoot().DescendantTokens())
        {
            foreach (var trivia in token.LeadingTrivia) Append(html, trivia.ToFullString(), TriviaClass(trivia));
            Append(html, token.Text, TokenClass(token));
            foreach (var trivia in token.TrailingTrivia) Append(html, trivia.ToFullString(), TriviaClass(trivia));
        }
        return html.ToString();
    }

    static void Append(StringBuilder html, string text, string? cssClass)
    {
        if (text.Length == 0) return;
        if (cssClass is null) html.Append(WebUtility.HtmlEncode(text));
        else html.Append($"<span class=\"{cssClass}\">").Append(WebUtility.HtmlEncode(text)).Append("</span>");
    }

    static string? TokenClass(SyntaxToken token)
    {
        var kind = token.Kind();
        if (SyntaxFacts.IsKeywordKind(kind)) return "kw";
        if (kind == SyntaxKind.IdentifierToken) return ContextualKeywords.Contains(token.Text) ? "kw" : null;
        return kind switch
        {
            SyntaxKind.NumericLiteralToken => "num",
            SyntaxKind.StringLiteralToken or SyntaxKind.CharacterLiteralToken or SyntaxKind.Utf8StringLiteralToken
                or SyntaxKind.SingleLineRawStringLiteralToken or SyntaxKind.MultiLineRawStringLiteralToken
                or SyntaxKind.InterpolatedStringStartToken or SyntaxKind.InterpolatedStringTextToken or SyntaxKind.InterpolatedStringEndToken
                or SyntaxKind.InterpolatedSingleLineRawStringStartToken or SyntaxKind.InterpolatedMultiLineRawStringStartToken
                or SyntaxKind.InterpolatedRawStringEndToken => "str",
            _ => null,
        };
    }

    static string? TriviaClass(SyntaxTrivia trivia)
    {
        if (trivia.IsDirective) return "dir";
        return trivia.Kind() is SyntaxKind.SingleLineCommentTrivia or SyntaxKind.MultiLineCommentTrivia
            or SyntaxKind.SingleLineDocumentationCommentTrivia or SyntaxKind.MultiLineDocumentationCommentTrivia ? "com" : null;
    }
}
