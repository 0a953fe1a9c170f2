using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;
using Reduction = TorchSharp.torch.nn.Reduction;

namespace VaeLab.Models;

/// <summary>
/// Hyperparameters of <see cref="SplitVae"/>, defaulting to seed 002 (image-autoencoding): 64x64 RGB in [-1, 1],
/// latent 128, lambda_mse 1e-6, the README's loss scheme with the KL averaged over the batch.
/// </summary>
public sealed record SplitVaeConfig
{
    public int image_channels { get; init; } = 3;

    /// <summary>Height and width; three stride-2 layers take it to image_size / 8, so it must be a multiple of 8.</summary>
    public int image_size { get; init; } = 64;

    public int latent_dim { get; init; } = 128;
    public int[] encoder_channels { get; init; } = [64, 128, 256];
    public int fc_size { get; init; } = 1024;

    /// <summary>Outputs of the decoder's three transposed convolutions; the first takes encoder_channels[2] maps.</summary>
    public int[] decoder_channels { get; init; } = [256, 128, 32];

    public int kernel_size { get; init; } = 5;

    /// <summary>
    /// The seed's BatchNorm momentum. In PyTorch momentum weights the new batch, so 0.9 (a Keras-style value carried
    /// over) makes the running statistics follow the latest batches closely; kept for fidelity.
    /// </summary>
    public double batch_norm_momentum { get; init; } = 0.9;

    /// <summary>Weight of the reconstruction error in the decoder's loss.</summary>
    public double lambda_mse { get; init; } = 1e-6;

    /// <summary>
    /// True: the README's scheme, whose encoder loss has the reconstruction error too. False: the encoder's loss is the
    /// KL term alone, as the spec reads the seed code's default branch (the encoder gets no reconstruction gradient).
    /// </summary>
    public bool encoder_reconstruction { get; init; } = true;

    /// <summary>True: the encoder's KL term is sum(kld) / B (README); false: sum(kld).</summary>
    public bool kl_batch_mean { get; init; } = true;

    public int bottleneck_size => image_size / 8;

    internal void Validate()
    {
        if (image_channels < 1) throw new ArgumentException($"image_channels must be positive, got {image_channels}", nameof(image_channels));
        if (image_size < 8 || image_size % 8 != 0)
            throw new ArgumentException($"image_size must be a positive multiple of 8 (three stride-2 layers), got {image_size}", nameof(image_size));
        if (latent_dim < 1) throw new ArgumentException($"latent_dim must be positive, got {latent_dim}", nameof(latent_dim));
        if (encoder_channels.Length != 3 || encoder_channels.Any(c => c < 1))
            throw new ArgumentException($"encoder_channels must be three positive widths, got [{string.Join(", ", encoder_channels)}]", nameof(encoder_channels));
        if (decoder_channels.Length != 3 || decoder_channels.Any(c => c < 1))
            throw new ArgumentException($"decoder_channels must be three positive widths, got [{string.Join(", ", decoder_channels)}]", nameof(decoder_channels));
        if (fc_size < 1) throw new ArgumentException($"fc_size must be positive, got {fc_size}", nameof(fc_size));
        if (kernel_size < 1 || kernel_size % 2 == 0) throw new ArgumentException($"kernel_size must be odd, got {kernel_size}", nameof(kernel_size));
    }
}

/// <summary>
/// The VAE of seed 002, trained with one RMSprop optimizer for the encoder and one for the decoder. Encoder:
/// three Conv5x5 stride 2 (no bias) + BatchNorm + ReLU, a 1024-wide FC + BatchNorm1d + ReLU, then linear heads
/// for mu and log-variance. Decoder: FC + BatchNorm1d + ReLU to an 8x8 map, three ConvTranspose5x5 stride 2
/// + BatchNorm + ReLU, and Conv5x5 + Tanh for images in [-1, 1]. Xavier-normal weights, zero biases.
/// Field names match the seed's state_dict keys (encoder.conv.0.conv.weight, encoder.l_mu.weight, ...). The seed's
/// forward also decodes a batch of random z in training mode that no loss uses; that pass is left out, so the
/// decoder's BatchNorm running statistics see reconstructions only.
/// </summary>
public sealed class SplitVae : Vae
{
    public SplitVaeConfig config { get; }
    public readonly Encoder encoder;
    public readonly Decoder decoder;

