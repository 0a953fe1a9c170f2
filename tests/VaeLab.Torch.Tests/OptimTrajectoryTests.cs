using System.Text.Json;
using VaeLab.Torch.Optim;
using static VaeLab.Torch.Tests.OptimProblem;

namespace VaeLab.Torch.Tests;

/// <summary>Parameter trajectories, learning rates and final state dicts against torch.optim (gen_optim.py).</summary>
public class OptimTrajectoryTests
{
    public static TheoryData<string> Cases => new(Fixture.Names.Where(n => Fixture[n].InputNames.Contains("W0")));

    [Theory]
    [MemberData(nameof(Cases))]
    public void FollowsPyTorchStepForStep(string name)
    {
        using var scope = torch.NewDisposeScope();
        var c = Fixture[name];
        var (W, b, x, y) = (Leaf(c.Input("W0")), Leaf(c.Input("b0")), c.Input("x"), c.Input("y"));
        var named = new Dictionary<string, Tensor> { ["W"] = W, ["b"] = b };
        var optimizers = c.Arg("optimizers").EnumerateArray().Select(spec => Build(spec, named)).ToList();
        var scheduler = Scheduler(c.Arg("scheduler"), optimizers[0]);
        var steps = c.Arg("steps").GetInt32();
        var (Ws, bs, lrs) = (new List<Tensor>(), new List<Tensor>(), new List<double>());
        for (var k = 0; k < steps; k++)
        {
            Step(optimizers, W, b, x, y, scheduler);
            Ws.Add(W.detach().clone());
            bs.Add(b.detach().clone());
            lrs.Add(optimizers[0].param_groups[0].lr);
        }

        TensorAssert.Close(c.Output("W_traj"), torch.stack(Ws), rtol: 1e-10, atol: 1e-12, what: $"{name} W");
        TensorAssert.Close(c.Output("b_traj"), torch.stack(bs), rtol: 1e-10, atol: 1e-12, what: $"{name} b");
        Assert.Equal(c.Output("lr").data<double>(), lrs);
        AssertStateDictMatches(c, optimizers[0].state_dict());
        optimizers.ForEach(o => o.Dispose());
    }

    static void AssertStateDictMatches(FixtureCase c, StateDict state)
    {
        var (tensors, _) = state.to_flat();
        var expected = c.OutputNames.Where(n => n.StartsWith("state.")).Order().ToArray();
        Assert.Equal(expected, tensors.Keys.Order().ToArray());
        foreach (var key in expected) TensorAssert.Close(c.Output(key), tensors[key], rtol: 1e-10, atol: 1e-12, what: key);

        var steps = c.Arg("state_steps").EnumerateObject().ToDictionary(p => int.Parse(p.Name), p => p.Value.GetInt64());
        Assert.Equal(steps, state.state.Where(e => e.Value.step is not null).ToDictionary(e => e.Key, e => e.Value.step!.Value));

        var groups = c.Arg("state_param_groups").EnumerateArray().ToArray();
        Assert.Equal(groups.Length, state.param_groups.Count);
        for (var g = 0; g < groups.Length; g++)
        {
            var options = groups[g].EnumerateObject().Where(p => p.Name != "params").ToDictionary(p => p.Name, p => Option(p.Value));
            Assert.Equal(options.OrderBy(e => e.Key), state.param_groups[g].options.OrderBy(e => e.Key));
            Assert.Equal(groups[g].GetProperty("params").EnumerateArray().Select(e => e.GetInt32()), state.param_groups[g].@params);
        }
    }

    [Fact]
    public void DefaultsMatchPyTorch()
    {
        using var scope = torch.NewDisposeScope();
        var p = zeros([1], requires_grad: true);
        Optimizer[] built = [torch.optim.SGD([p], lr: 0.1), torch.optim.Adam([p]), torch.optim.AdamW([p]), torch.optim.RMSprop([p])];
        foreach (var optimizer in built)
        {
            var expected = Fixture["defaults"].Arg(optimizer.GetType().Name).EnumerateObject().ToDictionary(e => e.Name, e => Option(e.Value));
            var group = optimizer.param_groups[0];
            Assert.Equal(expected.OrderBy(e => e.Key), group.Keys.Order().Select(k => KeyValuePair.Create(k, group[k])));
        }
    }

    [Fact]
    public void ParametersWithoutGradientsAreLeftAloneAndGetNoState()
    {
        using var scope = torch.NewDisposeScope();
        var c = Fixture["adam_default"];
        var (W, b, x, y) = (Leaf(c.Input("W0")), Leaf(c.Input("b0")), c.Input("x"), c.Input("y"));
        var unused = Leaf(ones(2, 2));
        using var optimizer = torch.optim.Adam([unused, W, b], lr: 0.01);
        for (var k = 0; k < 10; k++) Step([optimizer], W, b, x, y, null);

        Assert.Equal(new double[] { 1, 1, 1, 1 }, unused.data<double>());
        Assert.Null(unused.grad);
        Assert.Equal([1, 2], optimizer.state_dict().state.Keys.Order());
        TensorAssert.Close(c.Output("W_traj").select(0, 9), W, rtol: 1e-10, atol: 1e-12);
        TensorAssert.Close(c.Output("b_traj").select(0, 9), b, rtol: 1e-10, atol: 1e-12);
    }

    [Fact]
    public void ZeroGradClearsOrZeroesTheGradients()
    {
        using var scope = torch.NewDisposeScope();
        var p = tensor(new double[] { 1, 2 }, requires_grad: true);
        using var optimizer = torch.optim.SGD([p], lr: 0.1);
        (p * p).sum().backward();
        optimizer.zero_grad(set_to_none: false);
        Assert.Equal(new double[] { 0, 0 }, p.grad!.data<double>());
        optimizer.zero_grad();
        Assert.Null(p.grad);
    }

    [Fact]
    public void ChangingTheLearningRateOfAGroupTakesEffectOnTheNextStep()
    {
        using var scope = torch.NewDisposeScope();
        var p = tensor(new double[] { 1, -2 }, requires_grad: true);
        using var optimizer = torch.optim.SGD([p], lr: 0.1);
        optimizer.param_groups[0].lr = 0.25;
        (p * p).sum().backward();
        optimizer.step();
        // Closed form of plain SGD on sum(p^2): p - lr * 2p.
        Assert.Equal(new[] { 1 - 0.25 * 2, -2 + 0.25 * 4 }, p.data<double>());
    }
}
