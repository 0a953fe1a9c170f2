using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;

namespace VaeLab.Notebooks;

/// <summary>Papermill's parameters convention for C#: the cell tagged <c>parameters</c> declares defaults,
/// and overrides go into a cell tagged <c>injected-parameters</c> right after it that re-assigns them.</summary>
public static class NotebookParameters
{
    public const string ParametersTag = "parameters";
    public const string InjectedTag = "injected-parameters";

    /// <summary>A variable of the parameters cell. <paramref name="Type"/> is null when it is not a type overrides can be parsed as.</summary>
    public sealed record Declaration(string Name, ParameterType? Type, string TypeText, string DefaultValue);

    /// <summary>int, long, double, float, bool or string, or a one-dimensional array of one of them.</summary>
    public sealed record ParameterType(string Element, bool IsArray)
    {
        public override string ToString() => IsArray ? Element + "[]" : Element;
    }

    static readonly string[] Scalars = ["int", "long", "float", "double", "bool", "string"];

    /// <summary>The top-level variables the parameters cell declares (constants cannot be re-assigned, so they are not parameters).</summary>
    public static IReadOnlyList<Declaration> Parse(string source)
    {
        var tree = CSharpSyntaxTree.ParseText(source, new CSharpParseOptions(LanguageVersion.Latest, kind: SourceCodeKind.Script));
        var declarations = new List<Declaration>();
        foreach (var member in ((CompilationUnitSyntax)tree.GetRoot()).Members)
        {
            var declaration = member switch
            {
                FieldDeclarationSyntax field when !field.Modifiers.Any(SyntaxKind.ConstKeyword) => field.Declaration,
                GlobalStatementSyntax { Statement: LocalDeclarationStatementSyntax local } when !local.IsConst => local.Declaration,
                _ => null,
            };
            if (declaration is null) continue;
            foreach (var variable in declaration.Variables)
            {
                var value = variable.Initializer?.Value;
                var type = declaration.Type.IsVar ? Infer(value) : FromSyntax(declaration.Type);
                var typeText = declaration.Type.IsVar ? type?.ToString() ?? "var" : declaration.Type.ToString();
                declarations.Add(new Declaration(variable.Identifier.Text, type, typeText, value?.ToString() ?? ""));
            }
        }
        return declarations;
    }

    static ParameterType? FromSyntax(TypeSyntax type) => type switch
    {
        PredefinedTypeSyntax p when Scalars.Contains(p.Keyword.Text) => new(p.Keyword.Text, false),
        ArrayTypeSyntax { ElementType: PredefinedTypeSyntax p, RankSpecifiers: [{ Rank: 1 }] } when Scalars.Contains(p.Keyword.Text) => new(p.Keyword.Text, true),
        _ => null,
    };

    static ParameterType? Infer(ExpressionSyntax? value)
    {
        switch (value)
        {
            case ImplicitArrayCreationExpressionSyntax array:
                return CommonType(array.Initializer.Expressions.Select(e => Infer(e))) is { IsArray: false } element ? element with { IsArray = true } : null;
            case ArrayCreationExpressionSyntax array:
                return FromSyntax(array.Type);
            case PrefixUnaryExpressionSyntax { RawKind: (int)SyntaxKind.UnaryMinusExpression or (int)SyntaxKind.UnaryPlusExpression } unary:
                return Infer(unary.Operand) is { Element: "int" or "long" or "float" or "double", IsArray: false } number ? number : null;
            case InterpolatedStringExpressionSyntax:
                return new("string", false);
            case LiteralExpressionSyntax literal:
                return literal.Token.Value switch
                {
                    int => new("int", false),
                    long => new("long", false),
                    float => new("float", false),
                    double => new("double", false),
                    bool => new("bool", false),
                    string => new("string", false),
                    _ => null,
                };
            default:
                return null;
        }
    }

