namespace VaeLab.Tests.Metrics;

[Collection(TrainingSerial.Name)]
public class ImageSimilarityTests
{
    const string File = "metrics.json";

    public static TheoryData<string> Cases => new(RecordedFixture.Names(File));

    /// <summary>A recorded case with its two image batches and their data range.</summary>
    static (RecordedFixture c, Tensor x, Tensor y, double range) Load(string name)
    {
        var c = RecordedFixture.Load(File, name);
        return (c, c.Input("x"), c.Input("y"), c.Arg("data_range"));
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void SsimMatchesScikitImage(string name)
    {
        using var scope = NewDisposeScope();
        var (c, x, y, range) = Load(name);
        TensorAssert.Close(c.Output("ssim"), ImageSimilarity.ssim(x, y, range, per_image: true), 1e-10, 1e-12, $"{name} SSIM per image");
        Assert.Equal(c.Output("ssim").mean().ToDouble(), ImageSimilarity.ssim(x, y, range).ToDouble(), 10);
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void PsnrAndPccMatchScikitImageAndNumpy(string name)
    {
        using var scope = NewDisposeScope();
        var (c, x, y, range) = Load(name);
        Assert.Equal(c.Output("psnr").mean().ToDouble(), ImageSimilarity.psnr(x, y, range).ToDouble(), 10);
        Assert.Equal(c.Output("pcc").ToDouble(), ImageSimilarity.pcc(x, y).ToDouble(), 12);
    }

    [Fact]
    public void SsimOfAnImageWithItselfIsOne()
    {
        using var scope = NewDisposeScope();
        var x = rand([2, 3, 16, 16]);
        TensorAssert.Close(ones([2], float64), ImageSimilarity.ssim(x, x, per_image: true).to(float64), 0, 1e-6, "SSIM(x, x)");
    }

    [Fact]
    public void PccOfAnAffineMapIsPlusOrMinusOne()
    {
        using var scope = NewDisposeScope();
        var x = randn([3, 2, 5, 5], float64);
        Assert.Equal(1.0, ImageSimilarity.pcc(x, 2.5 * x + 0.3).ToDouble(), 12);
        Assert.Equal(-1.0, ImageSimilarity.pcc(x, -0.5 * x + 4).ToDouble(), 12);
    }

    [Fact]
    public void PsnrAndMseOfAKnownError()
    {
        using var scope = NewDisposeScope();
        var x = rand([2, 1, 8, 8], float64);
        var y = x + 0.1;
        Assert.Equal(0.01, ImageSimilarity.mse(x, y).ToDouble(), 12);
        Assert.Equal(20.0, ImageSimilarity.psnr(x, y).ToDouble(), 10);
        Assert.Equal(10 * Math.Log10(4 / 0.01), ImageSimilarity.psnr(x, y, data_range: 2).ToDouble(), 10);
    }

    [Fact]
    public void MetricsRejectMismatchedOrTooSmallImages()
    {
        using var scope = NewDisposeScope();
        var e = Assert.Throws<ArgumentException>(() => ImageSimilarity.ssim(rand(1, 1, 16, 16), rand(1, 1, 16, 15)));
        Assert.Contains("[1, 1, 16, 15]", e.Message);
        Assert.Contains("11x11", Assert.Throws<ArgumentException>(() => ImageSimilarity.ssim(rand(1, 1, 8, 8), rand(1, 1, 8, 8))).Message);
        Assert.Throws<ArgumentException>(() => ImageSimilarity.pcc(rand(2, 3), rand(3, 2)));
    }
}
