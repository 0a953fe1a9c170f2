namespace VaeLab.Tests.Torch;

[Collection(TrainingSerial.Name)]
public class LayerNormLstmCellTests
{
    /// <summary>
    /// Sketch-RNN's layer-norm LSTM step on plain arrays, one batch row and one gate at a time (gate blocks i, f, g,
    /// o). With dropCandidate the candidate tanh(g) is taken as fully dropped.
    /// </summary>
    static (double[] h, double[] c) Reference(LayerNormLSTMCell cell, Tensor xs, Tensor hs, Tensor cs, bool dropCandidate = false)
    {
        double[] Values(Tensor t) => t.data<double>().ToArray();
        var (x, h, c) = (Values(xs), Values(hs), Values(cs));
        int I = (int)cell.input_size, H = (int)cell.hidden_size, batch = x.Length / I;
        var (wIh, wHh) = (Values(cell.weight_ih), Values(cell.weight_hh));
        var (gateGain, gateShift) = (Values(cell.gate_norm_weight), Values(cell.gate_norm_bias));
        var (cellGain, cellShift) = (Values(cell.cell_norm_weight), Values(cell.cell_norm_bias));
        var (hOut, cOut) = (new double[batch * H], new double[batch * H]);
        for (var b = 0; b < batch; b++)
        {
            var gate = new double[4][];
            for (var k = 0; k < 4; k++)
            {
                var pre = new double[H];
                for (var u = 0; u < H; u++)
                {
                    var row = k * H + u;
                    for (var j = 0; j < I; j++) pre[u] += wIh[row * I + j] * x[b * I + j];
                    for (var j = 0; j < H; j++) pre[u] += wHh[row * H + j] * h[b * H + j];
                }
                gate[k] = Normalise(pre, gateGain[(k * H)..((k + 1) * H)], gateShift[(k * H)..((k + 1) * H)], cell.eps);
            }
            var cNew = new double[H];
            for (var u = 0; u < H; u++)
            {
                var candidate = dropCandidate ? 0 : Math.Tanh(gate[2][u]);
                cNew[u] = Sigmoid(gate[1][u] + cell.forget_bias) * c[b * H + u] + Sigmoid(gate[0][u]) * candidate;
            }
            var cNorm = Normalise(cNew, cellGain, cellShift, cell.eps);
            for (var u = 0; u < H; u++)
            {
                cOut[b * H + u] = cNew[u];
                hOut[b * H + u] = Sigmoid(gate[3][u]) * Math.Tanh(cNorm[u]);
            }
        }
        return (hOut, cOut);
    }

    static double Sigmoid(double v) => 1 / (1 + Math.Exp(-v));

    static double[] Normalise(double[] v, double[] gain, double[] shift, double eps)
    {
        var mean = v.Average();
        var variance = v.Select(e => (e - mean) * (e - mean)).Average();
        return v.Select((e, u) => gain[u] * (e - mean) / Math.Sqrt(variance + eps) + shift[u]).ToArray();
    }

    static LayerNormLSTMCell RandomCell(double forget_bias = 0.7, double dropout = 0.1)
    {
        var cell = new LayerNormLSTMCell(3, 4, forget_bias: forget_bias, dropout: dropout);
        cell.to(float64);
        // Randomise the norms too, so that the reference checks where each gain and shift applies.
        using (no_grad())
            foreach (var p in cell.parameters()) p.uniform_(-1, 1);
        return cell;
    }

    static void AssertMatches((double[] h, double[] c) expected, (Tensor h, Tensor c) actual)
    {
        TensorAssert.Close(tensor(expected.h, actual.h.shape), actual.h, rtol: 1e-10, atol: 1e-12, what: "h'");
        TensorAssert.Close(tensor(expected.c, actual.c.shape), actual.c, rtol: 1e-10, atol: 1e-12, what: "c'");
    }

    [Fact]
    public void InEvalModeItComputesTheSketchRnnEquations()
    {
        manual_seed(21);
        using var cell = RandomCell();
        cell.eval();
        using var scope = NewDisposeScope();
        var (x, h, c) = (randn([5, 3], float64), randn([5, 4], float64), randn([5, 4], float64));
        AssertMatches(Reference(cell, x, h, c), cell.call(x, (h, c)));
        AssertMatches(Reference(cell, x, zeros_like(h), zeros_like(c)), cell.call(x));
    }

    [Fact]
    public void RecurrentDropoutDropsTheCandidateOnly()
    {
        manual_seed(22);
        using var cell = RandomCell(dropout: 1.0);
        using var scope = NewDisposeScope();
        var (x, h, c) = (randn([2, 3], float64), randn([2, 4], float64), randn([2, 4], float64));
        AssertMatches(Reference(cell, x, h, c, dropCandidate: true), cell.call(x, (h, c)));
    }

