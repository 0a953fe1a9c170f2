using TorchSharp.Modules;
using static TorchSharp.torch.optim;

namespace VaeLab.Tests.Models;

[Collection(TrainingSerial.Name)]
public class SplitVaeTests
{
    static SplitVaeConfig Small => new() { image_size = 16, latent_dim = 4, encoder_channels = [8, 8, 8], fc_size = 16, decoder_channels = [8, 8, 4] };

    static Tensor Images(int count) => ModelTesting.Shapes(count, 3, 16, low: -1, high: 1);

    [Fact]
    public void OutputsHaveTheImageAndLatentShapes()
    {
        using var scope = NewDisposeScope();
        manual_seed(0);
        using var model = new SplitVae(Small);
        var (x_tilde, mu, log_var) = model.call(Images(3));
        Assert.Equal([3L, 3, 16, 16], x_tilde.shape);
        Assert.Equal([3L, 4], mu.shape);
        Assert.Equal([3L, 4], log_var.shape);
        Assert.True(x_tilde.abs().max().ToDouble() <= 1, "tanh keeps pixels in [-1, 1]");
        model.eval();
        Assert.Equal([5L, 3, 16, 16], model.sample(5).shape);
    }

    [Fact]
    public void ParameterCountMatchesTheClosedForm()
    {
        long bn(long c) => 2 * c;
        long conv(long cin, long cout, bool bias = false) => cin * cout * 25 + (bias ? cout : 0);
        var encoder = conv(3, 64) + bn(64) + conv(64, 128) + bn(128) + conv(128, 256) + bn(256)
            + 256 * 8 * 8 * 1024 + bn(1024) + 2 * (1024 * 128 + 128);
        var decoder = 128 * 256 * 8 * 8 + bn(256 * 8 * 8)
            + conv(256, 256) + bn(256) + conv(256, 128) + bn(128) + conv(128, 32) + bn(32) + conv(32, 3, bias: true);
        using var model = new SplitVae();
        Assert.Equal(encoder + decoder, model.num_parameters());
    }

    [Fact]
    public void StateDictLooksLikePyTorchs()
    {
        using (var model = new SplitVae()) ModelTesting.AssertLikePyTorch(model, "split_vae_default");
        using (var model = new SplitVae(Small)) ModelTesting.AssertLikePyTorch(model, "split_vae_small");
    }

    [Fact]
    public void WeightsAreXavierNormalAndBiasesZero()
    {
        using var scope = NewDisposeScope();
        manual_seed(0);
        using var model = new SplitVae();
        // std = sqrt(2 / (fan_in + fan_out)); a transposed convolution's weight is [in, out, k, k] and PyTorch reads
        // its fans from dims 1 and 0 all the same.
        var fc = ((Linear)model.encoder.fc[0]).weight;
        var deconv = ((SplitVae.DecoderBlock)model.decoder.conv[0]).conv.weight;
        foreach (var (w, fans) in new[] { (fc, 16384 + 1024), (deconv, 2 * 256 * 25) })
            Assert.Equal(Math.Sqrt(2.0 / fans), w.std().ToDouble(), 0.01 * Math.Sqrt(2.0 / fans));
        Assert.Equal(0.0, model.encoder.l_mu.bias!.abs().sum().ToDouble());
        var last = (Conv2d)((Sequential)model.decoder.conv[3])[0];
        Assert.Equal(0.0, last.bias!.abs().sum().ToDouble());
        Assert.All(model.modules().OfType<BatchNorm>(), bn => Assert.Equal(0.9, bn.momentum));
    }

