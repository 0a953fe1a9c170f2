namespace VaeLab.Tests.Models;

/// <summary>What <see cref="Vae"/> gives every image VAE: its forward, reconstruct and sample are encode, one
/// reparameterised draw and decode, computed here by hand from the model's own encode and decode.</summary>
[Collection(TrainingSerial.Name)]
public class VaeTests
{
    public static TheoryData<string> Models => ["conv", "split"];

    static Vae Create(string name) => name == "conv"
        ? new ConvVae(new ConvVaeConfig { image_channels = 3, image_size = 16, latent_dim = 4, max_filters = 8 })
        : new SplitVae(new SplitVaeConfig { image_size = 16, latent_dim = 4, encoder_channels = [8, 8, 8], fc_size = 16, decoder_channels = [8, 8, 4] });

    [Theory]
    [MemberData(nameof(Models))]
    public void ForwardAndReconstructDecodeOneDrawOfTheEncodersGaussian(string name)
    {
        using var scope = NewDisposeScope();
        manual_seed(0);
        using var model = Create(name);
        model.eval();
        var x = rand(2, 3, 16, 16);
        var (mu, log_var) = model.encode(x);
        Assert.Equal([2L, model.latent_dim], mu.shape);

        manual_seed(1);
        var eps = randn_like(mu);
        var expected = model.decode(mu + eps * (0.5 * log_var).exp());
        manual_seed(1);
        var (x_hat, forward_mu, _) = model.call(x);
        manual_seed(1);
        var reconstructed = model.reconstruct(x);

        Assert.True(forward_mu.allclose(mu));
        Assert.True(x_hat.allclose(expected, 1e-5, 1e-6), "forward decodes mu + eps * sigma");
        Assert.True(reconstructed.allclose(expected, 1e-5, 1e-6), "reconstruct decodes mu + eps * sigma");
    }

    [Theory]
    [MemberData(nameof(Models))]
    public void SampleDecodesDrawsOfTheStandardNormal(string name)
    {
        using var scope = NewDisposeScope();
        manual_seed(0);
        using var model = Create(name);
        model.eval();
        manual_seed(2);
        var expected = model.decode(randn(5, model.latent_dim));
        manual_seed(2);
        var sampled = model.sample(5);
        Assert.Equal([5L, 3, 16, 16], sampled.shape);
        Assert.True(sampled.allclose(expected, 1e-5, 1e-6));
    }
}
