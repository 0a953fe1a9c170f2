using TorchSharp.Modules;
using F = TorchSharp.torch.nn.functional;

namespace VaeLab.Tests.Models;

[Collection(TrainingSerial.Name)]
public class CvaeTests
{
    static CvaeConfig Small => new() { image_size = 16, latent_dim = 4, encoder_channels = [4, 8, 8], decoder_channels = [8, 4] };

    /// <summary>Full drawings (dark rectangles on white, as QuickDraw strokes are 0 on a background of 1) and partial ones (the right half erased).</summary>
    static (Tensor x, Tensor y) Drawings(int count)
    {
        var x = ModelTesting.Shapes(count, 1, 16, low: 1, high: 0);
        var y = x.clone();
        using var right = y[TensorIndex.Ellipsis, 8..];
        right.fill_(1);
        return (x, y);
    }

    [Fact]
    public void OutputsHaveTheImageAndLatentShapes()
    {
        using var scope = NewDisposeScope();
        manual_seed(0);
        using var model = new Cvae(Small);
        var (x, y) = Drawings(3);
        var (z, mu_p, log_var_p, mu_q, log_var_q, x_logits) = model.call(x, y);
        foreach (var t in new[] { z, mu_p, log_var_p, mu_q, log_var_q }) Assert.Equal([3L, 4], t.shape);
        Assert.Equal([3L, 1, 16, 16], x_logits.shape);
        var completion = model.sample(y);
        Assert.Equal([3L, 1, 16, 16], completion.shape);
        Assert.True(completion.min().ToDouble() >= 0 && completion.max().ToDouble() <= 1);
    }

    [Fact]
    public void SamplingUsesThePriorMeanUnlessAskedForDraws()
    {
        using var scope = NewDisposeScope();
        manual_seed(0);
        using var model = new Cvae(Small);
        var (_, y) = Drawings(2);
        Assert.True(model.sample(y).Equals(model.sample(y)), "z = mu_prior gives the same completion each time");
        Assert.False(model.sample(y, stochastic: true).Equals(model.sample(y, stochastic: true)), "z ~ q(z|y) gives different completions");
    }

    [Fact]
    public void TheDecoderIsAResidualOnThePartialImageUnlessItSeesOnlyZ()
    {
        using var scope = NewDisposeScope();
        manual_seed(0);
        var (x, y) = Drawings(2);
        foreach (var (config, expected) in new[] { (Small, y), (Small with { decoder_sees_y = false }, zeros_like(y)) })
        {
            using var model = new Cvae(config);
            nn.init.zeros_(model.decoder.mean_head.weight);
            nn.init.zeros_(model.decoder.mean_head.bias!);
            Assert.True(model.call(x, y).x_logits.Equals(expected));
        }
    }

    [Fact]
    public void TheDecoderZAblationDropsTheExtraChannelAndScoresWithBce()
    {
        using var scope = NewDisposeScope();
        manual_seed(0);
        var config = Small with { decoder_sees_y = CvaeConfig.DecoderZ.decoder_sees_y, likelihood = CvaeConfig.DecoderZ.likelihood };
        using var model = new Cvae(config);
        using var full = new Cvae(Small);
        Assert.Equal([8L, 8, 4, 4], ((ConvTranspose2d)model.decoder.trunk[0]).weight.shape);
        Assert.Equal([9L, 8, 4, 4], ((ConvTranspose2d)full.decoder.trunk[0]).weight.shape);

        var (x, y) = Drawings(2);
        manual_seed(5);
        var losses = model.losses(x, y, beta: 0.5);
        manual_seed(5);
        var logits = model.call(x, y).x_logits;
        Assert.Equal(F.binary_cross_entropy_with_logits(logits, x).ToDouble(), losses["recon"].ToDouble(), 6);
        Assert.Equal(losses["recon"].ToDouble() + 0.5 * losses["kl"].ToDouble(), losses["loss"].ToDouble(), 5);

        manual_seed(5);
        var cb = full.losses(x, y);
        manual_seed(5);
        var full_logits = full.call(x, y).x_logits;
        Assert.Equal(-Losses.continuous_bernoulli_log_prob(full_logits, x).mean().ToDouble(), cb["recon"].ToDouble(), 5);
    }

    [Fact]
    public void ParameterCountMatchesTheClosedForm()
    {
        long conv(long cin, long cout, long k = 3) => cin * cout * k * k + cout;
        long linear(long fin, long fout) => fin * fout + fout;
        long encoder(long cin) => conv(cin, 32) + conv(32, 32) + conv(32, 64) + conv(64, 64) + conv(64, 128) + 2 * linear(128 * 16 * 16, 32);
        long decoder(long extra) => linear(32, 128 * 16 * 16) + conv(128 + extra, 64, 4) + conv(64, 64) + conv(64, 32, 4) + conv(32, 32) + conv(32, 1);
        using (var model = new Cvae()) Assert.Equal(encoder(1) + encoder(2) + decoder(1), model.num_parameters());
        using (var model = new Cvae(CvaeConfig.DecoderZ)) Assert.Equal(encoder(1) + encoder(2) + decoder(0), model.num_parameters());
    }

    [Fact]
    public void StateDictLooksLikePyTorchs()
    {
        using (var model = new Cvae()) ModelTesting.AssertLikePyTorch(model, "cvae_default");
        using (var model = new Cvae(CvaeConfig.DecoderZ)) ModelTesting.AssertLikePyTorch(model, "cvae_decoder_z_default");
        using (var model = new Cvae(Small)) ModelTesting.AssertLikePyTorch(model, "cvae_small");
    }

    [Fact]
    public void ItHasATorchinfoStyleSummaryOfBothInputs()
    {
        using var model = new Cvae(Small);
        var summary = model.summary([2, 1, 16, 16], [2, 1, 16, 16]);
        ModelTesting.AssertSummary(model, summary, ("encoder_post.net", [2L, 8, 4, 4]), ("decoder", [2L, 1, 16, 16]));
    }

    [Fact]
    public void ATrainingStepLowersTheLossOnAFixedBatch()
    {
        manual_seed(1);
        using var model = new Cvae(Small);
        var (x, y) = Drawings(8);
        using var optimizer = optim.Adam(model.parameters(), lr: 1e-3);
        var before = ModelTesting.LossAt(() => model.losses(x, y)["loss"]);
        ModelTesting.Train(optimizer, () => model.losses(x, y)["loss"], 1);
        Assert.True(ModelTesting.LossAt(() => model.losses(x, y)["loss"]) < before);
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void ATinyBatchCanBeOverfit(bool full_model)
    {
        manual_seed(2);
        using var model = new Cvae(full_model ? Small : Small with { decoder_sees_y = false, likelihood = CvaeLikelihood.Bernoulli });
        var (x, y) = Drawings(4);
        using var optimizer = optim.Adam(model.parameters(), lr: 1e-2);
        var before = ModelTesting.LossAt(() => model.losses(x, y)["recon"]);
        ModelTesting.Train(optimizer, () => model.losses(x, y)["loss"], 80);
        var after = ModelTesting.LossAt(() => model.losses(x, y)["recon"]);
        Assert.True(after < before - 0.3, $"reconstruction NLL per pixel {before:F3} -> {after:F3}");
    }
}
