using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;
using F = TorchSharp.torch.nn.functional;
using Reduction = TorchSharp.torch.nn.Reduction;

namespace VaeLab.Models;

/// <summary>How the Cvae scores a full image x given the decoder's logits.</summary>
public enum CvaeLikelihood
{
    /// <summary>Continuous Bernoulli: a proper density for pixel values in [0, 1] (the full model).</summary>
    ContinuousBernoulli,

    /// <summary>Bernoulli, i.e. binary cross-entropy with logits (the decoder-z ablation).</summary>
    Bernoulli,
}

/// <summary>
/// Hyperparameters of <see cref="Cvae"/>, defaulting to seed 000's full model on 64x64 drawings with a
/// 32-dim latent. <see cref="DecoderZ"/> is the seed's ablation, whose decoder sees only z.
/// </summary>
public sealed record CvaeConfig
{
    /// <summary>Height and width; two 2x poolings shrink it to image_size / 4, so it must be a multiple of 4.</summary>
    public int image_size { get; init; } = 64;

    public int latent_dim { get; init; } = 32;

    /// <summary>Widths of the encoders' three stages (two convolutions, two, then one).</summary>
    public int[] encoder_channels { get; init; } = [32, 64, 128];

    /// <summary>Widths of the decoder's two upsampling stages; the decoder starts from encoder_channels[2] maps.</summary>
    public int[] decoder_channels { get; init; } = [64, 32];

    public double negative_slope { get; init; } = 0.2;

    /// <summary>Whether the decoder gets the partial image y: as an extra bottleneck channel, and as the base of its logits.</summary>
    public bool decoder_sees_y { get; init; } = true;

    public CvaeLikelihood likelihood { get; init; } = CvaeLikelihood.ContinuousBernoulli;

    /// <summary>The ablation "decoder-z": the decoder sees only z (no y, no residual) and the loss is BCE-with-logits.</summary>
    public static CvaeConfig DecoderZ => new() { decoder_sees_y = false, likelihood = CvaeLikelihood.Bernoulli };

    public int bottleneck_size => image_size / 4;
    public int flattened_dims => encoder_channels[2] * bottleneck_size * bottleneck_size;

    internal void Validate()
    {
        if (image_size < 4 || image_size % 4 != 0)
            throw new ArgumentException($"image_size must be a positive multiple of 4 (two 2x poolings), got {image_size}", nameof(image_size));
        if (latent_dim < 1) throw new ArgumentException($"latent_dim must be positive, got {latent_dim}", nameof(latent_dim));
        if (encoder_channels.Length != 3 || encoder_channels.Any(c => c < 1))
            throw new ArgumentException($"encoder_channels must be three positive widths, got [{string.Join(", ", encoder_channels)}]", nameof(encoder_channels));
        if (decoder_channels.Length != 2 || decoder_channels.Any(c => c < 1))
            throw new ArgumentException($"decoder_channels must be two positive widths, got [{string.Join(", ", decoder_channels)}]", nameof(decoder_channels));
    }
}

/// <summary>
/// The conditional VAE of seed 000 that completes a partial drawing y into the full drawing x (1 channel each,
/// background 1, strokes 0). A prior encoder q(z|y) and a posterior encoder q(z|x,y) share one architecture;
/// training decodes z ~ q(z|x,y) and pulls the posterior towards the prior with KL(q(z|x,y) || q(z|y)); at test
/// time z comes from the prior alone. The decoder adds its output to y, so it learns the missing strokes as a
/// residual on the partial image. Field names match the seed's state_dict keys (encoder_prior.net.0.weight, ...).
/// </summary>
public sealed class Cvae : nn.Module<Tensor, Tensor, (Tensor z, Tensor mu_p, Tensor log_var_p, Tensor mu_q, Tensor log_var_q, Tensor x_logits)>
{
    public CvaeConfig config { get; }
    public readonly GaussianEncoder encoder_prior;
    public readonly GaussianEncoder encoder_post;
    public readonly GaussianDecoder decoder;

    public Cvae(CvaeConfig? config = null) : base(nameof(Cvae))
    {
        this.config = config ?? new CvaeConfig();
        this.config.Validate();
        encoder_prior = new GaussianEncoder(1, this.config);
        encoder_post = new GaussianEncoder(2, this.config);
        decoder = new GaussianDecoder(this.config);
        RegisterComponents();
    }

    /// <summary>x: full images, y: partial images, both [B, 1, H, W] in [0, 1].</summary>
    public override (Tensor z, Tensor mu_p, Tensor log_var_p, Tensor mu_q, Tensor log_var_q, Tensor x_logits) forward(Tensor x, Tensor y)
    {
        ImageInput.Check(x, 1, config.image_size, nameof(Cvae), nameof(x));
        ImageInput.Check(y, 1, config.image_size, nameof(Cvae), nameof(y));
        var (mu_p, log_var_p) = encoder_prior.call(y);
        var (mu_q, log_var_q) = encoder_post.call(cat([x, y], 1));
        var z = Gaussian.reparameterize(mu_q, log_var_q);
        return (z, mu_p, log_var_p, mu_q, log_var_q, decoder.call(z, y));
    }

