using TorchSharp.Modules;

namespace VaeLab.Tests.Torch;

[Collection(TrainingSerial.Name)]
public class PackedLstmTests
{
    public static TheoryData<string> LstmCases => [.. TorchFixture.Names("lstm.json").Where(n => n.StartsWith("lstm_"))];

    /// <summary>
    /// The PyTorch 1.13 cases: those with lengths went through pack_padded_sequence and pad_packed_sequence; those
    /// without run here with every length L, which packs the whole batch.
    /// </summary>
    [Theory, MemberData(nameof(LstmCases))]
    public void OutputsStatesAndGradientsMatchPyTorch(string name)
    {
        var c = TorchFixture.Load("lstm.json", name);
        using var scope = NewDisposeScope();
        var batch_first = c.Arg("batch_first").GetBoolean();
        var dropout = c.HasArg("dropout") ? c.Arg("dropout").GetDouble() : 0;
        using var lstm = nn.LSTM(c.Arg("input_size").GetInt64(), c.Arg("hidden_size").GetInt64(), c.Arg("num_layers").GetInt64(),
            c.Arg("bias").GetBoolean(), batch_first, dropout, c.Arg("bidirectional").GetBoolean());
        lstm.load_state_dict(c.State());
        var input = c.Input("input").requires_grad_();
        var (batch, steps) = batch_first ? (input.size(0), input.size(1)) : (input.size(1), input.size(0));
        var lengths = c.HasInput("lengths") ? c.Input("lengths").data<long>().ToArray() : Enumerable.Repeat(steps, (int)batch).ToArray();
        (Tensor, Tensor)? state = c.HasInput("h0") ? (c.Input("h0"), c.Input("c0")) : null;
        // With dropout the fixture drew its masks right after this seed.
        if (c.HasArg("seed")) manual_seed(c.Arg("seed").GetInt64());

        var (output, h, cell) = PackedLstm.forward(lstm, input, lengths, batch_first, state, dropout);

        TensorAssert.Close(c.Output("output"), output, rtol: 1e-4, atol: 1e-6, what: "output");
        TensorAssert.Close(c.Output("h_n"), h, rtol: 1e-4, atol: 1e-6, what: "h_n");
        TensorAssert.Close(c.Output("c_n"), cell, rtol: 1e-4, atol: 1e-6, what: "c_n");
        var loss = (output * c.Input("p_out")).sum() + (h * c.Input("p_h")).sum() + (cell * c.Input("p_c")).sum();
        var weightName = c.Arg("grad_weight").GetString()!;
        var weight = lstm.named_parameters().Single(p => p.name == weightName).parameter;
        var grads = autograd.grad([loss], [input, weight]);
        TensorAssert.Close(c.Output("grad_input"), grads[0], rtol: 1e-4, atol: 1e-5, what: "grad input");
        TensorAssert.Close(c.Output("grad_weight"), grads[1], rtol: 1e-4, atol: 1e-5, what: $"grad {weightName}");
    }

    /// <summary>TorchSharp's own packed path: pack_padded_sequence, the module, pad_packed_sequence.</summary>
    static (Tensor output, Tensor h, Tensor c) TorchSharpPacked(LSTM lstm, Tensor input, long[] lengths, (Tensor, Tensor)? state, bool batch_first)
    {
        var packed = nn.utils.rnn.pack_padded_sequence(input, tensor(lengths), batch_first, enforce_sorted: false);
        var (output, h, c) = lstm.call(packed, state);
        return (nn.utils.rnn.pad_packed_sequence(output, batch_first, total_length: input.size(batch_first ? 1 : 0)).Item1, h, c);
    }

