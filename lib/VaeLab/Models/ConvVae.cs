using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;
using F = TorchSharp.torch.nn.functional;
using Reduction = TorchSharp.torch.nn.Reduction;

namespace VaeLab.Models;

/// <summary>
/// Hyperparameters of <see cref="ConvVae"/>, defaulting to seed 004 (torch-vae): 64x64 RGB images,
/// filters max_filters/4, max_filters/2, max_filters = 32, 64, 128, and 64 latent dims.
/// </summary>
public sealed record ConvVaeConfig
{
    public int image_channels { get; init; } = 3;

    /// <summary>Height and width; three stride-2 layers halve it three times, so it must be a multiple of 8 (pad 28 to 32).</summary>
    public int image_size { get; init; } = 64;

    public int latent_dim { get; init; } = 64;
    public int max_filters { get; init; } = 128;

    /// <summary>Side of the smallest feature map, between the convolutions and the linear layers.</summary>
    public int bottleneck_size => image_size / 8;

    /// <summary>Elements of the flattened bottleneck: max_filters x (image_size / 8)^2 (8192 for the defaults).</summary>
    public int flattened_dims => max_filters * bottleneck_size * bottleneck_size;

    internal void Validate()
    {
        if (image_channels < 1) throw new ArgumentException($"image_channels must be positive, got {image_channels}", nameof(image_channels));
        if (image_size < 8 || image_size % 8 != 0)
            throw new ArgumentException($"image_size must be a positive multiple of 8 (three stride-2 layers), got {image_size}; pad the images", nameof(image_size));
        if (latent_dim < 1) throw new ArgumentException($"latent_dim must be positive, got {latent_dim}", nameof(latent_dim));
        if (max_filters < 4 || max_filters % 4 != 0)
            throw new ArgumentException($"max_filters must be a positive multiple of 4, got {max_filters}", nameof(max_filters));
    }
}

/// <summary>
/// The convolutional VAE of seed 004 (torch-vae, after DCGAN's all-convolutional design). Encoder: three
/// Conv3x3 stride 2 + BatchNorm + LeakyReLU(0.01), flatten, then two linear heads for mu and log_var.
/// Decoder: a linear layer back to the bottleneck, two ConvTranspose3x3 stride 2 + BatchNorm + LeakyReLU,
/// one more ConvTranspose to the image channels, and a sigmoid for pixels in [0, 1].
/// Loss: summed squared error plus the summed KL to N(0, I). Field names match the seed's state_dict keys; the seed
/// also declares shortcut convolutions that its forward never calls, so its files load here with strict: false.
/// </summary>
public sealed class ConvVae : Vae
{
    public ConvVaeConfig config { get; }
    public readonly Encoder encoder;
    public readonly Decoder decoder;

    public ConvVae(ConvVaeConfig? config = null) : base(nameof(ConvVae))
    {
        this.config = config ?? new ConvVaeConfig();
        this.config.Validate();
        encoder = new Encoder(this.config);
        decoder = new Decoder(this.config);
        RegisterComponents();
    }

    public override int latent_dim => config.latent_dim;
    public override (Tensor mu, Tensor log_var) encode(Tensor x) => encoder.call(x);
    public override Tensor decode(Tensor z) => decoder.call(z);

    /// <summary>Seed 004's loss terms for a batch x in [0, 1]: loss = mse + kl_weight * kl, each summed over the batch.</summary>
    public Dictionary<string, Tensor> losses(Tensor x, double kl_weight = 1)
    {
        var (x_hat, mu, log_var) = call(x);
        var mse = F.mse_loss(x_hat, x, Reduction.Sum);
        var kl = Losses.gaussian_kl(mu, log_var, Reduction.Sum);
        return new() { ["loss"] = mse + kl_weight * kl, ["mse"] = mse, ["kl"] = kl };
    }

    public sealed class Encoder : nn.Module<Tensor, (Tensor mu, Tensor log_var)>
    {
        readonly (long channels, long size) image;

        public readonly Conv2d conv1;
        public readonly Conv2d conv2;
        public readonly Conv2d conv3;
        public readonly BatchNorm2d bn1;
        public readonly BatchNorm2d bn2;
        public readonly BatchNorm2d bn3;
        public readonly Linear proj_mu;
        public readonly Linear proj_log_var;

        internal Encoder(ConvVaeConfig c) : base(nameof(Encoder))
        {
            var (f1, f2, f3) = (c.max_filters / 4, c.max_filters / 2, c.max_filters);
            image = (c.image_channels, c.image_size);
            conv1 = nn.Conv2d(c.image_channels, f1, 3, stride: 2, padding: 1); // size / 2
            conv2 = nn.Conv2d(f1, f2, 3, stride: 2, padding: 1);               // size / 4
            conv3 = nn.Conv2d(f2, f3, 3, stride: 2, padding: 1);               // size / 8
            bn1 = nn.BatchNorm2d(f1);
            bn2 = nn.BatchNorm2d(f2);
            bn3 = nn.BatchNorm2d(f3);
            proj_mu = nn.Linear(c.flattened_dims, c.latent_dim);
            proj_log_var = nn.Linear(c.flattened_dims, c.latent_dim);
            RegisterComponents();
        }

        public override (Tensor mu, Tensor log_var) forward(Tensor x)
        {
            ImageInput.Check(x, image.channels, image.size, nameof(ConvVae), nameof(x));
            // In place: nothing else reads a batch norm's output (its backward needs its input), so a step allocates an
            // activation less per layer.
            x = F.leaky_relu(bn1.call(conv1.call(x)), inplace: true);
            x = F.leaky_relu(bn2.call(conv2.call(x)), inplace: true);
            x = F.leaky_relu(bn3.call(conv3.call(x)), inplace: true);
            x = x.flatten(1);
            return (proj_mu.call(x), proj_log_var.call(x));
        }
    }

    public sealed class Decoder : nn.Module<Tensor, Tensor>
    {
        readonly long[] bottleneck;

        public readonly Linear lin1;
        public readonly ConvTranspose2d conv1;
        public readonly ConvTranspose2d conv2;
        public readonly ConvTranspose2d conv3;
        public readonly BatchNorm2d bn1;
        public readonly BatchNorm2d bn2;

        internal Decoder(ConvVaeConfig c) : base(nameof(Decoder))
        {
            var (f1, f2, f3) = (c.max_filters, c.max_filters / 2, c.max_filters / 4);
            bottleneck = [f1, c.bottleneck_size, c.bottleneck_size];
            lin1 = nn.Linear(c.latent_dim, c.flattened_dims);
            // output_padding 1 makes each layer exactly double the size: (n - 1) * 2 - 2 + 3 + 1 = 2n.
            conv1 = nn.ConvTranspose2d(f1, f2, 3, stride: 2, padding: 1, output_padding: 1);
            conv2 = nn.ConvTranspose2d(f2, f3, 3, stride: 2, padding: 1, output_padding: 1);
            conv3 = nn.ConvTranspose2d(f3, c.image_channels, 3, stride: 2, padding: 1, output_padding: 1);
            bn1 = nn.BatchNorm2d(f2);
            bn2 = nn.BatchNorm2d(f3);
            RegisterComponents();
        }

        public override Tensor forward(Tensor z)
        {
            var x = lin1.call(z).unflatten(1, bottleneck);
            x = F.leaky_relu(bn1.call(conv1.call(x)), inplace: true);
            x = F.leaky_relu(bn2.call(conv2.call(x)), inplace: true);
            return conv3.call(x).sigmoid();
        }
    }
}
