using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;
using F = TorchSharp.torch.nn.functional;
using Reduction = TorchSharp.torch.nn.Reduction;

namespace VaeLab.Models.Sketch;

/// <summary>One pen movement drawn from a mixture: the offsets (dt is 0 without a temporal part) and the pen state
/// (0 down, 1 lifted, 2 end of drawing).</summary>
public readonly record struct GmmSample(double dx, double dy, double dt, int pen);

/// <summary>
/// The output distribution of one or more decoder steps (every tensor has the steps' leading dims, then M or 3):
/// a mixture of M bivariate Gaussians over (dx, dy) with weights softmax(pi_logits), optionally a mixture of M
/// univariate Gaussians over dt sharing those weights (seed 001), and a categorical over the three pen states.
/// The sigmas and rho are final: exp and tanh applied, and the Tikhonov term already added.
/// </summary>
public sealed record Mixture(Tensor pi_logits, Tensor mu_x, Tensor mu_y, Tensor sigma_x, Tensor sigma_y, Tensor rho,
    Tensor pen_logits, Tensor? mu_t = null, Tensor? sigma_t = null)
{
    // magenta's guard against log(0) in the stroke cost.
    const double Epsilon = 1e-6;

    public bool temporal => mu_t is not null;

    /// <summary>
    /// magenta's L_s per step, without the mask: -log(sum_j pi_j N(dx, dy | mu_j, sigma_j, rho_j) + 1e-6), from the
    /// offsets in the leading columns of <paramref name="target"/> (rows of stroke-5 or stroke-6). With a temporal part,
    /// seed 001's -(0.5 log(p_xy + 1e-6) + 0.5 log(p_t + 1e-6)), p_t = sum_j pi_j N(dt | mu_t_j, sigma_t_j).
    /// </summary>
    public Tensor stroke_nll(Tensor target)
    {
        using var scope = NewDisposeScope();
        var pi = F.softmax(pi_logits, -1);
        var dx = target[TensorIndex.Ellipsis, 0..1];
        var dy = target[TensorIndex.Ellipsis, 1..2];
        var p_xy = (pi * bivariate_normal(dx, dy, mu_x, mu_y, sigma_x, sigma_y, rho)).sum(-1);
        if (mu_t is null) return (-(p_xy + Epsilon).log()).MoveToOuterDisposeScope();
        var dt = target[TensorIndex.Ellipsis, 2..3];
        var p_t = (pi * normal(dt, mu_t, sigma_t!)).sum(-1);
        return (-0.5 * ((p_xy + Epsilon).log() + (p_t + Epsilon).log())).MoveToOuterDisposeScope();
    }

    /// <summary>L_p per step: the cross entropy of the pen logits against the one-hot pen state in the last three
    /// columns of <paramref name="target"/>, end-of-drawing rows included.</summary>
    public Tensor pen_nll(Tensor target)
    {
        using var scope = NewDisposeScope();
        var labels = target[TensorIndex.Ellipsis, ^3..].argmax(-1);
        var loss = F.cross_entropy(pen_logits.reshape(-1, 3), labels.reshape(-1), reduction: Reduction.None);
        return loss.view(labels.shape).MoveToOuterDisposeScope();
    }

    /// <summary>
    /// The density of (x, y) under N((mu_x, mu_y), [[sx^2, rho sx sy], [rho sx sy, sy^2]]), as magenta's tf_2d_normal
    /// (Graves 2013, eqs. 24-25): exp(-Z / (2 (1 - rho^2))) / (2 pi sx sy sqrt(1 - rho^2)) with
    /// Z = ((x - mu_x) / sx)^2 + ((y - mu_y) / sy)^2 - 2 rho (x - mu_x)(y - mu_y) / (sx sy).
    /// </summary>
    public static Tensor bivariate_normal(Tensor x, Tensor y, Tensor mu_x, Tensor mu_y, Tensor sigma_x, Tensor sigma_y, Tensor rho)
    {
        using var scope = NewDisposeScope();
        var nx = (x - mu_x) / sigma_x;
        var ny = (y - mu_y) / sigma_y;
        var one_minus_rho2 = 1 - rho.square();
        var z = nx.square() + ny.square() - 2 * rho * nx * ny;
        var density = (-z / (2 * one_minus_rho2)).exp() / (2 * Math.PI * sigma_x * sigma_y * one_minus_rho2.sqrt());
        return density.MoveToOuterDisposeScope();
    }

    /// <summary>The density of x under N(mu, sigma^2).</summary>
    public static Tensor normal(Tensor x, Tensor mu, Tensor sigma)
    {
        using var scope = NewDisposeScope();
        var n = (x - mu) / sigma;
        return ((-0.5 * n.square()).exp() / (Math.Sqrt(2 * Math.PI) * sigma)).MoveToOuterDisposeScope();
    }

    /// <summary>
    /// One draw per row of a [B, M] mixture with temperature tau (Ha and Eck, section 3.3): the component and the pen
    /// state from softmax(logits / tau) (magenta's softmax(log(p) / tau)), the offsets from the chosen Gaussian with its
    /// sigmas scaled by sqrt(tau) (rho kept). All randomness comes from <paramref name="random"/>, in a fixed order per
    /// row (component, pen, then the normals), so a seeded Random reproduces a drawing exactly.
    /// </summary>
    public GmmSample[] sample(double temperature, Random random)
    {
        if (!(temperature > 0)) throw new ArgumentOutOfRangeException(nameof(temperature), temperature, "the temperature must be positive");
        if (pi_logits.dim() != 2) throw new ArgumentException($"sampling needs a [B, M] mixture, got pi_logits of shape [{string.Join(", ", pi_logits.shape)}]");
        var (batch, m) = ((int)pi_logits.size(0), (int)pi_logits.size(1));
        double[] Values(Tensor t)
        {
            using var values = t.detach().to(ScalarType.Float64, CPU);
            return values.data<double>().ToArray();
        }
        var (pi, pen, mx, my, sx, sy, r) = (Values(pi_logits), Values(pen_logits), Values(mu_x), Values(mu_y), Values(sigma_x), Values(sigma_y), Values(rho));
        var (mt, st) = mu_t is null ? (null, null) : (Values(mu_t), Values(sigma_t!));
        var scale = Math.Sqrt(temperature);
        var samples = new GmmSample[batch];
        for (var b = 0; b < batch; b++)
        {
            var j = b * m + Categorical(pi.AsSpan(b * m, m), temperature, random);
            var state = Categorical(pen.AsSpan(b * 3, 3), temperature, random);
            var (n1, n2) = (Gaussian(random), Gaussian(random));
            var dx = mx[j] + sx[j] * scale * n1;
            var dy = my[j] + sy[j] * scale * (r[j] * n1 + Math.Sqrt(1 - r[j] * r[j]) * n2);
            var dt = mt is null ? 0 : mt[j] + st![j] * scale * Gaussian(random);
            samples[b] = new GmmSample(dx, dy, dt, state);
        }
        return samples;
    }

    static int Categorical(ReadOnlySpan<double> logits, double temperature, Random random)
    {
        var max = double.NegativeInfinity;
        foreach (var l in logits) max = Math.Max(max, l);
        Span<double> weights = stackalloc double[logits.Length];
        var total = 0.0;
        for (var i = 0; i < logits.Length; i++) total += weights[i] = Math.Exp((logits[i] - max) / temperature);
        var u = random.NextDouble() * total;
        for (var i = 0; i < weights.Length; i++)
        {
            u -= weights[i];
            if (u < 0) return i;
        }
        return weights.Length - 1;
    }

    /// <summary>A standard normal by the Box-Muller transform (1 - U keeps the logarithm finite).</summary>
    internal static double Gaussian(Random random) =>
        Math.Sqrt(-2 * Math.Log(1 - random.NextDouble())) * Math.Cos(2 * Math.PI * random.NextDouble());
}

