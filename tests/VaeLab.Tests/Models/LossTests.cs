using Reduction = TorchSharp.torch.nn.Reduction;

namespace VaeLab.Tests.Models;

[Collection(TrainingSerial.Name)]
public class LossTests
{
    const string File = "losses.json";

    [Fact]
    public void KlOfIdenticalGaussiansIsZero()
    {
        using var scope = NewDisposeScope();
        var mu = randn([4, 5], float64) * 3;
        var log_var = randn([4, 5], float64) * 2;
        var kl = Losses.gaussian_kl(mu, log_var, mu, log_var);
        Assert.Equal([4L, 5L], kl.shape);
        Assert.True(kl.abs().max().ToDouble() < 1e-15);
    }

    [Fact]
    public void KlOfAUnitGaussianToTheStandardOneIsHalfTheSquaredMean()
    {
        using var scope = NewDisposeScope();
        var mu = randn([3, 7], float64) * 2;
        var expected = mu.square() / 2;
        TensorAssert.Close(expected, Losses.gaussian_kl(mu, zeros_like(mu)), 1e-14, 1e-15, "KL(N(mu, 1) || N(0, 1))");
        TensorAssert.Close(expected, Losses.gaussian_kl(mu, zeros_like(mu), zeros_like(mu), zeros_like(mu)), 1e-14, 1e-15,
            "KL(N(mu, 1) || N(0, 1)) by the two-Gaussian form");
    }

    [Fact]
    public void KlMatchesTorchDistributions()
    {
        using var scope = NewDisposeScope();
        var c = RecordedFixture.Load(File, "normal_kl");
        var (mu_q, log_var_q) = (c.Input("mu_q"), c.Input("log_var_q"));
        TensorAssert.Close(c.Output("kl"), Losses.gaussian_kl(mu_q, log_var_q, c.Input("mu_p"), c.Input("log_var_p")), 1e-12, 1e-14, "KL(q || p)");
        TensorAssert.Close(c.Output("kl_standard"), Losses.gaussian_kl(mu_q, log_var_q), 1e-12, 1e-14, "KL(q || N(0, 1))");
    }

    [Fact]
    public void ReductionsSumAverageOrAverageOverTheBatch()
    {
        using var scope = NewDisposeScope();
        var mu = randn([4, 6], float64);
        var log_var = randn([4, 6], float64);
        var kl = Losses.gaussian_kl(mu, log_var);
        var total = kl.sum().ToDouble();
        Assert.Equal(total, Losses.gaussian_kl(mu, log_var, Reduction.Sum).ToDouble(), 12);
        Assert.Equal(total / 24, Losses.gaussian_kl(mu, log_var, Reduction.Mean).ToDouble(), 12);
        var x = rand([4, 1, 3, 3], float64);
        var y = rand([4, 1, 3, 3], float64);
        Assert.Equal((x - y).square().sum().ToDouble(), Losses.mse(x, y, Reduction.Sum).ToDouble(), 12);
    }

    [Fact]
    public void BernoulliLogProbMatchesTorchDistributions()
    {
        using var scope = NewDisposeScope();
        var c = RecordedFixture.Load(File, "bernoulli");
        TensorAssert.Close(c.Output("log_prob"), Losses.bernoulli_log_prob(c.Input("logits"), c.Input("x")), 1e-12, 1e-12, "Bernoulli log_prob");
    }

    [Fact]
    public void ContinuousBernoulliMatchesTorchDistributions()
    {
        using var scope = NewDisposeScope();
        var c = RecordedFixture.Load(File, "continuous_bernoulli");
        var logits = c.Input("logits");
        // PyTorch works from probabilities, which loses about 1e-9 near |logits| = 15; we work from logits.
        TensorAssert.Close(c.Output("log_norm"), Losses.continuous_bernoulli_log_norm(logits), 1e-9, 1e-9, "log normaliser");
        TensorAssert.Close(c.Output("log_prob"), Losses.continuous_bernoulli_log_prob(logits, c.Input("x")), 1e-9, 1e-9, "log_prob");
    }