    [Theory]
    [InlineData(1, false, false, true, true, 0.0)]
    [InlineData(2, true, true, true, false, 0.0)]
    [InlineData(2, true, false, false, true, 0.0)]
    [InlineData(3, true, true, true, true, 0.3)]
    public void IsBitIdenticalToTorchSharpsPackedLstm(int num_layers, bool bidirectional, bool batch_first, bool bias, bool withState, double dropout)
    {
        manual_seed(17);
        using var lstm = nn.LSTM(5, 6, num_layers, bias, batch_first, dropout, bidirectional);
        using var scope = NewDisposeScope();
        // Ties, a full-length sequence and one of a single step.
        long[] lengths = [7, 3, 9, 1, 7, 4];
        var x = batch_first ? randn(6, 9, 5) : randn(9, 6, 5);
        var layers = num_layers * (bidirectional ? 2 : 1);
        var (h0, c0) = (randn(layers, 6, 6), randn(layers, 6, 6));
        (Tensor, Tensor)? state = withState ? (h0, c0) : null;
        Tensor[] leaves = withState ? [x, h0, c0] : [x];
        foreach (var t in leaves) t.requires_grad_();
        Tensor[] inputs = [.. leaves, .. lstm.parameters()];

        (Tensor output, Tensor h, Tensor c, IList<Tensor> grads) Run(Func<(Tensor, Tensor, Tensor)> lstmRun)
        {
            manual_seed(5);
            var (output, h, c) = lstmRun();
            manual_seed(6);
            var loss = (output * randn_like(output)).sum() + (h * randn_like(h)).sum() + (c * randn_like(c)).sum();
            return (output, h, c, autograd.grad([loss], inputs));
        }
        var expected = Run(() => TorchSharpPacked(lstm, x, lengths, state, batch_first));
        var actual = Run(() => PackedLstm.forward(lstm, x, lengths, batch_first, state, dropout));

        TensorAssert.Identical(expected.output, actual.output, "output");
        TensorAssert.Identical(expected.h, actual.h, "h_n");
        TensorAssert.Identical(expected.c, actual.c, "c_n");
        for (var i = 0; i < inputs.Length; i++) TensorAssert.Identical(expected.grads[i], actual.grads[i], $"gradient of input {i}");
    }

    [Fact]
    public void InputPaddedBeyondTheLongestSequenceKeepsItsLength()
    {
        manual_seed(8);
        using var lstm = nn.LSTM(3, 4, batchFirst: true, bidirectional: true);
        using var scope = NewDisposeScope();
        long[] lengths = [3, 5];
        var x = randn(2, 8, 3);
        var expected = TorchSharpPacked(lstm, x, lengths, null, batch_first: true);
        var actual = PackedLstm.forward(lstm, x, lengths, batch_first: true);
        Assert.Equal([2L, 8, 8], actual.output.shape);
        TensorAssert.Identical(expected.output, actual.output, "output");
        Assert.Equal(0, actual.output[.., 5..].abs().sum().ToDouble());
    }

    [Theory]
    [InlineData(false, false)]
    [InlineData(true, false)]
    [InlineData(false, true)]
    [InlineData(true, true)]
    public void EachSequenceGetsTheStatesAndOutputsOfRunningItAlone(bool bidirectional, bool batch_first)
    {
        manual_seed(7);
        using var lstm = nn.LSTM(3, 4, 2, batchFirst: batch_first, bidirectional: bidirectional);
        using var scope = NewDisposeScope();
        long[] lengths = [4, 7, 2, 5];
        const long steps = 7;
        var (batchDim, timeDim) = batch_first ? (0, 1) : (1, 0);
        var x = batch_first ? randn(4, steps, 3) : randn(steps, 4, 3);
        var layers = 2 * (bidirectional ? 2 : 1);
        var (h0, c0) = (randn(layers, 4, 4), randn(layers, 4, 4));

        var (output, h, c) = PackedLstm.forward(lstm, x, lengths, batch_first, (h0, c0));
        var (_, hPadded, _) = lstm.call(x, (h0, c0));

        for (var b = 0; b < lengths.Length; b++)
        {
            var length = lengths[b];
            var alone = x.narrow(batchDim, b, 1).narrow(timeDim, 0, length);
            var (outputAlone, hAlone, cAlone) = lstm.call(alone, (h0.narrow(1, b, 1), c0.narrow(1, b, 1)));
            TensorAssert.Close(hAlone, h.narrow(1, b, 1), what: $"h_n of sequence {b}");
            TensorAssert.Close(cAlone, c.narrow(1, b, 1), what: $"c_n of sequence {b}");
            var mine = output.narrow(batchDim, b, 1);
            TensorAssert.Close(outputAlone, mine.narrow(timeDim, 0, length), what: $"output of sequence {b}");
            if (length == steps) continue;
            Assert.Equal(0.0, mine.narrow(timeDim, length, steps - length).abs().max().item<float>());
            // Without lengths the padding runs through the LSTM: the test above would see the difference.
            Assert.False(hPadded.narrow(1, b, 1).allclose(hAlone, 1e-3, 1e-4), $"padding should change h_n of sequence {b}");
        }
    }

