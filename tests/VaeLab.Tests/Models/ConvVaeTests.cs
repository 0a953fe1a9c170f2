namespace VaeLab.Tests.Models;

[Collection(TrainingSerial.Name)]
public class ConvVaeTests
{
    static ConvVaeConfig Small => new() { image_channels = 1, image_size = 16, latent_dim = 4, max_filters = 8 };

    [Fact]
    public void OutputsHaveTheImageAndLatentShapes()
    {
        using var scope = NewDisposeScope();
        manual_seed(0);
        using var model = new ConvVae(Small);
        var (x_hat, mu, log_var) = model.call(rand(3, 1, 16, 16));
        Assert.Equal([3L, 1, 16, 16], x_hat.shape);
        Assert.Equal([3L, 4], mu.shape);
        Assert.Equal([3L, 4], log_var.shape);
        var samples = model.sample(5);
        Assert.Equal([5L, 1, 16, 16], samples.shape);
        Assert.True(samples.min().ToDouble() >= 0 && samples.max().ToDouble() <= 1, "the sigmoid keeps pixels in [0, 1]");
    }

    [Fact]
    public void OtherImageSizesWorkWhenTheyAreMultiplesOfEight()
    {
        using var scope = NewDisposeScope();
        using var model = new ConvVae(Small with { image_channels = 3, image_size = 32 });
        Assert.Equal([2L, 3, 32, 32], model.call(rand(2, 3, 32, 32)).x_hat.shape);
        Assert.Equal(8 * 4 * 4, model.config.flattened_dims);
        var e = Assert.Throws<ArgumentException>(() => new ConvVae(Small with { image_size = 28 }));
        Assert.Equal("image_size", e.ParamName);
        Assert.Contains("pad", e.Message);
    }

    [Fact]
    public void ParameterCountMatchesTheClosedForm()
    {
        using var model = new ConvVae();
        // Seed 004 defaults: C = 3, filters 32/64/128, 64 latent dims, 128 x 8 x 8 = 8192 flattened.
        long conv(long cin, long cout) => cin * cout * 9 + cout;
        long bn(long c) => 2 * c;
        long linear(long fin, long fout) => fin * fout + fout;
        var encoder = conv(3, 32) + bn(32) + conv(32, 64) + bn(64) + conv(64, 128) + bn(128) + 2 * linear(8192, 64);
        var decoder = linear(64, 8192) + conv(128, 64) + bn(64) + conv(64, 32) + bn(32) + conv(32, 3);
        Assert.Equal(encoder + decoder, model.num_parameters());
        Assert.Equal(1_768_195, encoder + decoder);
    }

    [Fact]
    public void StateDictLooksLikePyTorchs()
    {
        using (var model = new ConvVae()) ModelTesting.AssertLikePyTorch(model, "conv_vae_default");
        using (var model = new ConvVae(Small)) ModelTesting.AssertLikePyTorch(model, "conv_vae_small");
    }

    [Fact]
    public void ItHasATorchinfoStyleSummary()
    {
        using var model = new ConvVae(Small);
        var summary = model.summary([2, 1, 16, 16]);
        ModelTesting.AssertSummary(model, summary, ("encoder.conv3", [2L, 8, 2, 2]), ("decoder.conv3", [2L, 1, 16, 16]));
    }

    [Fact]
    public void ATrainingStepLowersTheLossOnAFixedBatch()
    {
        manual_seed(1);
        using var model = new ConvVae(Small);
        using var x = ModelTesting.Shapes(8, 1, 16);
        using var optimizer = optim.AdamW(model.parameters(), lr: 3e-4);
        var before = ModelTesting.LossAt(() => model.losses(x)["loss"]);
        ModelTesting.Train(optimizer, () => model.losses(x)["loss"], 1);
        Assert.True(ModelTesting.LossAt(() => model.losses(x)["loss"]) < before);
    }

    [Fact]
    public void ATinyBatchCanBeOverfit()
    {
        manual_seed(2);
        using var model = new ConvVae(Small with { max_filters = 16 });
        using var x = ModelTesting.Shapes(4, 1, 16);
        using var optimizer = optim.Adam(model.parameters(), lr: 1e-2);
        var before = ModelTesting.LossAt(() => model.losses(x)["mse"]);
        // A light KL weight lets the 4-dim code tell the four images apart, as a near-autoencoder.
        ModelTesting.Train(optimizer, () => model.losses(x, kl_weight: 0.05)["loss"], 80);
        var after = ModelTesting.LossAt(() => model.losses(x)["mse"]);
        Assert.True(after < 0.3 * before, $"summed squared error {before:F2} -> {after:F2}");
    }
}
