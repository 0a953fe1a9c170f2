using TorchSharp;
using static TorchSharp.torch;

namespace VaeLab.Models;

/// <summary>
/// The shape the image VAEs here share, after PyTorch-VAE's BaseVAE: an encoder to the mean and log-variance of a
/// diagonal Gaussian q(z|x), a decoder from z, and one reparameterised draw between them, so code that trains, samples
/// or reconstructs can take any of them. <see cref="Cvae"/> is not one: its encoder and decoder also see the partial drawing.
/// </summary>
public abstract class Vae(string name) : nn.Module<Tensor, (Tensor x_hat, Tensor mu, Tensor log_var)>(name)
{
    public abstract int latent_dim { get; }

    /// <summary>Mean and log-variance of q(z|x), each [B, latent_dim].</summary>
    public abstract (Tensor mu, Tensor log_var) encode(Tensor x);

    public abstract Tensor decode(Tensor z);

    public override (Tensor x_hat, Tensor mu, Tensor log_var) forward(Tensor x)
    {
        var (mu, log_var) = encode(x);
        return (decode(Gaussian.reparameterize(mu, log_var)), mu, log_var);
    }

    /// <summary>Images decoded from n draws of the prior N(0, I).</summary>
    public Tensor sample(long n)
    {
        var reference = parameters().First();
        using var z = randn([n, latent_dim], reference.dtype, reference.device);
        return decode(z);
    }

    /// <summary>x decoded from one draw of q(z|x), as the seeds' reconstruction scripts do.</summary>
    public Tensor reconstruct(Tensor x)
    {
        using var scope = NewDisposeScope();
        return call(x).x_hat.MoveToOuterDisposeScope();
    }
}
