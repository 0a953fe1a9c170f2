namespace VaeLab.Torch.Display;

/// <summary>
/// Names the class that makes a type's notebook output. Polyglot Notebooks' formatter and VaeLab's own
/// notebook engine find this attribute by its name, not by its type, so library types render without
/// referencing the Interactive packages. Derived types inherit it (a Parameter renders as a Tensor).
/// </summary>
[AttributeUsage(AttributeTargets.Class | AttributeTargets.Struct | AttributeTargets.Interface, Inherited = true)]
public sealed class TypeFormatterSourceAttribute(Type formatterSourceType) : Attribute
{
    public Type FormatterSourceType { get; } = formatterSourceType;

    /// <summary>The MIME types a notebook shows for the value, most preferred first.</summary>
    public string[] PreferredMimeTypes { get; set; } = [Mime.Html];
}
