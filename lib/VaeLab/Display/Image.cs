using System.Net;
using TorchSharp;
using static TorchSharp.torch;
using VaeLab.Torch;
using VaeLab.Data.Images;


namespace VaeLab.Display;

/// <summary>
/// An 8-bit image (grey, grey+alpha, RGB or RGBA) that notebooks show as a PNG with an optional caption.
/// Small images are enlarged by whole pixels (nearest neighbour) so that a 28x28 digit stays visible.
/// </summary>
[TypeFormatterSource(typeof(FormatterSource<Image>))]
public sealed class Image : IRenderable
{
    /// <summary>The on-screen size of the longer side that the automatic scale reaches for, in pixels.</summary>
    internal const int AutoSize = 128;

    public int Width { get; }
    public int Height { get; }
    public int Channels { get; }

    /// <summary>Rows top to bottom, the channels of each pixel side by side.</summary>
    public byte[] Pixels { get; }

    public string? Caption { get; init; }

    /// <summary>Whole-pixel enlargement for display and <see cref="ToPng"/>; null picks one that brings the
    /// longer side near 128 pixels (4 for 28x28, 2 for 64x64).</summary>
    public int? Scale
    {
        get;
        init => field = value is null or >= 1 ? value : throw new ArgumentOutOfRangeException(nameof(Scale), value, "the scale is a whole factor of at least 1");
    }

    public Image(byte[] pixels, int width, int height, int channels = 1)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(width, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(height, 1);
        if (channels is < 1 or > 4)
            throw new ArgumentOutOfRangeException(nameof(channels), channels, "channels must be 1 (grey), 2 (grey+alpha), 3 (RGB) or 4 (RGBA)");
        if (pixels.Length != (long)width * height * channels)
            throw new ArgumentException($"{width}x{height} pixels of {channels} channel(s) need {(long)width * height * channels} bytes, got {pixels.Length}", nameof(pixels));
        (Pixels, Width, Height, Channels) = (pixels, width, height, channels);
    }

    /// <summary>
    /// An image from a tensor shaped [H, W] or [C, H, W] with C = 1, 3 or 4: floating point values are read
    /// as [0, 1], clamped, and rounded to 0..255 as torchvision's save_image rounds them; uint8 is taken as
    /// is; bool becomes 0 or 255. The tensor may live on any device and may require grad.
    /// </summary>
    public Image(Tensor image) : this(FromTensor(image)) { }

    Image(Image source) : this(source.Pixels, source.Width, source.Height, source.Channels) { }

    static Image FromTensor(Tensor image)
    {
        var (channels, height, width) = ImageShape(image.shape, false, nameof(image));
        return FromPlanar(TensorBytes(image, nameof(image)), 0, channels, height, width);
    }

    /// <summary>The images of a batch shaped [N, C, H, W] (C = 1, 3 or 4) or [N, H, W] (grey), read as <see cref="Image(Tensor)"/> reads one.</summary>
    public static Image[] FromBatch(Tensor images)
    {
        var shape = images.shape;
        var (channels, height, width) = ImageShape(shape, true, nameof(images));
        var bytes = TensorBytes(images, nameof(images));
        var size = channels * height * width;
        return Enumerable.Range(0, (int)shape[0]).Select(n => FromPlanar(bytes, n * size, channels, height, width)).ToArray();
    }

    /// <summary>Any PNG, its samples at 8 bits (see <see cref="PngDecoder"/>).</summary>
    public static Image FromPng(ReadOnlySpan<byte> png)
    {
        var decoded = PngDecoder.Decode(png, "PNG data");
        return new Image(decoded.Samples, decoded.Width, decoded.Height, decoded.Channels);
    }

    public Image WithCaption(string? caption) => new(this) { Caption = caption, Scale = Scale };

    public Image WithScale(int? scale) => new(this) { Caption = Caption, Scale = scale };

    internal int DisplayScale => Scale ?? AutoScale(Width, Height, AutoSize);

    internal static int AutoScale(int width, int height, int target) => Math.Max(1, target / Math.Max(width, height));

    /// <summary>The image as a PNG file, enlarged by <see cref="Scale"/>.</summary>
    public byte[] ToPng() => ToPng(DisplayScale);

    internal byte[] ToPng(int scale) => PngEncoder.Encode(Enlarged(scale), Width * scale, Height * scale, Channels);

    public void Save(string path) => File.WriteAllBytes(path, ToPng());

    public string ToHtml() => Html(DisplayScale);

    internal string Html(int scale)
    {
        var caption = Caption is null ? "" : $"<figcaption>{WebUtility.HtmlEncode(Caption)}</figcaption>";
        return "<figure class=\"vaelab-image\" style=\"display:inline-block;margin:2px;text-align:center\">" +
               $"<img src=\"data:image/png;base64,{Convert.ToBase64String(ToPng(scale))}\" width=\"{Width * scale}\" height=\"{Height * scale}\" " +
               $"alt=\"{WebUtility.HtmlEncode(Caption ?? "")}\" />{caption}</figure>";
    }