    [Theory]
    [InlineData(true, true)]
    [InlineData(false, true)]
    [InlineData(true, false)]
    public void BackwardGivesTheGradientsOfTheSeedsSequentialUpdate(bool encoder_reconstruction, bool kl_batch_mean)
    {
        using var scope = NewDisposeScope();
        manual_seed(0);
        using var model = new SplitVae(Small with { encoder_reconstruction = encoder_reconstruction, kl_batch_mean = kl_batch_mean, lambda_mse = 1e-3 });
        var x = Images(4);

        manual_seed(3);
        var losses = model.losses(x);
        model.backward(losses);
        var ours = model.parameters().Select(p => p.grad ?? zeros_like(p)).ToList();

        // The seed: backward(L_enc), keep the encoder's gradients, clear, backward(L_dec), keep the decoder's.
        model.zero_grad();
        manual_seed(3);
        var again = model.losses(x);
        again["loss_encoder"].backward(retain_graph: true);
        var encoder = model.encoder.parameters().Select(p => p.grad ?? zeros_like(p)).ToList();
        model.zero_grad();
        again["loss_decoder"].backward();
        var decoder = model.decoder.parameters().Select(p => p.grad ?? zeros_like(p)).ToList();

        var seeds = encoder.Concat(decoder).ToList();
        Assert.Equal(seeds.Count, ours.Count);
        for (var i = 0; i < ours.Count; i++) Assert.True(seeds[i].allclose(ours[i], 1e-5, 1e-9), $"gradient {i} differs");

        // And the losses are the README's: KL term plus (optionally) the summed error for the encoder, lambda_mse times it for the decoder.
        var batch = x.size(0);
        var kl = losses["kl"].ToDouble() * (kl_batch_mean ? 1 : batch);
        var mse = losses["mse"].ToDouble() * batch;
        Assert.Equal(kl + (encoder_reconstruction ? mse : 0), losses["loss_encoder"].ToDouble(), 3);
        Assert.Equal(1e-3 * mse, losses["loss_decoder"].ToDouble(), 6);
    }

    [Fact]
    public void BackwardLeavesFrozenParametersAlone()
    {
        using var scope = NewDisposeScope();
        manual_seed(0);
        using var model = new SplitVae(Small);
        var x = Images(4);
        foreach (var p in model.encoder.parameters()) p.requires_grad = false;

        manual_seed(3);
        model.backward(model.losses(x));
        Assert.All(model.encoder.parameters(), p => Assert.Null(p.grad));
        var ours = model.decoder.parameters().Select(p => p.grad!).ToList();

        model.zero_grad();
        manual_seed(3);
        model.losses(x)["loss_decoder"].backward();
        var decoder = model.decoder.parameters().Select(p => p.grad!).ToList();
        Assert.Equal(decoder.Count, ours.Count);
        for (var i = 0; i < ours.Count; i++) Assert.True(decoder[i].allclose(ours[i], 1e-5, 1e-9), $"gradient {i} differs");
    }

    /// <summary>The loss named <paramref name="measured"/> on a fixed batch before and after <paramref name="steps"/> steps
    /// of the notebook's two optimizers (seed 002's RMSprop, alpha 0.9, eps 1e-8), one per network.</summary>
    static (double before, double after) Trained(int seed, int batch, double lr, int steps, string measured)
    {
        manual_seed(seed);
        using var model = new SplitVae(Small);
        using var x = Images(batch);
        using var encoder = optim.RMSProp(model.encoder.parameters(), lr: lr, alpha: 0.9, eps: 1e-8);
        using var decoder = optim.RMSProp(model.decoder.parameters(), lr: lr, alpha: 0.9, eps: 1e-8);
        var before = ModelTesting.LossAt(() => model.losses(x)[measured]);
        for (var i = 0; i < steps; i++)
        {
            using var scope = NewDisposeScope();
            encoder.zero_grad();
            decoder.zero_grad();
            model.backward(model.losses(x));
            encoder.step();
            decoder.step();
        }
        return (before, ModelTesting.LossAt(() => model.losses(x)[measured]));
    }

    [Fact]
    public void ATrainingStepLowersTheLossOnAFixedBatch()
    {
        var (before, after) = Trained(seed: 1, batch: 8, lr: 1e-4, steps: 1, measured: "loss_encoder");
        Assert.True(after < before);
    }

    [Fact]
    public void ATinyBatchCanBeOverfitWithTwoOptimizers()
    {
        var (before, after) = Trained(seed: 2, batch: 4, lr: 1e-3, steps: 60, measured: "mse");
        Assert.True(after < 0.3 * before, $"squared error per image {before:F2} -> {after:F2}");
    }
}
