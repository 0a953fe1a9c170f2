using VaeLab.Data.Images;

namespace VaeLab.Tests.Data.Images;

public class TransformTests
{
    public static IEnumerable<object[]> ResizeCases => ImageFixtures.Indices("resize");
    public static IEnumerable<object[]> CropCases => ImageFixtures.Indices("center_crop");

    static FloatImage Ramp(int channels, int height, int width) =>
        new(channels, height, width, Enumerable.Range(0, channels * height * width).Select(i => i / 1000f).ToArray());

    static void AssertClose(FloatImage expected, FloatImage actual, float tolerance, string what)
    {
        Assert.Equal((expected.Channels, expected.Height, expected.Width), (actual.Channels, actual.Height, actual.Width));
        for (var i = 0; i < expected.Data.Length; i++)
            if (!(Math.Abs(expected.Data[i] - actual.Data[i]) <= tolerance))
                Assert.Fail($"{what}: value {i} is {actual.Data[i]:R}, expected {expected.Data[i]:R}");
    }

    [Theory]
    [MemberData(nameof(ResizeCases))]
    public void ResizeGivesTorchInterpolateValues(int index)
    {
        var c = ImageFixtures.Expected.GetProperty("resize")[index];
        var size = ImageFixtures.Ints(c.GetProperty("size"));
        var mode = c.GetProperty("mode").GetString() == "nearest" ? Interpolation.Nearest : Interpolation.Bilinear;
        var antialias = c.GetProperty("antialias").GetBoolean();
        var output = new Resize(size[0], size[1], mode, antialias).Apply(ImageFixtures.Image(c.GetProperty("input")));
        AssertClose(ImageFixtures.Image(c.GetProperty("output")), output, mode == Interpolation.Nearest ? 0 : 1e-6f, $"case {index} ({mode}, antialias {antialias})");
    }

    /// <summary>The seeds resize 8-bit images with Pillow, which rounds to 8 bits: the antialiased resize is within a level of it.</summary>
    [Fact]
    public void AntialiasedResizeIsWithinALevelOfPillowsAndPlainBilinearIsNot()
    {
        var c = ImageFixtures.Expected.GetProperty("resize_pil");
        int[] inShape = ImageFixtures.Ints(c.GetProperty("input_shape")), outShape = ImageFixtures.Ints(c.GetProperty("output_shape"));
        var input = new DecodedImage(inShape[1], inShape[0], inShape[2], ImageFixtures.Ints(c.GetProperty("input")).Select(v => (byte)v).ToArray()).ToFloat();
        var pillow = new DecodedImage(outShape[1], outShape[0], outShape[2], ImageFixtures.Ints(c.GetProperty("output")).Select(v => (byte)v).ToArray()).ToFloat();
        float Worst(bool antialias) => new Resize(outShape[0], outShape[1], antialias: antialias).Apply(input).Data.Zip(pillow.Data, (a, b) => Math.Abs(a - b) * 255).Max();
        Assert.InRange(Worst(true), 0, 1.01f);
        Assert.True(Worst(false) > 10, $"plain bilinear is within {Worst(false)} levels of Pillow");
    }

    [Fact]
    public void ResizeWithOneNumberSetsTheShorterEdgeAsTorchvisionDoes()
    {
        foreach (var c in ImageFixtures.Expected.GetProperty("resize_shorter_edge").EnumerateArray())
        {
            var resize = new Resize(c.GetProperty("size").GetInt32());
            var (h, w) = resize.OutputSize(c.GetProperty("height").GetInt32(), c.GetProperty("width").GetInt32());
            Assert.Equal((c.GetProperty("out_height").GetInt32(), c.GetProperty("out_width").GetInt32()), (h, w));
        }
    }

    [Theory]
    [MemberData(nameof(CropCases))]
    public void CenterCropMatchesTorchvisionPaddingIncluded(int index)
    {
        var c = ImageFixtures.Expected.GetProperty("center_crop")[index];
        var size = ImageFixtures.Ints(c.GetProperty("size"));
        var output = new CenterCrop(size[0], size[1]).Apply(ImageFixtures.Image(c.GetProperty("input")));
        AssertClose(ImageFixtures.Image(c.GetProperty("output")), output, 0, $"case {index}");
    }

    [Theory]
    [InlineData(512, 375, 68)]   // (512 - 375) / 2 = 68.5 rounds to even
    [InlineData(7, 4, 2)]        // 1.5 rounds to 2
    [InlineData(9, 4, 2)]        // 2.5 rounds to 2
    [InlineData(375, 375, 0)]
    [InlineData(2, 5, -1)]       // one column of padding before, two after
    public void CenterCropOffsetsRoundHalfToEven(int input, int output, int offset)
    {
        Assert.Equal(offset, CenterCrop.Offset(input, output));
        var image = Ramp(1, input, 3);
        var cropped = new CenterCrop(output, 3).Apply(image);
        for (var y = 0; y < output; y++)
        {
            var source = y + offset;
            Assert.Equal(source >= 0 && source < input ? image[0, source, 1] : 0f, cropped[0, y, 1]);
        }
    }

