namespace VaeLab.Tests.Models.Sketch;

/// <summary>The mixture head's likelihoods and the Sketch-RNN cost against PyTorch (sketch.json) and closed forms, and its sampling.</summary>
[Collection(TrainingSerial.Name)]
public class GmmTests
{
    static Mixture Split(RecordedFixture c, bool temporal, double reg_covar = 0) =>
        new GmmHead(4, (long)c.Arg("num_mixture"), temporal, reg_covar).split(c.Input("raw"));

    static void AssertScalar(RecordedFixture c, string name, Tensor actual) =>
        TensorAssert.Close(c.Output(name), actual, 1e-10, 1e-12, name);

    [Theory]
    [InlineData("magenta", false)]
    [InlineData("magenta_tolerance", false)]
    [InlineData("temporal", true)]
    [InlineData("temporal_tikhonov", true)]
    public void TheCostMatchesPyTorch(string name, bool temporal)
    {
        using var scope = NewDisposeScope();
        var c = RecordedFixture.Load("sketch.json", name);
        var mixture = Split(c, temporal, temporal ? c.Arg("reg_covar") : 0);
        var (target, mask) = (c.Input("target"), c.Input("mask"));
        TensorAssert.Close(c.Output("ls"), mixture.stroke_nll(target), 1e-10, 1e-12, "L_s");
        TensorAssert.Close(c.Output("lp"), mixture.pen_nll(target), 1e-10, 1e-12, "L_p");

        var (w, tolerance) = (c.Arg("kl_weight"), c.Arg("kl_tolerance"));
        var train = SketchRnn.loss(mixture, target, mask, c.Input("mu"), c.Input("logvar"), w, tolerance);
        AssertScalar(c, "recon", train["recon"]);
        AssertScalar(c, "kl", train["kl"]);
        AssertScalar(c, "loss", train["loss"]);
        Assert.Equal(train["recon"].ToDouble(), train["stroke"].ToDouble() + train["pen"].ToDouble(), 12);
        var eval = SketchRnn.loss(mixture, target, mask, c.Input("mu"), c.Input("logvar"), w, tolerance, mask_pen: true);
        AssertScalar(c, "loss_eval", eval["loss"]);
    }

    [Fact]
    public void TheKlBelowTheToleranceCostsTheToleranceAndHasNoGradient()
    {
        using var scope = NewDisposeScope();
        var c = RecordedFixture.Load("sketch.json", "magenta_tolerance");
        var mu = c.Input("mu").requires_grad_();
        var losses = SketchRnn.loss(Split(c, false), c.Input("target"), c.Input("mask"), mu, c.Input("logvar"), 0.37, 0.2);
        Assert.True(losses["kl"].ToDouble() < 0.2);
        Assert.Equal(losses["recon"].ToDouble() + 0.37 * 0.2, losses["loss"].ToDouble(), 12);
        losses["loss"].backward();
        Assert.Equal(0, mu.grad!.abs().sum().ToDouble());
    }

    /// <summary>Raw head outputs [1, 1, size] for one component: the blocks in order, then the pen logits.</summary>
    static Tensor Raw(params double[] values) => tensor(values, [1, 1, values.Length]);

    static double Normal(double x, double mu, double sigma) => Math.Exp(-0.5 * Math.Pow((x - mu) / sigma, 2)) / (Math.Sqrt(2 * Math.PI) * sigma);

    [Fact]
    public void OneComponentWithoutCorrelationIsAProductOfTwoNormals()
    {
        using var scope = NewDisposeScope();
        var (mx, my, sx, sy) = (0.3, -0.2, 0.7, 1.3);
        // pi, mu_x, mu_y, log sigma_x, log sigma_y, atanh(rho) = 0, pen logits
        var mixture = new GmmHead(4, 1, temporal: false).split(Raw(2.5, mx, my, Math.Log(sx), Math.Log(sy), 0, 0.1, 0.2, 0.3));
        var (dx, dy) = (0.9, 0.4);
        var expected = -Math.Log(Normal(dx, mx, sx) * Normal(dy, my, sy) + 1e-6);
        Assert.Equal(expected, mixture.stroke_nll(tensor(new[] { dx, dy, 1, 0, 0 }, [1, 1, 5])).ToDouble(), 12);
    }

    [Fact]
    public void TheTemporalCostAveragesTheSpatialAndTemporalLogLikelihoods()
    {
        using var scope = NewDisposeScope();
        var (mx, my, mt, sx, sy, st) = (0.3, -0.2, 1.5, 0.7, 1.3, 0.4);
        var mixture = new GmmHead(4, 1, temporal: true).split(Raw(0, mx, my, mt, Math.Log(sx), Math.Log(sy), Math.Log(st), 0, 0, 0, 0));
        var (dx, dy, dt) = (0.9, 0.4, 1.2);
        var expected = -(0.5 * Math.Log(Normal(dx, mx, sx) * Normal(dy, my, sy) + 1e-6) + 0.5 * Math.Log(Normal(dt, mt, st) + 1e-6));
        Assert.Equal(expected, mixture.stroke_nll(tensor(new[] { dx, dy, dt, 1, 0, 0 }, [1, 1, 6])).ToDouble(), 12);
    }

    [Fact]
    public void TheTikhonovTermAddsToTheVariancesAndKeepsTheCovariance()
    {
        using var scope = NewDisposeScope();
        var (sx, sy, rho, alpha) = (0.05, 0.2, 0.9, 0.01);
        var m = new GmmHead(4, 1, temporal: false, reg_covar: alpha).split(Raw(0, 0, 0, Math.Log(sx), Math.Log(sy), Math.Atanh(rho), 0, 0, 0));
        Assert.Equal(sx * sx + alpha, Math.Pow(m.sigma_x.ToDouble(), 2), 12);
        Assert.Equal(sy * sy + alpha, Math.Pow(m.sigma_y.ToDouble(), 2), 12);
        Assert.Equal(rho * sx * sy, m.rho.ToDouble() * m.sigma_x.ToDouble() * m.sigma_y.ToDouble(), 12);
    }