    public SplitVae(SplitVaeConfig? config = null) : base(nameof(SplitVae))
    {
        this.config = config ?? new SplitVaeConfig();
        this.config.Validate();
        encoder = new Encoder(this.config);
        decoder = new Decoder(this.config);
        RegisterComponents();
        apply(m =>
        {
            if (m is Convolution conv) Glorot(conv.weight, conv.bias);
            if (m is Linear linear) Glorot(linear.weight, linear.bias);
        });
    }

    /// <summary>PyTorch's xavier_normal_: N(0, 2 / (fan_in + fan_out)). TorchSharp 0.107's nn.init.xavier_normal_ draws from
    /// xavier_uniform_'s uniform distribution instead.</summary>
    static void Glorot(Parameter weight, Parameter? bias)
    {
        var (fan_in, fan_out) = nn.init.CalculateFanInAndFanOut(weight);
        nn.init.normal_(weight, std: Math.Sqrt(2.0 / (fan_in + fan_out)));
        if (bias is not null) nn.init.zeros_(bias);
    }

    public override int latent_dim => config.latent_dim;
    public override (Tensor mu, Tensor log_var) encode(Tensor x) => encoder.call(x);
    public override Tensor decode(Tensor z) => decoder.call(z);

    /// <summary>
    /// Seed 002's two losses, from mse = (x - x_tilde)^2 / 2 per element and the KL per image:
    /// loss_encoder = KL term (sum(kld) / B, or sum(kld)) + sum(mse) (the latter only with encoder_reconstruction),
    /// loss_decoder = lambda_mse * sum(mse). "mse" and "kl" are reported per image.
    /// </summary>
    public Dictionary<string, Tensor> losses(Tensor x, double kl_weight = 1)
    {
        var (x_tilde, mu, log_var) = call(x);
        var mse = 0.5 * (x - x_tilde).square();
        var kld = Losses.gaussian_kl(mu, log_var).sum(1);
        var sum_mse = mse.sum();
        var kl_term = config.kl_batch_mean ? kld.mean() : kld.sum();
        var loss_encoder = kl_weight * kl_term;
        if (config.encoder_reconstruction) loss_encoder += sum_mse;
        return new()
        {
            ["loss_encoder"] = loss_encoder,
            ["loss_decoder"] = config.lambda_mse * sum_mse,
            ["mse"] = sum_mse / x.size(0),
            ["kl"] = kld.mean(),
        };
    }

    /// <summary>
    /// Fills the gradients so that the encoder's optimizer descends loss_encoder and the decoder's descends
    /// loss_decoder. The seed does backward(L_enc), steps the encoder, clears the gradients, then backward(L_dec)
    /// and steps the decoder; both backward passes run on the same forward graph, so taking the two gradients
    /// first and stepping both optimizers after is the same update, and needs no backward through an encoder
    /// already changed in place. Frozen parameters (requires_grad false) are left alone, as backward leaves them.
    /// </summary>
    public void backward(IReadOnlyDictionary<string, Tensor> losses)
    {
        // backward(inputs) rather than autograd.grad: TorchSharp's autograd.grad aborts the process on any error (losses
        // made under no_grad, a graph already freed by an earlier call), where backward throws.
        var encoder_params = encoder.parameters().Where(p => p.requires_grad).ToList<Tensor>();
        var decoder_params = decoder.parameters().Where(p => p.requires_grad).ToList<Tensor>();
        foreach (var p in encoder_params.Concat(decoder_params)) p.grad = null;
        // An empty inputs list would mean every leaf of the graph.
        if (encoder_params.Count > 0) losses["loss_encoder"].backward(retain_graph: true, inputs: encoder_params);
        if (decoder_params.Count > 0) losses["loss_decoder"].backward(inputs: decoder_params);
    }