    /// <summary>
    /// Completions of the partial images y, as probabilities: decoded from z = mu of the prior q(z|y) as the seed's
    /// sample() does, or with stochastic from z ~ q(z|y), which gives a different completion on every call.
    /// </summary>
    public Tensor sample(Tensor y, bool stochastic = false)
    {
        ImageInput.Check(y, 1, config.image_size, nameof(Cvae), nameof(y));
        using var scope = NewDisposeScope();
        var (mu_p, log_var_p) = encoder_prior.call(y);
        var z = stochastic ? Gaussian.reparameterize(mu_p, log_var_p) : mu_p;
        return decoder.call(z, y).sigmoid().MoveToOuterDisposeScope();
    }

    /// <summary>
    /// Seed 000's loss: the reconstruction NLL averaged over pixels plus beta times KL(q(z|x,y) || q(z|y)) averaged
    /// over latent dims, both per image, then averaged over the batch.
    /// </summary>
    public Dictionary<string, Tensor> losses(Tensor x, Tensor y, double beta = 1)
    {
        var (_, mu_p, log_var_p, mu_q, log_var_q, x_logits) = call(x, y);
        var log_px = config.likelihood == CvaeLikelihood.ContinuousBernoulli
            ? Losses.continuous_bernoulli_log_prob(x_logits, x)
            : Losses.bernoulli_log_prob(x_logits, x);
        var recon = -log_px.flatten(1).mean([1]);
        var kl = Losses.gaussian_kl(mu_q, log_var_q, mu_p, log_var_p).mean([1]);
        return new() { ["loss"] = (recon + beta * kl).mean(), ["recon"] = recon.mean(), ["kl"] = kl.mean() };
    }

    /// <summary>Convolutions, two 2x average poolings, then linear heads for the mean and log-variance of z.</summary>
    public sealed class GaussianEncoder : nn.Module<Tensor, (Tensor mu, Tensor log_var)>
    {
        public readonly Sequential net;
        public readonly Linear mean;
        public readonly Linear logvar;

        internal GaussianEncoder(int in_channels, CvaeConfig c) : base(nameof(GaussianEncoder))
        {
            var (c1, c2, c3) = (c.encoder_channels[0], c.encoder_channels[1], c.encoder_channels[2]);
            net = nn.Sequential(
                nn.Conv2d(in_channels, c1, 3, padding: 1), nn.LeakyReLU(c.negative_slope),
                nn.Conv2d(c1, c1, 3, padding: 1), nn.LeakyReLU(c.negative_slope),
                nn.AvgPool2d(2),
                nn.Conv2d(c1, c2, 3, padding: 1), nn.LeakyReLU(c.negative_slope),
                nn.Conv2d(c2, c2, 3, padding: 1), nn.LeakyReLU(c.negative_slope),
                nn.AvgPool2d(2),
                nn.Conv2d(c2, c3, 3, padding: 1), nn.LeakyReLU(c.negative_slope));
            mean = nn.Linear(c.flattened_dims, c.latent_dim);
            logvar = nn.Linear(c.flattened_dims, c.latent_dim);
            RegisterComponents();
        }

        public override (Tensor mu, Tensor log_var) forward(Tensor x)
        {
            var h = net.call(x).flatten(1);
            return (mean.call(h), logvar.call(h));
        }
    }

    /// <summary>z to a bottleneck feature map (plus y resized to it), two 2x upsampling stages, then one channel of logits.</summary>
    public sealed class GaussianDecoder : nn.Module<Tensor, Tensor, Tensor>
    {
        readonly long[] bottleneck;
        readonly bool sees_y;

        public readonly Sequential fc;
        public readonly Sequential trunk;
        public readonly Conv2d mean_head;

        internal GaussianDecoder(CvaeConfig c) : base(nameof(GaussianDecoder))
        {
            sees_y = c.decoder_sees_y;
            var channels = c.encoder_channels[2];
            bottleneck = [channels, c.bottleneck_size, c.bottleneck_size];
            var (d1, d2) = (c.decoder_channels[0], c.decoder_channels[1]);
            fc = nn.Sequential(nn.Linear(c.latent_dim, c.flattened_dims), nn.LeakyReLU(c.negative_slope));
            // Kernel 4, stride 2, padding 1 doubles the size: (n - 1) * 2 - 2 + 4 = 2n.
            trunk = nn.Sequential(
                nn.ConvTranspose2d(channels + (sees_y ? 1 : 0), d1, 4, stride: 2, padding: 1), nn.LeakyReLU(c.negative_slope),
                nn.Conv2d(d1, d1, 3, padding: 1), nn.LeakyReLU(c.negative_slope),
                nn.ConvTranspose2d(d1, d2, 4, stride: 2, padding: 1), nn.LeakyReLU(c.negative_slope),
                nn.Conv2d(d2, d2, 3, padding: 1), nn.LeakyReLU(c.negative_slope));
            mean_head = nn.Conv2d(d2, 1, 3, padding: 1);
            RegisterComponents();
        }

        /// <summary>Logits of the full image; y (the partial image) is ignored when the config says the decoder does not see it.</summary>
        public override Tensor forward(Tensor z, Tensor y)
        {
            var h = fc.call(z).unflatten(1, bottleneck);
            if (!sees_y) return mean_head.call(trunk.call(h));
            var y_small = F.interpolate(y, size: [bottleneck[1], bottleneck[2]], mode: InterpolationMode.Bilinear, align_corners: false);
            var s = mean_head.call(trunk.call(cat([h, y_small], 1)));
            return y + s;
        }
    }
}