/// <summary>
/// The mixture density output layer shared by the plain and the timing-aware Sketch-RNN: a linear map from the
/// decoder's hidden state to the mixture's parameters, in blocks of M (and 3 for the pen):
/// [pi, mu_x, mu_y, sigma_x, sigma_y, rho, pen] (6M + 3), or with the temporal part seed 001's
/// [pi, mu_dx, mu_dy, mu_dt, sigma_dx, sigma_dy, sigma_dt, rho, pen] (8M + 3). (magenta puts the pen logits first;
/// seed 003 interleaves the six values per component; the blocks here follow the task and seed 001.)
/// Its parameters are named weight and bias, so a decoder field fc_params gives seed 003's keys.
/// </summary>
public sealed class GmmHead : nn.Module<Tensor, Mixture>
{
    public readonly Parameter weight;
    public readonly Parameter bias;

    public long num_mixture { get; }
    public bool temporal { get; }
    public double reg_covar { get; }

    public GmmHead(long in_features, long num_mixture, bool temporal, double reg_covar = 0) : base(nameof(GmmHead))
    {
        if (num_mixture < 1) throw new ArgumentOutOfRangeException(nameof(num_mixture), num_mixture, "a mixture needs at least one component");
        if (!(reg_covar >= 0)) throw new ArgumentOutOfRangeException(nameof(reg_covar), reg_covar, "the Tikhonov term must be >= 0");
        (this.num_mixture, this.temporal, this.reg_covar) = (num_mixture, temporal, reg_covar);
        weight = new Parameter(empty(output_size, in_features));
        bias = new Parameter(empty(output_size));
        // PyTorch's default init of a Linear(in_features, output_size).
        nn.init.kaiming_uniform_(weight, a: Math.Sqrt(5));
        nn.init.uniform_(bias, -1 / Math.Sqrt(in_features), 1 / Math.Sqrt(in_features));
        RegisterComponents();
    }

