using TorchSharp;
using static TorchSharp.torch;
using F = TorchSharp.torch.nn.functional;
using Reduction = TorchSharp.torch.nn.Reduction;

namespace VaeLab.Models;

/// <summary>
/// The terms of a VAE's objective, elementwise unless a reduction is asked for: KL divergences of diagonal
/// Gaussians, Bernoulli and continuous-Bernoulli log-likelihoods from logits, squared error, and the ELBO
/// in nats per image or bits per dimension. Reductions: none, mean (over all elements) and sum.
/// </summary>
public static class Losses
{
    /// <summary>KL(N(mu, exp(log_var)) || N(0, 1)) per dim: (mu^2 + sigma^2 - 1 - log sigma^2) / 2.</summary>
    public static Tensor gaussian_kl(Tensor mu, Tensor log_var, Reduction reduction = Reduction.None)
    {
        using var scope = NewDisposeScope();
        var kl = 0.5 * (mu.square() + log_var.exp() - 1 - log_var);
        return Reduce(kl, reduction).MoveToOuterDisposeScope();
    }

    /// <summary>
    /// KL(q || p) per dim between diagonal Gaussians q = N(mu_q, exp(log_var_q)), p = N(mu_p, exp(log_var_p)):
    /// (log_var_p - log_var_q + (sigma_q^2 + (mu_q - mu_p)^2) / sigma_p^2 - 1) / 2.
    /// </summary>
    public static Tensor gaussian_kl(Tensor mu_q, Tensor log_var_q, Tensor mu_p, Tensor log_var_p, Reduction reduction = Reduction.None)
    {
        using var scope = NewDisposeScope();
        var kl = 0.5 * (log_var_p - log_var_q + (log_var_q.exp() + (mu_q - mu_p).square()) / log_var_p.exp() - 1);
        return Reduce(kl, reduction).MoveToOuterDisposeScope();
    }

    /// <summary>log p(x) under Bernoulli(sigmoid(logits)), for x in [0, 1]: x * logits - softplus(logits) = -BCE-with-logits.</summary>
    public static Tensor bernoulli_log_prob(Tensor logits, Tensor x, Reduction reduction = Reduction.None)
    {
        using var scope = NewDisposeScope();
        var log_prob = -F.binary_cross_entropy_with_logits(logits, x, reduction: Reduction.None);
        return Reduce(log_prob, reduction).MoveToOuterDisposeScope();
    }

    /// <summary>
    /// log p(x) under the continuous Bernoulli (Loaiza-Ganem and Cunningham 2019) with lambda = sigmoid(logits),
    /// for x in [0, 1]: the Bernoulli term plus the log normaliser, so that the density integrates to 1 over [0, 1].
    /// </summary>
    public static Tensor continuous_bernoulli_log_prob(Tensor logits, Tensor x, Reduction reduction = Reduction.None)
    {
        using var scope = NewDisposeScope();
        var log_prob = -F.binary_cross_entropy_with_logits(logits, x, reduction: Reduction.None) + continuous_bernoulli_log_norm(logits);
        return Reduce(log_prob, reduction).MoveToOuterDisposeScope();
    }

    // Below this |logits| the log normaliser comes from its Taylor series, whose first omitted term is then under 1e-16.
    const double TaylorCutoff = 0.1;

    /// <summary>
    /// log C(lambda) of the continuous Bernoulli, with lambda = sigmoid(eta) and eta = logits. The textbook form
    /// C = 2 atanh(1 - 2 lambda) / (1 - 2 lambda) is 0/0 at lambda = 1/2; in logits it is C = eta / tanh(eta / 2),
    /// which is exact away from eta = 0 and never subtracts nearly equal probabilities. Near eta = 0 (where it is
    /// still 0/0, and its gradient 1/eta - 1/sinh(eta) cancels badly in float32) the series in x = eta / 2 is used:
    /// log C = log 2 + log(x coth x) = log 2 + x^2/3 - 7x^4/90 + 62x^6/2835 - 127x^8/18900 + O(x^10).
    /// </summary>
    public static Tensor continuous_bernoulli_log_norm(Tensor logits)
    {
        using var scope = NewDisposeScope();
        var small = logits.abs() < TaylorCutoff;
        // Each branch gets inputs on which it is finite, so that where() passes no NaN gradient from the other one.
        var eta = where(small, ones_like(logits), logits);
        var exact = (eta / (eta / 2).tanh()).log();
        var x2 = (logits.clamp(-TaylorCutoff, TaylorCutoff) / 2).square();
        var series = Math.Log(2) + x2 * (1.0 / 3 + x2 * (-7.0 / 90 + x2 * (62.0 / 2835 - x2 * (127.0 / 18900))));
        return where(small, series, exact).MoveToOuterDisposeScope();
    }

    /// <summary>Squared error (input - target)^2.</summary>
    public static Tensor mse(Tensor input, Tensor target, Reduction reduction = Reduction.None)
    {
        using var scope = NewDisposeScope();
        return Reduce((input - target).square(), reduction).MoveToOuterDisposeScope();
    }

    /// <summary>
    /// The evidence lower bound of each image in nats: log p(x|z) summed over the image minus the KL summed over
    /// the latent dims. Both arguments are per element with the batch in dim 0; the result has shape [B].
    /// </summary>
    public static Tensor elbo(Tensor log_likelihood, Tensor kl)
    {
        using var scope = NewDisposeScope();
        return (log_likelihood.flatten(1).sum(1) - kl.flatten(1).sum(1)).MoveToOuterDisposeScope();
    }

    /// <summary>Nats per image (a negative ELBO or log-likelihood) as bits per dimension: nats / (dims * ln 2).</summary>
    public static Tensor bits_per_dim(Tensor nats_per_image, long dims)
    {
        if (dims < 1) throw new ArgumentOutOfRangeException(nameof(dims), dims, "an image has at least one dimension");
        return nats_per_image / (dims * Math.Log(2));
    }

    static Tensor Reduce(Tensor values, Reduction reduction) => reduction switch
    {
        Reduction.None => values,
        Reduction.Mean => values.mean(),
        Reduction.Sum => values.sum(),
        _ => throw new ArgumentOutOfRangeException(nameof(reduction), reduction, "not a reduction"),
    };
}
