using VaeLab.Torch.Modules;

namespace VaeLab.Torch.Tests;

[Collection(ProcessWideState.Name)]
public class LstmCellTests
{
    static readonly FixtureFile Fixture = FixtureFile.Load("lstm.json");

    public static IEnumerable<object[]> CellCases => Fixture.Names.Where(n => n.StartsWith("cell")).Select(n => new object[] { n });

    static LSTMCell FromArgs(FixtureCase c) =>
        nn.LSTMCell(c.Arg("input_size").GetInt64(), c.Arg("hidden_size").GetInt64(), c.Arg("bias").GetBoolean());

    [Theory, MemberData(nameof(CellCases))]
    public void StateAndGradientsMatchPyTorch(string name)
    {
        var c = Fixture[name];
        using var cell = FromArgs(c);
        using var scope = NewDisposeScope();
        var expectedState = LstmTests.StateOf(c);
        Assert.Equal(expectedState.Keys, cell.state_dict().Keys);
        cell.load_state_dict(expectedState);
        var input = c.Input("input").requires_grad_();
        var (h, cNext) = c.InputNames.Contains("h0") ? cell.call(input, (c.Input("h0"), c.Input("c0"))) : cell.call(input);

        TensorAssert.Close(c.Output("h"), h, rtol: 1e-4, atol: 1e-6, what: "h'");
        TensorAssert.Close(c.Output("c"), cNext, rtol: 1e-4, atol: 1e-6, what: "c'");
        var loss = (h * c.Input("p_h")).sum() + (cNext * c.Input("p_c")).sum();
        var grads = autograd.grad([loss], [input, cell.weight_ih]);
        TensorAssert.Close(c.Output("grad_input"), grads[0]!, rtol: 1e-4, atol: 1e-5, what: "grad input");
        TensorAssert.Close(c.Output("grad_weight"), grads[1]!, rtol: 1e-4, atol: 1e-5, what: "grad weight_ih");
    }

    [Fact]
    public void GradientsMatchFiniteDifferences()
    {
        manual_seed(4);
        using var cell = nn.LSTMCell(3, 2);
        cell.to(float64);
        using var scope = NewDisposeScope();
        Tensor[] inputs = [GradCheck.Input(2, 3), GradCheck.Input(2, 2), GradCheck.Input(2, 2), .. cell.parameters()];
        GradCheck.Check(i =>
        {
            var (h, c) = cell.forward(i[0], (i[1], i[2]));
            return cat([h, c]);
        }, inputs);
    }

    [Fact]
    public void UnbatchedInputEqualsABatchOfOne()
    {
        manual_seed(6);
        using var cell = nn.LSTMCell(3, 4);
        using var scope = NewDisposeScope();
        var (x, h0, c0) = (randn(3), randn(4), randn(4));
        var (h, c) = cell.call(x, (h0, c0));
        var (hBatched, cBatched) = cell.call(x.unsqueeze(0), (h0.unsqueeze(0), c0.unsqueeze(0)));
        Assert.Equal([4L], h.shape);
        TensorAssert.Close(hBatched.squeeze(0), h);
        TensorAssert.Close(cBatched.squeeze(0), c);
    }

    [Fact]
    public void BadArgumentsGiveClearErrors()
    {
        using var cell = nn.LSTMCell(3, 4);
        using var scope = NewDisposeScope();
        Assert.Contains("expected input_size = 3", Assert.Throws<ArgumentException>(() => cell.call(randn(2, 5))).Message);
        Assert.Contains("state c has shape [2, 3], expected [2, 4]",
            Assert.Throws<ArgumentException>(() => cell.call(randn(2, 3), (zeros(2, 4), zeros(2, 3)))).Message);
    }
}