    public override string ToString() =>
        $"Image {Width}x{Height} {ColorNames[Channels - 1]}" + (Caption is null ? "" : $" \"{Caption}\"");

    static readonly string[] ColorNames = ["grey", "grey+alpha", "RGB", "RGBA"];

    static IReadOnlyList<string> IRenderable.MimeTypes => [Mime.Html, Mime.Png, Mime.Text];

    string IRenderable.Render(string mimeType) => mimeType switch
    {
        Mime.Html => ToHtml(),
        Mime.Png => Convert.ToBase64String(ToPng()),
        Mime.Text => ToString(),
        _ => throw Mime.Unsupported(typeof(Image), mimeType),
    };

    /// <summary>Each pixel repeated factor times across and down.</summary>
    byte[] Enlarged(int factor)
    {
        if (factor == 1) return Pixels;
        var stride = Width * factor * Channels;
        var result = new byte[stride * Height * factor];
        for (var y = 0; y < Height * factor; y++)
        for (var x = 0; x < Width * factor; x++)
            Pixels.AsSpan(((y / factor) * Width + x / factor) * Channels, Channels).CopyTo(result.AsSpan(y * stride + x * Channels));
        return result;
    }

    /// <summary>The pixels with another number of channels: grey spreads to RGB, a missing alpha is opaque.
    /// Only widening is asked for (see <see cref="CommonChannels"/>), so no colour or alpha is lost.</summary>
    internal byte[] PixelsWith(int channels)
    {
        if (channels == Channels) return Pixels;
        var result = new byte[Width * Height * channels];
        for (var i = 0; i < Width * Height; i++)
        {
            var p = Pixels.AsSpan(i * Channels, Channels);
            var (r, g, b) = Channels < 3 ? (p[0], p[0], p[0]) : (p[0], p[1], p[2]);
            var a = Channels is 2 or 4 ? p[Channels - 1] : (byte)255;
            var q = result.AsSpan(i * channels, channels);
            switch (channels)
            {
                case 1: q[0] = r; break;
                case 2: (q[0], q[1]) = (r, a); break;
                case 3: (q[0], q[1], q[2]) = (r, g, b); break;
                default: (q[0], q[1], q[2], q[3]) = (r, g, b, a); break;
            }
        }
        return result;
    }

    /// <summary>The fewest channels that hold every image's colours and transparency.</summary>
    internal static int CommonChannels(IEnumerable<Image> images)
    {
        var list = images.ToList();
        var color = list.Any(i => i.Channels >= 3);
        var alpha = list.Any(i => i.Channels is 2 or 4);
        return (color ? 3 : 1) + (alpha ? 1 : 0);
    }

    /// <summary>(C, H, W) of an image shaped [H, W] or [C, H, W] with C = 1, 3 or 4, after the batch dim if there is one.</summary>
    static (int channels, int height, int width) ImageShape(long[] shape, bool batch, string argument)
    {
        var image = batch && shape.Length > 0 ? shape[1..] : shape;
        return image switch
        {
            [var h, var w] => (1, (int)h, (int)w),
            [var c and (1 or 3 or 4), var h, var w] => ((int)c, (int)h, (int)w),
            _ => throw new ArgumentException((batch ? "a batch of images is shaped [N, C, H, W] or [N, H, W]" : "an image tensor is shaped [H, W] or [C, H, W]")
                + $" with C = 1, 3 or 4; got [{string.Join(", ", shape)}]", argument),
        };
    }

    /// <summary>
    /// The bytes of an image tensor in its row-major order: uint8 as is, bool as 0 or 255, floating point
    /// clamped to [0, 1] and mapped to floor(255 v + 0.5) as torchvision's save_image does (NaN becomes 0).
    /// </summary>
    static byte[] TensorBytes(Tensor tensor, string argument)
    {
        using var scope = torch.NewDisposeScope();
        using var noGrad = torch.no_grad();
        var values = tensor.detach().cpu();
        if (values.dtype == ScalarType.Byte) return values.data<byte>().ToArray();
        if (values.dtype == ScalarType.Bool) return values.data<bool>().ToArray().Select(b => b ? (byte)255 : (byte)0).ToArray();
        if (!values.is_floating_point())
            throw new ArgumentException($"image tensors hold floating point values in [0, 1], uint8 or bool; got {values.dtype.PyTorchName()}", argument);
        return values.to(ScalarType.Float32).data<float>().ToArray().Select(v => float.IsNaN(v) ? (byte)0 : (byte)Math.Floor(Math.Clamp(v, 0f, 1f) * 255.0 + 0.5)).ToArray();
    }

    /// <summary>An image from C planes of H x W bytes starting at offset, as tensors store images.</summary>
    static Image FromPlanar(byte[] planar, int offset, int channels, int height, int width)
    {
        var pixels = new byte[channels * height * width];
        var plane = height * width;
        for (var c = 0; c < channels; c++)
        for (var i = 0; i < plane; i++)
            pixels[i * channels + c] = planar[offset + c * plane + i];
        return new Image(pixels, width, height, channels);
    }
}