    /// <summary>B copies of one step's raw outputs, so one sample() call gives B independent draws.</summary>
    static Mixture Repeated(GmmHead head, double[] raw, int batch)
    {
        using var row = tensor(raw, [1, raw.Length]);
        return head.split(row.expand(batch, raw.Length));
    }

    [Fact]
    public void ATinyTemperatureWithADominantComponentDrawsItsMean()
    {
        using var scope = NewDisposeScope();
        var head = new GmmHead(4, 3, temporal: true);
        // pi, mu_x, mu_y, mu_t, log sigma_x, log sigma_y, log sigma_t, atanh rho: three components each; then the pen.
        double[] raw = [4, 0, 0, 1.5, -2, 3, -0.7, 0.2, 0, 2.5, 1, -1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0.3, 0.3, 0.3, 0, 5, 0];
        foreach (var draw in Repeated(head, raw, 50).sample(1e-6, new Random(3)))
        {
            Assert.Equal(1.5, draw.dx, 0.01);
            Assert.Equal(-0.7, draw.dy, 0.01);
            Assert.Equal(2.5, draw.dt, 0.01);
            Assert.Equal(1, draw.pen);
        }
    }

    [Fact]
    public void DrawsFollowTheMixtureRetemperedAsTheSpecSays()
    {
        using var scope = NewDisposeScope();
        const double tau = 0.5;
        const int n = 40000;
        var head = new GmmHead(4, 2, temporal: true);
        double[] pi = [0.4, -0.3], mx = [1, -1], my = [0.5, -0.5], mt = [2, 3], sx = [0.6, 0.9], sy = [0.8, 0.5], st = [0.3, 0.7], rho = [0.6, -0.4], pen = [0.2, -0.5, 0.1];
        double[] raw = [.. pi, .. mx, .. my, .. mt, .. sx.Select(v => Math.Log(v)), .. sy.Select(v => Math.Log(v)), .. st.Select(v => Math.Log(v)), .. rho.Select(v => Math.Atanh(v)), .. pen];
        var draws = Repeated(head, raw, n).sample(tau, new Random(11));

        // Components and pen states: softmax(logits / tau); each Gaussian's covariance scales by tau.
        double[] Tempered(double[] logits)
        {
            var e = logits.Select(l => Math.Exp(l / tau)).ToArray();
            return e.Select(v => v / e.Sum()).ToArray();
        }
        var w = Tempered(pi);
        double Mean(Func<int, double> f) => w[0] * f(0) + w[1] * f(1);
        var (ex, ey, et) = (Mean(j => mx[j]), Mean(j => my[j]), Mean(j => mt[j]));
        var vx = Mean(j => tau * sx[j] * sx[j] + mx[j] * mx[j]) - ex * ex;
        var vy = Mean(j => tau * sy[j] * sy[j] + my[j] * my[j]) - ey * ey;
        var vt = Mean(j => tau * st[j] * st[j] + mt[j] * mt[j]) - et * et;
        var cxy = Mean(j => tau * rho[j] * sx[j] * sy[j] + mx[j] * my[j]) - ex * ey;

        var (dx, dy, dt) = (draws.Select(d => d.dx).ToArray(), draws.Select(d => d.dy).ToArray(), draws.Select(d => d.dt).ToArray());
        Assert.Equal(ex, dx.Average(), 4 * Math.Sqrt(vx / n));
        Assert.Equal(ey, dy.Average(), 4 * Math.Sqrt(vy / n));
        Assert.Equal(et, dt.Average(), 4 * Math.Sqrt(vt / n));
        Assert.Equal(vx, Variance(dx, dx), 0.05 * vx);
        Assert.Equal(vy, Variance(dy, dy), 0.05 * vy);
        Assert.Equal(vt, Variance(dt, dt), 0.05 * vt);
        Assert.Equal(cxy, Variance(dx, dy), 0.05 * Math.Abs(cxy));
        var penShare = Tempered(pen);
        for (var state = 0; state < 3; state++)
            Assert.Equal(penShare[state], draws.Count(d => d.pen == state) / (double)n, 0.015);
    }

    static double Variance(double[] a, double[] b)
    {
        var (ma, mb) = (a.Average(), b.Average());
        return a.Zip(b).Sum(p => (p.First - ma) * (p.Second - mb)) / a.Length;
    }

    [Fact]
    public void DrawsAreReproducibleFromTheSeed()
    {
        using var scope = NewDisposeScope();
        var head = new GmmHead(4, 3, temporal: false);
        using var h = randn(6, 4);
        var mixture = head.call(h);
        Assert.Equal(mixture.sample(0.7, new Random(5)), mixture.sample(0.7, new Random(5)));
        Assert.NotEqual(mixture.sample(0.7, new Random(5)), mixture.sample(0.7, new Random(6)));
    }

    [Fact]
    public void TheHeadChecksItsInputs()
    {
        using var scope = NewDisposeScope();
        var head = new GmmHead(4, 3, temporal: false);
        using var wrong = zeros(2, 20);
        Assert.Contains("21 outputs", Assert.Throws<ArgumentException>(() => head.split(wrong)).Message);
        using var h = zeros(2, 4);
        Assert.Throws<ArgumentOutOfRangeException>(() => head.call(h).sample(0, new Random(0)));
    }
}