    /// <summary>C#'s best common type for the elements of <c>new[] { ... }</c>, for the element types parameters allow.</summary>
    static ParameterType? CommonType(IEnumerable<ParameterType?> elements)
    {
        string[] numeric = ["int", "long", "float", "double"];
        var types = elements.ToList();
        if (types.Count == 0 || types.Any(t => t is null or { IsArray: true })) return null;
        var names = types.Select(t => t!.Element).Distinct().ToList();
        if (names.Count == 1) return types[0];
        if (names.All(numeric.Contains)) return new(numeric.Last(names.Contains), false);
        return null;
    }

    /// <summary>The source of the injected cell: one assignment per override, values being C# literals from <see cref="Literal"/>.</summary>
    public static string InjectedSource(IEnumerable<KeyValuePair<string, string>> literals) =>
        string.Join('\n', literals.Select(p => $"{p.Key} = {p.Value};").Prepend("// Parameters injected by the VaeLab notebook engine"));

    /// <summary>The C# literal an override assigns, or a <see cref="NotebookException"/> naming what is wrong with it.</summary>
    public static string Literal(IReadOnlyList<Declaration> declarations, string name, string value)
    {
        var declaration = declarations.FirstOrDefault(d => d.Name == name) ?? throw new NotebookException(
            $"unknown parameter '{name}'; the parameters cell declares " +
            (declarations.Count == 0 ? "none" : string.Join(", ", declarations.Select(d => d.Name))));
        var type = declaration.Type ?? throw new NotebookException(
            $"parameter '{name}' cannot be overridden: its type ({declaration.TypeText}) is not int, long, double, float, bool, string or an array of these");
        var literal = type.IsArray ? ArrayLiteral(type.Element, value) : ScalarLiteral(type.Element, value);
        return literal ?? throw new NotebookException($"parameter '{name}' is {type}, and '{value}' is not a valid {type}");
    }

    static string? ScalarLiteral(string type, string value)
    {
        var invariant = CultureInfo.InvariantCulture;
        var text = value.Trim();
        switch (type)
        {
            case "string":
                return SymbolDisplay.FormatLiteral(value, quote: true);
            case "bool":
                return bool.TryParse(text, out var b) ? (b ? "true" : "false") : null;
            case "int":
                return int.TryParse(text, NumberStyles.AllowLeadingSign, invariant, out var i) ? i.ToString(invariant) : null;
            case "long":
                return long.TryParse(text, NumberStyles.AllowLeadingSign, invariant, out var l) ? l.ToString(invariant) : null;
            case "double":
                if (!double.TryParse(text, NumberStyles.Float, invariant, out var d)) return null;
                if (double.IsNaN(d)) return "double.NaN";
                if (double.IsInfinity(d)) return d > 0 ? "double.PositiveInfinity" : "double.NegativeInfinity";
                var r = d.ToString("R", invariant);
                return r.IndexOfAny(['.', 'E']) < 0 ? r + ".0" : r;
            case "float":
                if (!float.TryParse(text, NumberStyles.Float, invariant, out var f)) return null;
                if (float.IsNaN(f)) return "float.NaN";
                if (float.IsInfinity(f)) return f > 0 ? "float.PositiveInfinity" : "float.NegativeInfinity";
                return f.ToString("R", invariant) + "f";
            default:
                return null;
        }
    }

    /// <summary>An array override is a JSON array (<c>[1, 2]</c>, <c>["a", "b"]</c>) or comma-separated items, brackets optional.</summary>
    static string? ArrayLiteral(string element, string value)
    {
        var text = value.Trim();
        List<string> items;
        try
        {
            items = JsonNode.Parse(text) is JsonArray json
                ? json.Select(n => n is JsonValue v && v.GetValueKind() == JsonValueKind.String ? v.GetValue<string>() : n?.ToJsonString() ?? "null").ToList()
                : throw new JsonException();
        }
        catch (JsonException)
        {
            if (text.StartsWith('[') && text.EndsWith(']')) text = text[1..^1];
            items = text.Trim().Length == 0 ? [] : text.Split(',').Select(s => s.Trim()).ToList();
        }
        var literals = items.Select(item => ScalarLiteral(element, item)).ToList();
        if (literals.Any(l => l is null)) return null;
        return $"new {element}[] {{ {string.Join(", ", literals)} }}";
    }
}
