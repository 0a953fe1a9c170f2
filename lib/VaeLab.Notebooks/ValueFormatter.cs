using System.Collections;
using System.Collections.Concurrent;
using System.Net;
using System.Reflection;
using System.Text;

namespace VaeLab.Notebooks;

/// <summary>Raw HTML, as the kernel's <c>HTML(string)</c> returns it: displayed as text/html without encoding.</summary>
public sealed class HtmlString(string html)
{
    public string Html { get; } = html;
    public override string ToString() => Html;
}

/// <summary>
/// Turns a displayed value into MIME-typed representations. Library types bring their own formatters through the
/// convention Polyglot Notebooks also honours (an attribute named <c>TypeFormatterSourceAttribute</c>, matched by name,
/// on the type or a base type), so one library serves VS Code and this engine; a loaded assembly can also carry that
/// attribute with a ForType naming another library's type, which then takes precedence over that type's own attribute.
/// Everything else gets plain defaults.
/// </summary>
public static class ValueFormatter
{
    const int MaxItems = 100;

    sealed record Formatter(string MimeType, Type? Type, object Target, MethodInfo Method)
    {
        public string? TryFormat(object value)
        {
            if (Type is not null && !Type.IsInstanceOfType(value)) return null;
            using var writer = new StringWriter();
            var accepted = (bool)Method.Invoke(Target, BindingFlags.DoNotWrapExceptions, null, [value, writer], null)!;
            return accepted ? writer.ToString() : null;
        }
    }

    sealed record Convention(IReadOnlyList<Formatter> Formatters, string[]? PreferredMimeTypes)
    {
        public string? TryFormat(object value, string mimeType) =>
            Formatters.Where(f => f.MimeType == mimeType).Select(f => f.TryFormat(value)).FirstOrDefault(s => s is not null);
    }

    static readonly ConcurrentDictionary<Type, Convention?> Conventions = new();
    static readonly ConcurrentDictionary<Type, MemberInfo[]> Columns = new();

    /// <summary>
    /// The representations of <paramref name="value"/>: exactly the requested MIME types when some are given (or the
    /// type's preferred ones); otherwise the richest of text/html and image/png the value has, plus text/plain.
    /// </summary>
    public static IReadOnlyDictionary<string, string> Format(object? value, params string[] mimeTypes)
    {
        if (value is null) return new Dictionary<string, string> { ["text/plain"] = "<null>" };
        if (value is HtmlString html && mimeTypes.Length == 0) return new Dictionary<string, string> { ["text/html"] = html.Html };

        var convention = Conventions.GetOrAdd(value.GetType(), Discover);
        var requested = mimeTypes.Length > 0 ? mimeTypes : convention?.PreferredMimeTypes is { Length: > 0 } preferred ? preferred : null;
        var data = new Dictionary<string, string>();
        if (requested is not null)
        {
            foreach (var mimeType in requested)
                data[mimeType] = convention?.TryFormat(value, mimeType) ?? Builtin(value, mimeType);
            return data;
        }

        foreach (var mimeType in (string[])["text/html", "image/png"])
            if (convention?.TryFormat(value, mimeType) is { } formatted)
            {
                data[mimeType] = formatted;
                break;
            }
        if (data.Count == 0 && IsCollection(value)) data["text/html"] = Table((IEnumerable)value);
        data["text/plain"] = convention?.TryFormat(value, "text/plain") ?? Plain(value);
        return data;
    }

    /// <summary>The representation of <paramref name="value"/> its type's own formatters give for <paramref name="mimeType"/>;
    /// null when none does (no default stands in).</summary>
    internal static string? TryFormat(object value, string mimeType) => Conventions.GetOrAdd(value.GetType(), Discover)?.TryFormat(value, mimeType);

    static string Builtin(object value, string mimeType) => (mimeType, value) switch
    {
        ("text/plain", _) => Plain(value),
        (_, string or HtmlString) => value.ToString()!,     // asking for another type means the text already is one
        ("text/html", _) when IsCollection(value) => Table((IEnumerable)value),
        ("text/html", _) => $"<pre>{WebUtility.HtmlEncode(Plain(value))}</pre>",
        _ => Plain(value),
    };

    // A library loaded later can serve a type already shown: a notebook may show a tensor before it first uses VaeLab.
    static ValueFormatter() => AppDomain.CurrentDomain.AssemblyLoad += (_, e) =>
    {
        if (e.LoadedAssembly.GetCustomAttributesData().Any(a => a.AttributeType.Name == "TypeFormatterSourceAttribute")) Conventions.Clear();
    };

    static Convention? Discover(Type type)
    {
        // A library that formats another library's type (VaeLab's attribute for TorchSharp's Tensor, which carries a
        // plainer formatter of its own) names it in ForType on an assembly-level attribute, and that choice comes first.
        var foreign = AppDomain.CurrentDomain.GetAssemblies()
            .SelectMany(assembly => assembly.GetCustomAttributes(inherit: false).Where(IsFormatterSource))
            .FirstOrDefault(a => a.GetType().GetProperty("ForType")?.GetValue(a) is Type served && served.IsAssignableFrom(type));
        if (foreign is not null) return FromAttribute(type, foreign);
        for (var t = type; t is not null; t = t.BaseType)
        {
            var attribute = t.GetCustomAttributes(inherit: false).FirstOrDefault(IsFormatterSource);
            if (attribute is not null) return FromAttribute(t, attribute);
        }
        return null;
    }