    [Fact]
    public void FlippingTwiceIsTheIdentityAndMirrorsColumns()
    {
        var image = Ramp(3, 4, 5);
        var flip = new RandomHorizontalFlip(p: 1);
        var once = flip.Apply(image, new Random(1));
        for (var c = 0; c < 3; c++)
            for (var y = 0; y < 4; y++)
                for (var x = 0; x < 5; x++) Assert.Equal(image[c, y, 4 - x], once[c, y, x]);
        Assert.Equal(image.Data, flip.Apply(once, new Random(2)).Data);
        Assert.Same(image, new RandomHorizontalFlip(p: 0).Apply(image, new Random(3)));
        Assert.Throws<ArgumentNullException>(() => flip.Apply(image));
    }

    [Fact]
    public void RandomFlipDrawsFromTheGivenGenerator()
    {
        var image = Ramp(1, 2, 3);
        var flip = new RandomHorizontalFlip();
        bool[] Draws(int seed)
        {
            var random = new Random(seed);
            return Enumerable.Range(0, 400).Select(_ => !ReferenceEquals(flip.Apply(image, random), image)).ToArray();
        }
        var first = Draws(7);
        Assert.Equal(first, Draws(7));
        Assert.NotEqual(first, Draws(8));
        Assert.InRange(first.Count(f => f), 160, 240);
    }

    [Fact]
    public void GreyToRgbCopiesGreyAndDropsAlpha()
    {
        var grey = Ramp(1, 3, 2);
        var rgb = new GreyToRgb().Apply(grey);
        Assert.Equal(3, rgb.Channels);
        for (var c = 0; c < 3; c++) Assert.Equal(grey.Data, rgb.Plane(c).ToArray());
        var rgba = Ramp(4, 3, 2);
        Assert.Equal(rgba.Data.AsSpan(0, 18).ToArray(), new GreyToRgb().Apply(rgba).Data);
        Assert.Equal(grey.Data, new GreyToRgb().Apply(Ramp(2, 3, 2)).Plane(1).ToArray());
        var colour = Ramp(3, 3, 2);
        Assert.Same(colour, new GreyToRgb().Apply(colour));
    }

    [Fact]
    public void NormalizeMapsSeed002RangeAndItsInverseUndoesIt()
    {
        var image = Ramp(3, 4, 5);
        var normalize = new Normalize([0.5], [0.5]);
        var normalized = normalize.Apply(image);
        for (var i = 0; i < image.Data.Length; i++) Assert.Equal(2 * image.Data[i] - 1, normalized.Data[i], 1e-6f);
        var perChannel = new Normalize([0.485, 0.456, 0.406], [0.229, 0.224, 0.225]);
        var there = perChannel.Apply(image);
        Assert.Equal((image[2, 3, 4] - 0.406f) / 0.225f, there[2, 3, 4], 1e-6f);
        AssertClose(image, perChannel.Inverse().Apply(there), 1e-6f, "normalise then de-normalise");
        Assert.Throws<ArgumentException>(() => perChannel.Apply(Ramp(1, 2, 2)));
        Assert.Throws<ArgumentException>(() => new Normalize([0.5], [0]));
    }

    [Fact]
    public void ComposeAppliesInOrderAndSeed002PipelineGivesThreeChannelsInMinusOneToOne()
    {
        var grey = JpegDecoder.Decode(ImageFixtures.PathOf("jpeg", "grey.jpg")).ToFloat();
        var pipeline = new Compose(new CenterCrop(15), new Resize(8), new RandomHorizontalFlip(), new GreyToRgb(), new Normalize([0.5], [0.5]));
        var output = pipeline.Apply(grey, new Random(0));
        Assert.Equal((3, 8, 8), (output.Channels, output.Height, output.Width));
        Assert.All(output.Data, v => Assert.InRange(v, -1f, 1f));
        var unflipped = new Compose(new CenterCrop(15), new Resize(8), new GreyToRgb(), new Normalize([0.5], [0.5])).Apply(grey);
        var flipped = RandomHorizontalFlip.Flip(unflipped);
        Assert.True(output.Data.SequenceEqual(unflipped.Data) || output.Data.SequenceEqual(flipped.Data));
    }

    [Fact]
    public void ToTensorAndFromBytesKeepChannelsFirst()
    {
        var bytes = Enumerable.Range(0, 2 * 3 * 4).Select(i => (byte)(i * 10)).ToArray();
        var image = FloatImage.FromBytes(bytes, 2, 3, 4);
        Assert.Equal(bytes[1 * 12 + 2 * 4 + 3] / 255f, image[1, 2, 3]);
        using var tensor = image.ToTensor();
        Assert.Equal([2L, 3, 4], tensor.shape);
        Assert.Equal(ScalarType.Float32, tensor.dtype);
        using var element = tensor[1, 2, 3];
        Assert.Equal(image[1, 2, 3], element.item<float>());
        Assert.Equal(image.Data, FloatImage.FromTensor(tensor).Data);
    }
}