    [Theory]
    [InlineData(new long[] { 4, 4, 4 })]
    [InlineData(new long[] { 4, 1, 3 })]
    public void GradientsMatchFiniteDifferences(long[] lengths)
    {
        manual_seed(3);
        using var lstm = nn.LSTM(2, 2, 2, batchFirst: true, bidirectional: true);
        lstm.to(float64);
        using var scope = NewDisposeScope();
        Tensor[] inputs = [GradCheck.Input(3, 4, 2), GradCheck.Input(4, 3, 2), GradCheck.Input(4, 3, 2), .. lstm.parameters()];
        GradCheck.Check(i =>
        {
            var (output, h, c) = PackedLstm.forward(lstm, i[0], lengths, batch_first: true, (i[1], i[2]));
            return cat([output.flatten(), h.flatten(), c.flatten()]);
        }, inputs);
    }

    [Fact]
    public void DropoutBetweenLayersActsInTrainingOnly()
    {
        manual_seed(9);
        using var lstm = nn.LSTM(3, 8, 2, dropout: 0.5);
        using var scope = NewDisposeScope();
        var x = randn(5, 2, 3);
        Tensor Run(long seed)
        {
            manual_seed(seed);
            return PackedLstm.forward(lstm, x, [5, 3], batch_first: false, dropout: 0.5).output;
        }
        Assert.False(Run(1).allclose(Run(2)));
        Assert.True(Run(1).allclose(Run(1), rtol: 0, atol: 0));
        lstm.eval();
        Assert.True(Run(1).allclose(Run(2), rtol: 0, atol: 0));
    }

    [Fact]
    public void BadArgumentsGiveClearErrorsBeforeAnyNativeCall()
    {
        using var lstm = nn.LSTM(3, 4, 2);
        using var scope = NewDisposeScope();
        var x = randn(5, 2, 3);
        long[] lengths = [5, 2];
        void Fails(string parameter, string message, Action call)
        {
            var error = Assert.ThrowsAny<ArgumentException>(call);
            Assert.Equal(parameter, error.ParamName);
            Assert.Contains(message, error.Message);
        }
        Fails("input", "expected input_size = 3", () => PackedLstm.forward(lstm, randn(5, 2, 4), lengths, false));
        Fails("input", "must be 3-D", () => PackedLstm.forward(lstm, randn(5, 3), lengths, false));
        Fails("input", "input is Float64 on cpu but the LSTM's weights are Float32", () => PackedLstm.forward(lstm, x.to(float64), lengths, false));
        Fails("lengths", "3 lengths were given for a batch of 2", () => PackedLstm.forward(lstm, x, [1, 2, 3], false));
        Fails("lengths", "2 lengths were given for a batch of 5", () => PackedLstm.forward(lstm, x, lengths, true));
        Fails("lengths", "length 0 is outside 1..5", () => PackedLstm.forward(lstm, x, [0, 2], false));
        Fails("lengths", "length 6 is outside 1..5", () => PackedLstm.forward(lstm, x, [6, 2], false));
        Fails("state", "h0 has shape [1, 2, 4], expected [2, 2, 4]", () => PackedLstm.forward(lstm, x, lengths, false, (zeros(1, 2, 4), zeros(2, 2, 4))));
        Fails("state", "c0 has shape [2, 3, 4], expected [2, 2, 4]", () => PackedLstm.forward(lstm, x, lengths, false, (zeros(2, 2, 4), zeros(2, 3, 4))));
        Fails("state", "c0 is Float64", () => PackedLstm.forward(lstm, x, lengths, false, (zeros(2, 2, 4), zeros(2, 2, 4, dtype: float64))));
        Fails("dropout", "dropout must be a probability", () => PackedLstm.forward(lstm, x, lengths, false, dropout: 1.5));
    }
}