    [Theory]
    [InlineData(-30.0)]
    [InlineData(-5.0)]
    [InlineData(-0.5)]
    [InlineData(-0.1)]
    [InlineData(-1e-4)]
    [InlineData(0.0)]
    [InlineData(1e-4)]
    [InlineData(0.0999)]
    [InlineData(0.1001)]
    [InlineData(2.0)]
    [InlineData(30.0)]
    public void ContinuousBernoulliDensityIntegratesToOne(double eta)
    {
        using var scope = NewDisposeScope();
        const int Intervals = 4000;
        var x = linspace(0, 1, Intervals + 1, float64);
        var density = Losses.continuous_bernoulli_log_prob(full_like(x, eta), x).exp().data<double>().ToArray();
        // Simpson's rule: weights 1, 4, 2, 4, ..., 4, 1 times h / 3.
        var integral = density.Select((f, i) => f * (i == 0 || i == Intervals ? 1 : i % 2 == 1 ? 4 : 2)).Sum() / (3.0 * Intervals);
        Assert.True(Math.Abs(integral - 1) < 1e-9, $"the density integrates to {integral:R} at logits {eta}");
    }

    [Theory]
    [InlineData(1e-3)]
    [InlineData(0.01)]
    [InlineData(0.05)]
    [InlineData(0.0999)]
    [InlineData(-0.07)]
    public void ContinuousBernoulliSeriesNearOneHalfAgreesWithTheClosedForm(double eta)
    {
        // In float64, log(eta / tanh(eta / 2)) is accurate to a few ulps down to eta = 1e-3: an independent check of the series.
        using var scope = NewDisposeScope();
        var expected = Math.Log(eta / Math.Tanh(eta / 2));
        var actual = Losses.continuous_bernoulli_log_norm(full([1], eta, float64)).ToDouble();
        Assert.True(Math.Abs(actual - expected) < 1e-14, $"log C at logits {eta}: {actual:R}, closed form {expected:R}");
    }

    [Fact]
    public void ContinuousBernoulliGradientMatchesFiniteDifferences()
    {
        using var scope = NewDisposeScope();
        double[] etas = [-3, -0.1001, -0.0999, -1e-3, 0, 1e-3, 0.0999, 0.1001, 2];
        var x = rand([etas.Length], float64);
        var logits = tensor(etas).requires_grad_();
        Losses.continuous_bernoulli_log_prob(logits, x).sum().backward();
        var analytic = logits.grad!.data<double>().ToArray();
        var xs = x.data<double>().ToArray();
        for (var i = 0; i < etas.Length; i++)
        {
            const double h = 1e-5;
            double F(double eta) => Losses.continuous_bernoulli_log_prob(full([1], eta, float64), full([1], xs[i], float64)).ToDouble();
            var numeric = (F(etas[i] + h) - F(etas[i] - h)) / (2 * h);
            Assert.True(Math.Abs(analytic[i] - numeric) < 1e-8, $"d log p / d logits at {etas[i]}: autograd {analytic[i]:R}, finite difference {numeric:R}");
        }
    }

    [Fact]
    public void ContinuousBernoulliGradientIsFiniteAtOneHalfInFloat32()
    {
        // At logits 0 the exact branch is 0/0; its NaN must not leak into the gradient through where().
        using var scope = NewDisposeScope();
        var logits = zeros([5], float32).requires_grad_();
        var x = tensor(new float[] { 0, 0.25f, 0.5f, 0.75f, 1 });
        Losses.continuous_bernoulli_log_prob(logits, x).sum().backward();
        // d/d eta [x eta - softplus(eta) + log C(eta)] at 0 is x - 1/2, as log C is even.
        TensorAssert.Close((x - 0.5).to(float64), logits.grad!.to(float64), 0, 1e-7, "gradient at logits 0");
    }

    [Fact]
    public void ElboIsTheLikelihoodMinusTheKlPerImage()
    {
        using var scope = NewDisposeScope();
        var log_px = full([2, 1, 4, 4], -0.5, float64);
        var kl = full([2, 3], 2.0, float64);
        TensorAssert.Close(full([2], -8.0 - 6.0, float64), Losses.elbo(log_px, kl), 0, 1e-15, "ELBO");
        // 784 dims at ln 2 nats each is one bit per dim.
        Assert.Equal(1.0, Losses.bits_per_dim(full([1], 784 * Math.Log(2), float64), 784).ToDouble(), 14);
        Assert.Throws<ArgumentOutOfRangeException>(() => Losses.bits_per_dim(ones(1), 0));
    }
}
