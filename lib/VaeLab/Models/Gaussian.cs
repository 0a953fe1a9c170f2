using TorchSharp;
using static TorchSharp.torch;

namespace VaeLab.Models;

/// <summary>The diagonal Gaussian that every encoder here outputs as (mu, log_var).</summary>
public static class Gaussian
{
    /// <summary>
    /// The reparameterisation trick (Kingma and Welling 2013): z = mu + sigma * eps with eps ~ N(0, I), so the
    /// sample is a differentiable function of mu and log_var and the noise carries no parameters.
    /// </summary>
    public static Tensor reparameterize(Tensor mu, Tensor log_var)
    {
        using var scope = NewDisposeScope();
        var std = (0.5 * log_var).exp();
        return (mu + randn_like(std) * std).MoveToOuterDisposeScope();
    }
}