    static bool IsFormatterSource(object attribute) => attribute.GetType().Name == "TypeFormatterSourceAttribute";

    static Convention FromAttribute(Type type, object attribute)
    {
        var attributeType = attribute.GetType();
        var sourceType = attributeType.GetProperty("FormatterSourceType")?.GetValue(attribute) as Type
            ?? throw new InvalidOperationException($"{type}: its TypeFormatterSourceAttribute has no FormatterSourceType");
        var preferred = attributeType.GetProperty("PreferredMimeTypes")?.GetValue(attribute) as string[];
        var create = sourceType.GetMethod("CreateTypeFormatters", BindingFlags.Public | BindingFlags.Instance, Type.EmptyTypes)
            ?? throw new InvalidOperationException($"{sourceType}: a formatter source needs a public CreateTypeFormatters() method");
        var source = Activator.CreateInstance(sourceType)!;
        var formatters = ((IEnumerable)create.Invoke(source, BindingFlags.DoNotWrapExceptions, null, [], null)!)
            .Cast<object>().Select(ToFormatter).ToList();
        return new Convention(formatters, preferred);
    }

    static Formatter ToFormatter(object formatter)
    {
        var type = formatter.GetType();
        var mimeType = type.GetProperty("MimeType")?.GetValue(formatter) as string
            ?? throw new InvalidOperationException($"{type}: a type formatter needs a string MimeType property");
        var method = type.GetMethod("Format", BindingFlags.Public | BindingFlags.Instance, [typeof(object), typeof(TextWriter)]);
        if (method?.ReturnType != typeof(bool))
            throw new InvalidOperationException($"{type}: a type formatter needs a public bool Format(object instance, TextWriter writer) method");
        return new Formatter(mimeType, type.GetProperty("Type")?.GetValue(formatter) as Type, formatter, method);
    }

    static bool IsCollection(object value) => value is IEnumerable and not string;

    static bool IsSimple(object? value) =>
        value is null or string or decimal or Enum or DateTime or DateTimeOffset or TimeSpan or Guid || value.GetType().IsPrimitive;

    /// <summary>Plain text: ToString, except that collections show their items instead of their type name.</summary>
    static string Plain(object? value)
    {
        if (value is null) return "<null>";
        if (!IsCollection(value)) return value.ToString() ?? "";
        var (items, more) = Take((IEnumerable)value);
        return "[" + string.Join(", ", items.Select(i => IsCollection(i!) ? "[...]" : Plain(i))) + (more ? ", ..." : "") + "]";
    }

    static (List<object?> Items, bool More) Take(IEnumerable values)
    {
        var items = new List<object?>();
        foreach (var item in values)
        {
            if (items.Count == MaxItems) return (items, true);
            items.Add(item);
        }
        return (items, false);
    }

    /// <summary>A collection as an HTML table: index and value for simple items, one column per public member for objects.</summary>
    static string Table(IEnumerable values)
    {
        var (items, more) = Take(values);
        if (items.Count == 0) return "<i>(empty)</i>";
        var columns = items.All(IsSimple)
            ? []
            : items.Where(i => i is not null).Select(i => i!.GetType()).Distinct()
                .SelectMany(t => Columns.GetOrAdd(t, PublicMembers)).DistinctBy(m => m.Name).ToArray();

        var html = new StringBuilder("<table><thead><tr><th><i>index</i></th>");
        if (columns.Length == 0) html.Append("<th>value</th>");
        foreach (var column in columns) html.Append("<th>").Append(WebUtility.HtmlEncode(column.Name)).Append("</th>");
        html.Append("</tr></thead><tbody>");
        for (var i = 0; i < items.Count; i++)
        {
            html.Append("<tr><td>").Append(i).Append("</td>");
            var cells = columns.Length == 0 ? [items[i]] : columns.Select(c => MemberValue(items[i], c.Name));
            foreach (var cell in cells) html.Append("<td>").Append(WebUtility.HtmlEncode(Plain(cell))).Append("</td>");
            html.Append("</tr>");
        }
        if (more) html.Append($"<tr><td colspan=\"{Math.Max(columns.Length, 1) + 1}\"><i>(only the first {MaxItems} items are shown)</i></td></tr>");
        return html.Append("</tbody></table>").ToString();
    }

    static MemberInfo[] PublicMembers(Type type) =>
        [.. type.GetProperties(BindingFlags.Public | BindingFlags.Instance).Where(p => p.CanRead && p.GetIndexParameters().Length == 0),
         .. type.GetFields(BindingFlags.Public | BindingFlags.Instance)];

    static object? MemberValue(object? item, string name)
    {
        if (item is null) return null;
        var member = Columns.GetOrAdd(item.GetType(), PublicMembers).FirstOrDefault(m => m.Name == name);
        return member switch
        {
            PropertyInfo p => p.GetValue(item),
            FieldInfo f => f.GetValue(item),
            _ => "",
        };
    }
}