    public sealed class EncoderBlock : nn.Module<Tensor, Tensor>
    {
        public readonly Conv2d conv;
        public readonly BatchNorm2d bn;

        internal EncoderBlock(int channel_in, int channel_out, SplitVaeConfig c) : base(nameof(EncoderBlock))
        {
            conv = nn.Conv2d(channel_in, channel_out, c.kernel_size, stride: 2, padding: c.kernel_size / 2, bias: false);
            bn = nn.BatchNorm2d(channel_out, momentum: c.batch_norm_momentum);
            RegisterComponents();
        }

        public override Tensor forward(Tensor x) => bn.call(conv.call(x)).relu();
    }

    public sealed class DecoderBlock : nn.Module<Tensor, Tensor>
    {
        public readonly ConvTranspose2d conv;
        public readonly BatchNorm2d bn;

        internal DecoderBlock(int channel_in, int channel_out, SplitVaeConfig c) : base(nameof(DecoderBlock))
        {
            // output_padding 1 makes the size exactly double: (n - 1) * 2 - 2p + k + 1 = 2n with p = (k - 1) / 2.
            conv = nn.ConvTranspose2d(channel_in, channel_out, c.kernel_size, stride: 2, padding: c.kernel_size / 2, output_padding: 1, bias: false);
            bn = nn.BatchNorm2d(channel_out, momentum: c.batch_norm_momentum);
            RegisterComponents();
        }

        public override Tensor forward(Tensor x) => bn.call(conv.call(x)).relu();
    }

    public sealed class Encoder : nn.Module<Tensor, (Tensor mu, Tensor log_var)>
    {
        readonly (long channels, long size) image;

        public readonly Sequential conv;
        public readonly Sequential fc;
        public readonly Linear l_mu;
        public readonly Linear l_var;

        internal Encoder(SplitVaeConfig c) : base(nameof(Encoder))
        {
            var ch = c.encoder_channels;
            image = (c.image_channels, c.image_size);
            conv = nn.Sequential(new EncoderBlock(c.image_channels, ch[0], c), new EncoderBlock(ch[0], ch[1], c), new EncoderBlock(ch[1], ch[2], c));
            var flattened = ch[2] * c.bottleneck_size * c.bottleneck_size;
            fc = nn.Sequential(nn.Linear(flattened, c.fc_size, hasBias: false), nn.BatchNorm1d(c.fc_size, momentum: c.batch_norm_momentum), nn.ReLU());
            l_mu = nn.Linear(c.fc_size, c.latent_dim);
            l_var = nn.Linear(c.fc_size, c.latent_dim);
            RegisterComponents();
        }

        public override (Tensor mu, Tensor log_var) forward(Tensor x)
        {
            ImageInput.Check(x, image.channels, image.size, nameof(SplitVae), nameof(x));
            var h = fc.call(conv.call(x).flatten(1));
            return (l_mu.call(h), l_var.call(h));
        }
    }

    public sealed class Decoder : nn.Module<Tensor, Tensor>
    {
        readonly long[] bottleneck;

        public readonly Sequential fc;
        public readonly Sequential conv;

        internal Decoder(SplitVaeConfig c) : base(nameof(Decoder))
        {
            var (ch, d) = (c.encoder_channels[2], c.decoder_channels);
            bottleneck = [ch, c.bottleneck_size, c.bottleneck_size];
            var flattened = ch * c.bottleneck_size * c.bottleneck_size;
            fc = nn.Sequential(nn.Linear(c.latent_dim, flattened, hasBias: false), nn.BatchNorm1d(flattened, momentum: c.batch_norm_momentum), nn.ReLU());
            conv = nn.Sequential(
                new DecoderBlock(ch, d[0], c), new DecoderBlock(d[0], d[1], c), new DecoderBlock(d[1], d[2], c),
                nn.Sequential(nn.Conv2d(d[2], c.image_channels, c.kernel_size, padding: c.kernel_size / 2), nn.Tanh()));
            RegisterComponents();
        }

        public override Tensor forward(Tensor z) => conv.call(fc.call(z).unflatten(1, bottleneck));
    }
}