    public long output_size => (temporal ? 8 : 6) * num_mixture + 3;

    public override Mixture forward(Tensor h) => split(F.linear(h, weight, bias));

    /// <summary>The mixture from raw outputs [..., output_size]: softmax-ready pi logits, exp sigmas, tanh rho, then the
    /// Tikhonov term on the spatial sigmas (seed 001), which keeps the covariance sigma_x sigma_y rho off the diagonal.</summary>
    public Mixture split(Tensor raw)
    {
        if (raw.size(-1) != output_size)
            throw new ArgumentException($"the mixture head expects {output_size} outputs in the last dim, got shape [{string.Join(", ", raw.shape)}]", nameof(raw));
        var m = num_mixture;
        var blocks = raw.split([.. Enumerable.Repeat(m, temporal ? 8 : 6), 3], -1);
        var (pi, mu_x, mu_y) = (blocks[0], blocks[1], blocks[2]);
        var (mu_t, at) = temporal ? (blocks[3], 1) : (null, 0);
        var sigma_x = blocks[3 + at].exp();
        var sigma_y = blocks[4 + at].exp();
        var sigma_t = temporal ? blocks[6].exp() : null;
        var rho = blocks[5 + 2 * at].tanh();
        if (reg_covar > 0)
        {
            var reg_x = (sigma_x.square() + reg_covar).sqrt();
            var reg_y = (sigma_y.square() + reg_covar).sqrt();
            rho = rho * sigma_x * sigma_y / (reg_x * reg_y);
            (sigma_x, sigma_y) = (reg_x, reg_y);
        }
        return new Mixture(pi, mu_x, mu_y, sigma_x, sigma_y, rho, blocks[^1], mu_t, sigma_t);
    }

    public override string ToString() => $"GmmHead({weight.size(1)}, {output_size}, num_mixture={num_mixture}, temporal={temporal}, reg_covar={reg_covar})";
}
