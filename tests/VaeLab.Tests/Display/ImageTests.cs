using VaeLab.Display;

namespace VaeLab.Tests.Display;

public class ImageTests
{
    /// <summary>torchvision's save_image mapping of a float in [0, 1] to a byte (NaN to 0).</summary>
    static byte Expected(float v) => float.IsNaN(v) ? (byte)0 : (byte)Math.Floor(Math.Clamp(v, 0f, 1f) * 255.0 + 0.5);

    static float[] Values(int count)
    {
        var random = new Random(11);
        var values = Enumerable.Range(0, count).Select(_ => (float)(random.NextDouble() * 1.4 - 0.2)).ToArray();
        values[0] = 0.5f; values[1] = -3f; values[2] = 7f; values[3] = float.NaN; values[4] = 1f / 255 * 2.5f;
        return values;
    }

    /// <summary>The image's pixels as a PNG decoder sees them, at scale 1.</summary>
    static Image Decoded(Image image) => Image.FromPng(image.WithScale(1).ToPng());

    [Theory]
    [InlineData(new long[] { 5, 7 }, 1)]
    [InlineData(new long[] { 1, 5, 7 }, 1)]
    [InlineData(new long[] { 3, 5, 7 }, 3)]
    [InlineData(new long[] { 4, 5, 7 }, 4)]
    public void FloatTensorsAreClampedRoundedAndInterleaved(long[] shape, int channels)
    {
        var values = Values((int)shape.Aggregate(1L, (a, b) => a * b));
        foreach (var dtype in new[] { ScalarType.Float32, ScalarType.Float64 })
        {
            using var source = tensor(values, shape);
            using var typed = source.to(dtype);
            var image = Decoded(new Image(typed));
            Assert.Equal((7, 5, channels), (image.Width, image.Height, image.Channels));
            for (var c = 0; c < channels; c++)
            for (var y = 0; y < 5; y++)
            for (var x = 0; x < 7; x++)
                Assert.Equal(Expected(values[(c * 5 + y) * 7 + x]), image.Pixels[(y * 7 + x) * channels + c]);
        }
    }

    [Fact]
    public void ByteAndBoolTensorsAreTakenAsTheyAre()
    {
        var bytes = Enumerable.Range(0, 3 * 4 * 2).Select(i => (byte)(i * 10)).ToArray();
        using var rgb = tensor(bytes, [3, 4, 2]);
        var image = Decoded(new Image(rgb));
        Assert.Equal((2, 4, 3), (image.Width, image.Height, image.Channels));
        Assert.Equal(bytes[1 * 8 + 3 * 2 + 1], image.Pixels[(3 * 2 + 1) * 3 + 1]);

        using var grey = tensor(bytes[..8], [4, 2]);
        Assert.Equal(bytes[..8], Decoded(new Image(grey)).Pixels);

        using var mask = tensor(new[] { true, false, false, true }, [2, 2]);
        Assert.Equal(new byte[] { 255, 0, 0, 255 }, Decoded(new Image(mask)).Pixels);
    }

    [Fact]
    public void TensorsThatRequireGradAreReadWithoutTheirGraph()
    {
        using var x = tensor(new[] { 0f, 0.5f, 1f, 0.25f }, [2, 2], requires_grad: true);
        using var y = x * 1.0;
        Assert.Equal(new byte[] { 0, 128, 255, 64 }, Decoded(new Image(y)).Pixels);
    }

    [Fact]
    public void OtherShapesAndTypesAreRefusedNamingThem()
    {
        using var two = zeros(2, 4, 5);
        Assert.Contains("got [2, 4, 5]", Assert.Throws<ArgumentException>(() => new Image(two)).Message);
        using var vector = zeros(5);
        Assert.Contains("got [5]", Assert.Throws<ArgumentException>(() => new Image(vector)).Message);
        using var whole = zeros([4, 5], ScalarType.Int64);
        Assert.Contains("got int64", Assert.Throws<ArgumentException>(() => new Image(whole)).Message);
        Assert.Contains("need 12 bytes", Assert.Throws<ArgumentException>(() => new Image(new byte[10], 2, 2, 3)).Message);
        Assert.Throws<ArgumentOutOfRangeException>(() => new Image([1], 1, 1) { Scale = 0 });
    }

