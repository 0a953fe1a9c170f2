using VaeLab.Torch.Display;

namespace VaeLab.Torch;

[TypeFormatterSource(typeof(FormatterSource<ModelSummary>))]
public sealed partial class ModelSummary : IRenderable
{
    static IReadOnlyList<string> IRenderable.MimeTypes => [Mime.Html, Mime.Text];

    string IRenderable.Render(string mimeType) => mimeType switch
    {
        Mime.Html => ToHtml(),
        Mime.Text => ToString(),
        _ => throw Mime.Unsupported(typeof(ModelSummary), mimeType),
    };
}
