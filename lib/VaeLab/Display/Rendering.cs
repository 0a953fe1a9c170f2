using System.Collections;

namespace VaeLab.Display;

/// <summary>
/// A value that makes its own notebook output. Mark the type with
/// <c>[TypeFormatterSource(typeof(FormatterSource&lt;T&gt;))]</c> to have notebooks use it.
/// </summary>
public interface IRenderable
{
    /// <summary>The MIME types <see cref="Render"/> accepts, the same for every instance of the type.</summary>
    static abstract IReadOnlyList<string> MimeTypes { get; }

    /// <summary>Markup or text for one of <see cref="MimeTypes"/>; images as base64, as notebooks store them.</summary>
    string Render(string mimeType);
}

/// <summary>
/// The formatter source a <see cref="TypeFormatterSourceAttribute"/> names for an <see cref="IRenderable"/>
/// type: kernels create it with its parameterless constructor and call CreateTypeFormatters by reflection.
/// </summary>
public sealed class FormatterSource<T> where T : IRenderable
{
    public IEnumerable CreateTypeFormatters() =>
        T.MimeTypes.Select(mimeType => new MimeFormatter(typeof(T), mimeType, value => ((IRenderable)value).Render(mimeType))).ToList();
}

/// <summary>One formatter of the convention: the type and MIME type it serves, and Format.</summary>
public sealed class MimeFormatter(Type type, string mimeType, Func<object, string> render)
{
    public Type Type { get; } = type;
    public string MimeType { get; } = mimeType;

    /// <summary>Writes the instance's output; returns false, declining, for a value of another type.</summary>
    public bool Format(object instance, TextWriter writer)
    {
        if (!Type.IsInstanceOfType(instance)) return false;
        writer.Write(render(instance));
        return true;
    }
}

/// <summary>The MIME types VaeLab's values render to.</summary>
public static class Mime
{
    public const string Html = "text/html";
    public const string Text = "text/plain";
    public const string Png = "image/png";
    public const string Svg = "image/svg+xml";

    /// <summary>The error for a MIME type a type does not render to.</summary>
    public static ArgumentException Unsupported(Type type, string mimeType) =>
        new($"{type.Name} does not render as '{mimeType}'", nameof(mimeType));
}


/// <summary>
/// Names the class that makes a type's notebook output. Polyglot Notebooks' formatter and VaeLab's own
/// notebook engine find this attribute by its name, not by its type, so library types render without
/// referencing the Interactive packages. Derived types inherit it (a Parameter renders as a Tensor).
/// On an assembly, <see cref="ForType"/> names a type of another library that cannot carry the attribute itself.
/// </summary>
[AttributeUsage(AttributeTargets.Class | AttributeTargets.Struct | AttributeTargets.Interface | AttributeTargets.Assembly, Inherited = true, AllowMultiple = true)]
public sealed class TypeFormatterSourceAttribute(Type formatterSourceType) : Attribute
{
    public Type FormatterSourceType { get; } = formatterSourceType;

    /// <summary>For an attribute on an assembly: the type (with its subtypes) the formatters serve.</summary>
    public Type? ForType { get; set; }

    /// <summary>The MIME types a notebook shows for the value, most preferred first.</summary>
    public string[] PreferredMimeTypes { get; set; } = [Mime.Html];
}