    [Fact]
    public void BatchesSplitIntoImages()
    {
        var values = Values(2 * 3 * 4 * 5);
        using var batch = tensor(values, [2, 3, 4, 5]);
        var images = Image.FromBatch(batch);
        Assert.Equal(2, images.Length);
        var second = Decoded(images[1]);
        Assert.Equal((5, 4, 3), (second.Width, second.Height, second.Channels));
        Assert.Equal(Expected(values[60 + 2 * 20 + 3 * 5 + 4]), second.Pixels[(3 * 5 + 4) * 3 + 2]);

        using var grey = tensor(values[..40], [2, 4, 5]);
        Assert.All(Image.FromBatch(grey), image => Assert.Equal(1, image.Channels));
        using var single = zeros(4, 5);
        Assert.Contains("[N, C, H, W] or [N, H, W]", Assert.Throws<ArgumentException>(() => Image.FromBatch(single)).Message);
    }

    [Fact]
    public void SmallImagesAreEnlargedByWholePixels()
    {
        var pixels = Enumerable.Range(0, 28 * 28).Select(i => (byte)(i * 7)).ToArray();
        var digit = new Image(pixels, 28, 28);
        var shown = Image.FromPng(digit.ToPng());
        Assert.Equal((112, 112), (shown.Width, shown.Height));
        for (var y = 0; y < 112; y++)
        for (var x = 0; x < 112; x++)
            Assert.Equal(pixels[y / 4 * 28 + x / 4], shown.Pixels[y * 112 + x]);

        Assert.Equal(2, Image.FromPng(new Image(new byte[64 * 64], 64, 64).ToPng()).Width / 64);
        Assert.Equal(200, Image.FromPng(new Image(new byte[200 * 10], 200, 10).ToPng()).Width);
        var rgb = new Image([1, 2, 3, 4, 5, 6], 2, 1, 3) { Scale = 3 };
        var big = Image.FromPng(rgb.ToPng());
        Assert.Equal((6, 3), (big.Width, big.Height));
        Assert.Equal(new byte[] { 4, 5, 6 }, big.Pixels[((2 * 6 + 5) * 3)..][..3]);
    }

    [Fact]
    public void HtmlIsAFigureWithTheEmbeddedPngAndAnEscapedCaption()
    {
        var image = new Image(new byte[28 * 28], 28, 28) { Caption = "x < 1 & \"y\"" };
        var figure = Markup.Parse(image.ToHtml()).Element("figure")!;
        var img = figure.Element("img")!;
        const string prefix = "data:image/png;base64,";
        Assert.StartsWith(prefix, img.Attribute("src")!.Value);
        Assert.Equal(image.ToPng(), Convert.FromBase64String(img.Attribute("src")!.Value[prefix.Length..]));
        Assert.Equal(("112", "112"), (img.Attribute("width")!.Value, img.Attribute("height")!.Value));
        Assert.Equal("x < 1 & \"y\"", figure.Element("figcaption")!.Value);
        Assert.Equal("x < 1 & \"y\"", img.Attribute("alt")!.Value);
        Assert.Null(Markup.Parse(image.WithCaption(null).ToHtml()).Element("figure")!.Element("figcaption"));
    }

    [Fact]
    public void SaveWritesThePng()
    {
        var path = Path.Combine(Path.GetTempPath(), $"vaelab-image-{Guid.NewGuid():N}.png");
        try
        {
            var image = new Image([10, 20, 30, 40], 2, 2) { Scale = 1 };
            image.Save(path);
            Assert.Equal(image.Pixels, Image.FromPng(File.ReadAllBytes(path)).Pixels);
        }
        finally { File.Delete(path); }
    }
}
