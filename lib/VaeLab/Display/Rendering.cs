using Microsoft.DotNet.Interactive.Formatting;

namespace VaeLab.Display;

/// <summary>
/// A value that makes its own notebook output. Mark the type with
/// <c>[TypeFormatterSource(typeof(FormatterSource&lt;T&gt;))]</c> (.NET Interactive's attribute) to have the kernel's
/// formatter use it, in VS Code and Jupyter as in VaeLab's engine.
/// </summary>
public interface IRenderable
{
    /// <summary>The MIME types <see cref="Render"/> accepts, the same for every instance of the type.</summary>
    static abstract IReadOnlyList<string> MimeTypes { get; }

    /// <summary>Markup or text for one of <see cref="MimeTypes"/>; images as base64, as notebooks store them.</summary>
    string Render(string mimeType);
}

/// <summary>The formatter source a <see cref="TypeFormatterSourceAttribute"/> names for an <see cref="IRenderable"/> type:
/// the kernel's formatter creates it when it first formats a value of the type. A value displayed while a run is going
/// is also kept in the run's figures/ (<see cref="RunFigures"/>), once, as it renders as its first MIME type.</summary>
public sealed class FormatterSource<T> : ITypeFormatterSource where T : IRenderable
{
    public IEnumerable<ITypeFormatter> CreateTypeFormatters() =>
        T.MimeTypes.Select((mimeType, i) => new MimeFormatter(typeof(T), mimeType, value =>
        {
            if (i == 0) RunFigures.Keep(value);
            return ((IRenderable)value).Render(mimeType);
        })).ToList();
}

/// <summary>A formatter of one type (and its subtypes) for one MIME type.</summary>
public sealed class MimeFormatter(Type type, string mimeType, Func<object, string> render) : ITypeFormatter
{
    public Type Type { get; } = type;
    public string MimeType { get; } = mimeType;

    /// <summary>Writes the instance's output; returns false, declining, for a value of another type.</summary>
    public bool Format(object instance, FormatContext context)
    {
        if (!Type.IsInstanceOfType(instance)) return false;
        context.Writer.Write(render(instance));
        return true;
    }

    /// <summary>Registers HTML and plain-text output for another library's type with the kernel's formatter; a
    /// registered formatter comes before one that an attribute on the type names.</summary>
    public static void RegisterHtmlAndText<T>(Func<T, string> html, Func<T, string> text)
    {
        Formatter.Register(new MimeFormatter(typeof(T), Mime.Html, value => html((T)value)));
        Formatter.Register(new MimeFormatter(typeof(T), Mime.Text, value => text((T)value)));
    }
}

/// <summary>The MIME types VaeLab's values render to.</summary>
public static class Mime
{
    public const string Html = "text/html";
    public const string Text = "text/plain";
    public const string Png = "image/png";
    public const string Svg = "image/svg+xml";

    /// <summary>The error for a MIME type a type does not render as.</summary>
    public static ArgumentException Unsupported(Type type, string mimeType) =>
        new($"{type.Name} does not render as '{mimeType}'", nameof(mimeType));
}
