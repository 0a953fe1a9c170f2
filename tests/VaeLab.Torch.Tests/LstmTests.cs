using System.Text.Json;
using VaeLab.Torch.Modules;

namespace VaeLab.Torch.Tests;

[Collection(ProcessWideState.Name)]
public class LstmTests
{
    static readonly FixtureFile Fixture = FixtureFile.Load("lstm.json");

    public static IEnumerable<object[]> LstmCases => Fixture.Names.Where(n => n.StartsWith("lstm_")).Select(n => new object[] { n });

    static LSTM FromArgs(FixtureCase c) => new(
        c.Arg("input_size").GetInt64(), c.Arg("hidden_size").GetInt64(), c.Arg("num_layers").GetInt64(), c.Arg("bias").GetBoolean(),
        c.Arg("batch_first").GetBoolean(), Optional(c, "dropout")?.GetDouble() ?? 0, c.Arg("bidirectional").GetBoolean());

    static JsonElement? Optional(FixtureCase c, string key) => c.HasArg(key) ? c.Arg(key) : null;

    internal static Dictionary<string, Tensor> StateOf(FixtureCase c) =>
        c.Arg("state_keys").EnumerateArray().Select(k => k.GetString()!).ToDictionary(k => k, k => c.Input($"state.{k}"));

    [Theory, MemberData(nameof(LstmCases))]
    public void OutputsStatesAndGradientsMatchPyTorch(string name)
    {
        var c = Fixture[name];
        using var lstm = FromArgs(c);
        using var scope = NewDisposeScope();
        lstm.load_state_dict(StateOf(c));
        var input = c.Input("input").requires_grad_();
        (Tensor h, Tensor c)? state = c.InputNames.Contains("h0") ? (c.Input("h0"), c.Input("c0")) : null;
        // With dropout the fixture drew its masks right after this seed.
        if (Optional(c, "seed") is { } seed) manual_seed(seed.GetInt64());
        var (output, (h, cell)) = c.InputNames.Contains("lengths") ? lstm.call(input, c.Input("lengths"), state) : lstm.call(input, state);

        TensorAssert.Close(c.Output("output"), output, rtol: 1e-4, atol: 1e-6, what: "output");
        TensorAssert.Close(c.Output("h_n"), h, rtol: 1e-4, atol: 1e-6, what: "h_n");
        TensorAssert.Close(c.Output("c_n"), cell, rtol: 1e-4, atol: 1e-6, what: "c_n");

        var loss = (output * c.Input("p_out")).sum() + (h * c.Input("p_h")).sum() + (cell * c.Input("p_c")).sum();
        var weightName = c.Arg("grad_weight").GetString();
        var weight = lstm.named_parameters().Single(p => p.name == weightName).parameter;
        var grads = autograd.grad([loss], [input, weight]);
        TensorAssert.Close(c.Output("grad_input"), grads[0]!, rtol: 1e-4, atol: 1e-5, what: "grad input");
        TensorAssert.Close(c.Output("grad_weight"), grads[1]!, rtol: 1e-4, atol: 1e-5, what: $"grad {weightName}");
    }

    [Theory, MemberData(nameof(LstmCases))]
    public void StateDictKeysAndShapesMatchPyTorch(string name)
    {
        var c = Fixture[name];
        using var lstm = FromArgs(c);
        using var scope = NewDisposeScope();
        var expected = StateOf(c);
        var actual = lstm.state_dict();
        Assert.Equal(expected.Keys, actual.Keys);
        foreach (var (key, value) in expected) Assert.Equal(value.shape, actual[key].shape);
    }

    [Fact]
    public void DefaultInitIsUniformWithinOneOverSqrtHidden()
    {
        manual_seed(11);
        using var lstm = nn.LSTM(5, 16, num_layers: 2, bidirectional: true);
        var all = lstm.parameters().SelectMany(p => p.data<float>()).ToArray();
        Assert.All(all, v => Assert.InRange(v, -0.25f, 0.25f));
        Assert.True(all.Max() > 0.2f && all.Min() < -0.2f, "values should spread over the whole interval");
    }