    [Fact]
    public void RecurrentDropoutIsRandomInTrainingAndOffInEval()
    {
        manual_seed(23);
        using var cell = RandomCell(dropout: 0.5);
        using var scope = NewDisposeScope();
        var (x, h, c) = (randn([4, 3], float64), randn([4, 4], float64), randn([4, 4], float64));
        (Tensor h, Tensor c) Run(long seed)
        {
            manual_seed(seed);
            return cell.call(x, (h, c));
        }
        Assert.False(Run(1).c.allclose(Run(2).c));
        Assert.True(Run(1).c.allclose(Run(1).c, rtol: 0, atol: 0));
        Assert.True(Run(1).h.allclose(Run(1).h, rtol: 0, atol: 0));
        cell.eval();
        Assert.True(Run(1).c.allclose(Run(2).c, rtol: 0, atol: 0));
        AssertMatches(Reference(cell, x, h, c), Run(3));
    }

    [Fact]
    public void GradientsMatchFiniteDifferences()
    {
        manual_seed(24);
        using var cell = RandomCell(dropout: 0.1);
        cell.eval();
        using var scope = NewDisposeScope();
        Tensor[] inputs = [GradCheck.Input(2, 3), GradCheck.Input(2, 4), GradCheck.Input(2, 4), .. cell.parameters()];
        GradCheck.Check(i =>
        {
            var (h, c) = cell.forward(i[0], (i[1], i[2]));
            return cat([h, c]);
        }, inputs);
    }

    [Fact]
    public void DefaultsAndInitFollowMagenta()
    {
        manual_seed(25);
        using var cell = new LayerNormLSTMCell(5, 8);
        using var scope = NewDisposeScope();
        Assert.Equal((1.0, 0.1, 1e-3), (cell.forget_bias, cell.dropout, cell.eps));
        Assert.Equal(
            [("weight_ih", new long[] { 32, 5 }), ("weight_hh", [32, 8]), ("gate_norm_weight", [32]), ("gate_norm_bias", [32]),
             ("cell_norm_weight", [8]), ("cell_norm_bias", [8])],
            cell.state_dict().Select(e => (e.Key, e.Value.shape)));
        foreach (var block in cell.weight_hh.detach().chunk(4))
            TensorAssert.Close(eye(8), block.matmul(block.t()), atol: 1e-5, what: "W_hh gate block times its transpose");
        var bound = Math.Sqrt(6.0 / (32 + 5));
        var weight_ih = cell.weight_ih.data<float>().ToArray();
        Assert.All(weight_ih, v => Assert.InRange(v, -bound, bound));
        Assert.True(weight_ih.Max() > 0.8 * bound && weight_ih.Min() < -0.8 * bound, "weight_ih should spread over the whole Glorot interval");
        Assert.All(cell.gate_norm_weight.data<float>().Concat(cell.cell_norm_weight.data<float>()), v => Assert.Equal(1f, v));
        Assert.All(cell.gate_norm_bias.data<float>().Concat(cell.cell_norm_bias.data<float>()), v => Assert.Equal(0f, v));
    }

    [Fact]
    public void UnbatchedInputEqualsABatchOfOne()
    {
        manual_seed(26);
        using var cell = RandomCell();
        cell.eval();
        using var scope = NewDisposeScope();
        var (x, h0, c0) = (randn([3], float64), randn([4], float64), randn([4], float64));
        var (h, c) = cell.call(x, (h0, c0));
        var (hBatched, cBatched) = cell.call(x.unsqueeze(0), (h0.unsqueeze(0), c0.unsqueeze(0)));
        Assert.Equal([4L], h.shape);
        TensorAssert.Close(hBatched.squeeze(0), h);
        TensorAssert.Close(cBatched.squeeze(0), c);
    }

    [Fact]
    public void BadArgumentsGiveClearErrors()
    {
        using var cell = new LayerNormLSTMCell(3, 4);
        using var scope = NewDisposeScope();
        Assert.Equal("input", Assert.Throws<ArgumentException>(() => cell.call(randn(2, 5))).ParamName);
        Assert.Contains("expected input_size = 3", Assert.Throws<ArgumentException>(() => cell.call(randn(2, 5))).Message);
        Assert.Contains("2-D (batched) or 1-D", Assert.Throws<ArgumentException>(() => cell.call(randn(2, 2, 3))).Message);
        Assert.Contains("input is Float64", Assert.Throws<ArgumentException>(() => cell.call(randn([2, 3], float64))).Message);
        var badState = Assert.Throws<ArgumentException>(() => cell.call(randn(2, 3), (zeros(2, 4), zeros(2, 3))));
        Assert.Equal("state", badState.ParamName);
        Assert.Contains("state c has shape [2, 3], expected [2, 4]", badState.Message);
        Assert.Equal("dropout", Assert.Throws<ArgumentOutOfRangeException>(() => new LayerNormLSTMCell(3, 4, dropout: 1.5)).ParamName);
        Assert.Equal("eps", Assert.Throws<ArgumentOutOfRangeException>(() => new LayerNormLSTMCell(3, 4, eps: 0)).ParamName);
    }
}