    [Theory]
    [InlineData(false, false)]
    [InlineData(true, false)]
    [InlineData(false, true)]
    [InlineData(true, true)]
    public void WithLengthsEachSequenceGetsTheStatesAndOutputsOfRunningItAlone(bool bidirectional, bool batch_first)
    {
        manual_seed(7);
        using var lstm = nn.LSTM(3, 4, num_layers: 2, batch_first: batch_first, bidirectional: bidirectional);
        using var scope = NewDisposeScope();
        long[] lengths = [4, 7, 2, 5];
        const long steps = 7;
        var (batchDim, timeDim) = batch_first ? (0, 1) : (1, 0);
        var x = batch_first ? randn(4, steps, 3) : randn(steps, 4, 3);
        var layers = 2 * lstm.num_directions;
        var (h0, c0) = (randn(layers, 4, 4), randn(layers, 4, 4));

        var (output, (h, c)) = lstm.call(x, lengths, (h0, c0));
        var (_, (hPadded, _)) = lstm.call(x, (h0, c0));

        for (var b = 0; b < lengths.Length; b++)
        {
            var length = lengths[b];
            var alone = x.narrow(batchDim, b, 1).narrow(timeDim, 0, length);
            var (outputAlone, (hAlone, cAlone)) = lstm.call(alone, (h0.narrow(1, b, 1), c0.narrow(1, b, 1)));
            TensorAssert.Close(hAlone, h.narrow(1, b, 1), what: $"h_n of sequence {b}");
            TensorAssert.Close(cAlone, c.narrow(1, b, 1), what: $"c_n of sequence {b}");
            var mine = output.narrow(batchDim, b, 1);
            TensorAssert.Close(outputAlone, mine.narrow(timeDim, 0, length), what: $"output of sequence {b}");
            if (length == steps) continue;
            Assert.Equal(0.0, mine.narrow(timeDim, length, steps - length).abs().max().item());
            // Without lengths the padding runs through the LSTM: the test above would see the difference.
            Assert.False(hPadded.narrow(1, b, 1).allclose(hAlone, 1e-3, 1e-4), $"padding should change h_n of sequence {b}");
        }
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void GradientsMatchFiniteDifferences(bool withLengths)
    {
        manual_seed(3);
        using var lstm = nn.LSTM(2, 2, num_layers: 2, batch_first: true, bidirectional: true);
        lstm.to(float64);
        using var scope = NewDisposeScope();
        Tensor[] inputs = [GradCheck.Input(3, 4, 2), GradCheck.Input(4, 3, 2), GradCheck.Input(4, 3, 2), .. lstm.parameters()];
        GradCheck.Check(i =>
        {
            var (output, (h, c)) = withLengths ? lstm.forward(i[0], [4, 1, 3], (i[1], i[2])) : lstm.forward(i[0], (i[1], i[2]));
            return cat([output.flatten(), h.flatten(), c.flatten()]);
        }, inputs);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void UnbatchedInputEqualsABatchOfOne(bool batch_first)
    {
        manual_seed(5);
        using var lstm = nn.LSTM(3, 4, num_layers: 2, batch_first: batch_first, bidirectional: true);
        using var scope = NewDisposeScope();
        var x = randn(6, 3);
        var (h0, c0) = (randn(4, 4), randn(4, 4));
        var (output, (h, c)) = lstm.call(x, (h0, c0));
        var (outputBatched, (hBatched, cBatched)) = lstm.call(x.unsqueeze(batch_first ? 0 : 1), (h0.unsqueeze(1), c0.unsqueeze(1)));
        Assert.Equal([6L, 8], output.shape);
        TensorAssert.Close(outputBatched.squeeze(batch_first ? 0 : 1), output);
        TensorAssert.Close(hBatched.squeeze(1), h);
        TensorAssert.Close(cBatched.squeeze(1), c);
    }

    [Fact]
    public void DropoutBetweenLayersActsInTrainingOnly()
    {
        manual_seed(9);
        using var lstm = nn.LSTM(3, 8, num_layers: 2, dropout: 0.5);
        using var scope = NewDisposeScope();
        var x = randn(5, 2, 3);
        Tensor Run(long seed)
        {
            manual_seed(seed);
            return lstm.call(x).output;
        }
        Assert.False(Run(1).allclose(Run(2)));
        Assert.True(Run(1).equal(Run(1)));
        lstm.eval();
        Assert.True(Run(1).equal(Run(2)));
    }

    [Fact]
    public void BadArgumentsGiveClearErrors()
    {
        using var lstm = nn.LSTM(3, 4, num_layers: 2);
        using var scope = NewDisposeScope();
        var x = randn(5, 2, 3);
        Assert.Contains("expected input_size = 3", Assert.Throws<ArgumentException>(() => lstm.call(randn(5, 2, 4))).Message);
        Assert.Contains("3-D (batched) or 2-D", Assert.Throws<ArgumentException>(() => lstm.call(randn(3))).Message);
        var badState = Assert.Throws<ArgumentException>(() => lstm.call(x, (zeros(1, 2, 4), zeros(2, 2, 4))));
        Assert.Contains("h0 has shape [1, 2, 4], expected [2, 2, 4]", badState.Message);
        Assert.Contains("c0", Assert.Throws<ArgumentException>(() => lstm.call(x, (zeros(2, 2, 4), zeros(2, 3, 4)))).Message);
        Assert.Contains("3 lengths were given for a batch of 2", Assert.Throws<ArgumentException>(() => lstm.call(x, [1L, 2, 3])).Message);
        Assert.Contains("length 0 is outside 1..5", Assert.Throws<ArgumentException>(() => lstm.call(x, [0L, 2])).Message);
        Assert.Contains("length 6 is outside 1..5", Assert.Throws<ArgumentException>(() => lstm.call(x, tensor(new long[] { 6, 2 }))).Message);
        Assert.Contains("input is float64", Assert.Throws<ArgumentException>(() => lstm.call(x.to(float64))).Message);
        Assert.Throws<ArgumentOutOfRangeException>(() => nn.LSTM(3, 4, dropout: 1.5));
    }
}
