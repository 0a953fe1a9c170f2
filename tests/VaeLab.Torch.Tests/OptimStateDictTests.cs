using VaeLab.Torch.Optim;
using static VaeLab.Torch.Tests.OptimProblem;

namespace VaeLab.Torch.Tests;

/// <summary>Saving and resuming optimizer and scheduler state, and the checks load_state_dict makes.</summary>
public class OptimStateDictTests
{
    public static TheoryData<string> Resumable => ["sgd_exponentiallr", "adam_steplr", "adamw_amsgrad", "rmsprop_momentum_centered_wd", "sgd_param_groups"];

    /// <summary>
    /// 10 steps straight must equal 5 steps, a save through the flat (safetensors) form, a fresh optimizer
    /// and scheduler on fresh parameters, and 5 more steps: bit for bit.
    /// </summary>
    [Theory]
    [MemberData(nameof(Resumable))]
    public void ResumingFromTheFlatFormIsExact(string name)
    {
        using var scope = torch.NewDisposeScope();
        var c = Fixture[name];
        var (x, y) = (c.Input("x"), c.Input("y"));
        var spec = c.Arg("optimizers")[0];

        var (W, b) = (Leaf(c.Input("W0")), Leaf(c.Input("b0")));
        using var straight = Build(spec, new Dictionary<string, Tensor> { ["W"] = W, ["b"] = b });
        var straightScheduler = Scheduler(c.Arg("scheduler"), straight);
        for (var k = 0; k < 10; k++) Step([straight], W, b, x, y, straightScheduler);

        var (W1, b1) = (Leaf(c.Input("W0")), Leaf(c.Input("b0")));
        var first = Build(spec, new Dictionary<string, Tensor> { ["W"] = W1, ["b"] = b1 });
        var firstScheduler = Scheduler(c.Arg("scheduler"), first);
        for (var k = 0; k < 5; k++) Step([first], W1, b1, x, y, firstScheduler);
        var (tensors, metadata) = first.state_dict().to_flat();
        // What a file would hold: copies of the tensors, and text.
        var saved = tensors.ToDictionary(e => e.Key, e => e.Value.clone());
        var savedMetadata = new Dictionary<string, string>(metadata);
        foreach (var (key, value) in firstScheduler?.state_dict().to_metadata() ?? new Dictionary<string, string>()) savedMetadata[key] = value;
        var (W2, b2) = (Leaf(W1), Leaf(b1));
        first.Dispose();

        // The new optimizer and scheduler start from another learning rate: loading must bring back the saved one.
        using var resumed = Build(spec, new Dictionary<string, Tensor> { ["W"] = W2, ["b"] = b2 });
        foreach (var group in resumed.param_groups) group.lr = 0.5;
        var resumedScheduler = Scheduler(c.Arg("scheduler"), resumed);
        resumed.load_state_dict(StateDict.from_flat(saved, savedMetadata));
        resumedScheduler?.load_state_dict(SchedulerState.from_metadata(savedMetadata));
        for (var k = 0; k < 5; k++) Step([resumed], W2, b2, x, y, resumedScheduler);

        Assert.True(W.equal(W2), "W differs after resuming");
        Assert.True(b.equal(b2), "b differs after resuming");
        Assert.Equal(straight.param_groups.Select(g => g.lr), resumed.param_groups.Select(g => g.lr));
        Assert.Equal(straightScheduler?.get_last_lr(), resumedScheduler?.get_last_lr());
        var (expected, expectedMetadata) = straight.state_dict().to_flat();
        var (actual, actualMetadata) = resumed.state_dict().to_flat();
        Assert.Equal(expectedMetadata, actualMetadata);
        Assert.Equal(expected.Keys.Order(), actual.Keys.Order());
        foreach (var key in expected.Keys) Assert.True(expected[key].equal(actual[key]), key);
    }

    /// <summary>Three Adam steps on W (3x4) and b (3), amsgrad on.</summary>
    static (Optimizer optimizer, StateDict state) Trained(Tensor W, Tensor b)
    {
        var c = Fixture["adam_default"];
        var optimizer = torch.optim.Adam([W, b], lr: 0.01, amsgrad: true);
        for (var k = 0; k < 3; k++) Step([optimizer], W, b, c.Input("x"), c.Input("y"), null);
        return (optimizer, optimizer.state_dict());
    }

    static string LoadError(Optimizer target, StateDict state) =>
        Assert.Throws<ArgumentException>(() => target.load_state_dict(state)).Message;

    [Fact]
    public void LoadRejectsMismatchedGroupsAndParameters()
    {
        using var scope = torch.NewDisposeScope();
        var (W, b) = (Leaf(randn(3, 4).@double()), Leaf(randn(3).@double()));
        var (source, state) = Trained(W, b);
        using var _ = source;

        using var twoGroups = torch.optim.Adam([new ParamGroup([Leaf(W)]), new ParamGroup([Leaf(b)])], amsgrad: true);
        Assert.Contains("1 parameter groups but the optimizer has 2", LoadError(twoGroups, state));

        using var oneParam = torch.optim.Adam([Leaf(W)], amsgrad: true);
        Assert.Contains("param_groups[0] has 2 parameters but the optimizer's group has 1", LoadError(oneParam, state));

        using var transposed = torch.optim.Adam([Leaf(W.t()), Leaf(b)], amsgrad: true);
        Assert.Contains("state[0].exp_avg has shape [3, 4] but parameter 0 has shape [4, 3]", LoadError(transposed, state));

        using var sgd = torch.optim.SGD([Leaf(W), Leaf(b)], lr: 0.1);
        Assert.Contains("param_groups[0] lacks option 'momentum'", LoadError(sgd, state));
    }

    [Fact]
    public void LoadRejectsIncompleteOrForeignStateAndChangesNothing()
    {
        using var scope = torch.NewDisposeScope();
        var (W, b) = (Leaf(randn(3, 4).@double()), Leaf(randn(3).@double()));
        var (source, state) = Trained(W, b);
        using var _ = source;
        var (tensors, metadata) = state.to_flat();
        using var target = torch.optim.Adam([Leaf(W), Leaf(b)], lr: 0.5, amsgrad: true);

        var withoutSq = tensors.Where(e => e.Key != "state.1.max_exp_avg_sq").ToDictionary();
        Assert.Contains("state[1] lacks 'max_exp_avg_sq'", LoadError(target, StateDict.from_flat(withoutSq, metadata)));

        var withBuffer = new Dictionary<string, Tensor>(tensors) { ["state.0.momentum_buffer"] = tensors["state.0.exp_avg"] };
        Assert.Contains("state[0] has 'momentum_buffer'", LoadError(target, StateDict.from_flat(withBuffer, metadata)));

        var stray = new Dictionary<int, ParamState>(state.state) { [7] = new ParamState(3) };
        Assert.Contains("state[7] belongs to no parameter", LoadError(target, state with { state = stray }));

        var noStep = new Dictionary<int, ParamState>(state.state) { [0] = new ParamState(null, state.state[0].tensors) };
        Assert.Contains("state[0] lacks 'step'", LoadError(target, state with { state = noStep }));

        var badBetas = new Dictionary<string, object>(state.param_groups[0].options) { ["betas"] = (0.9, 1.5) };
        Assert.Equal("betas", Assert.Throws<ArgumentException>(() => target.load_state_dict(state with { param_groups = [state.param_groups[0] with { options = badBetas }] })).ParamName);

        var wrongType = new Dictionary<string, object>(state.param_groups[0].options) { ["amsgrad"] = 1.0 };
        Assert.Contains("option 'amsgrad' is a number, not a bool", LoadError(target, state with { param_groups = [state.param_groups[0] with { options = wrongType }] }));

        // Every failure above left the target as it was.
        Assert.Equal(0.5, target.param_groups[0].lr);
        Assert.Empty(target.state_dict().state);
    }

    [Fact]
    public void FlatFormHoldsPyTorchsStateDict()
    {
        using var scope = torch.NewDisposeScope();
        var c = Fixture["adam_wd_amsgrad"];
        var (W, b) = (Leaf(c.Input("W0")), Leaf(c.Input("b0")));
        using var optimizer = Build(c.Arg("optimizers")[0], new Dictionary<string, Tensor> { ["W"] = W, ["b"] = b });
        for (var k = 0; k < 10; k++) Step([optimizer], W, b, c.Input("x"), c.Input("y"), null);
        var (tensors, metadata) = optimizer.state_dict().to_flat();

        Assert.Equal(c.OutputNames.Where(n => n.StartsWith("state.")).Order(), tensors.Keys.Order());
        using var steps = System.Text.Json.JsonDocument.Parse(metadata["state"]);
        Assert.Equal(c.Arg("state_steps").EnumerateObject().Select(e => (e.Name, e.Value.GetInt64())),
            steps.RootElement.EnumerateObject().Select(e => (e.Name, e.Value.GetProperty("step").GetInt64())));
        using var groups = System.Text.Json.JsonDocument.Parse(metadata["param_groups"]);
        var expected = c.Arg("state_param_groups")[0];
        var actual = groups.RootElement[0];
        Assert.Equal(expected.EnumerateObject().Select(e => e.Name).Order(), actual.EnumerateObject().Select(e => e.Name).Order());
        foreach (var option in expected.EnumerateObject().Where(e => e.Name != "params"))
            Assert.Equal(Option(option.Value), Option(actual.GetProperty(option.Name)));
        Assert.Equal(expected.GetProperty("params").EnumerateArray().Select(e => e.GetInt32()), actual.GetProperty("params").EnumerateArray().Select(e => e.GetInt32()));
    }

    [Fact]
    public void FromFlatRejectsMalformedEntries()
    {
        using var scope = torch.NewDisposeScope();
        var (W, b) = (Leaf(randn(3, 4).@double()), Leaf(randn(3).@double()));
        var (source, state) = Trained(W, b);
        using var _ = source;
        var (tensors, metadata) = state.to_flat();

        var badKey = new Dictionary<string, Tensor>(tensors) { ["state.x.exp_avg"] = tensors["state.0.exp_avg"] };
        Assert.Contains("'state.x.exp_avg'", Assert.Throws<ArgumentException>(() => StateDict.from_flat(badKey, metadata)).Message);
        var unlisted = new Dictionary<string, Tensor>(tensors) { ["state.4.exp_avg"] = tensors["state.0.exp_avg"] };
        Assert.Contains("'state.4.exp_avg' belongs to parameter 4", Assert.Throws<ArgumentException>(() => StateDict.from_flat(unlisted, metadata)).Message);
        var noGroups = metadata.Where(e => e.Key != "param_groups").ToDictionary();
        Assert.Contains("no 'param_groups'", Assert.Throws<ArgumentException>(() => StateDict.from_flat(tensors, noGroups)).Message);
        var fractionalStep = new Dictionary<string, string>(metadata) { ["state"] = "{\"0\": {\"step\": 1.5}}" };
        Assert.Contains("'state'.0.step", Assert.Throws<ArgumentException>(() => StateDict.from_flat(tensors, fractionalStep)).Message);
        var notJson = new Dictionary<string, string>(metadata) { ["param_groups"] = "[{" };
        Assert.Contains("'param_groups' is not valid JSON", Assert.Throws<ArgumentException>(() => StateDict.from_flat(tensors, notJson)).Message);
    }

    [Fact]
    public void LoadedStateIsACopyAndAnOptimizerMayReloadItsOwn()
    {
        using var scope = torch.NewDisposeScope();
        var (W, b) = (Leaf(randn(3, 4).@double()), Leaf(randn(3).@double()));
        var (source, state) = Trained(W, b);
        var expected = state.state[0].tensors["exp_avg"].clone();
        using var target = torch.optim.Adam([Leaf(W), Leaf(b)], amsgrad: true);
        target.load_state_dict(state);
        source.Dispose();
        Assert.True(expected.equal(target.state_dict().state[0].tensors["exp_avg"]));

        target.load_state_dict(target.state_dict());
        Assert.True(expected.equal(target.state_dict().state[0].tensors["exp_avg"]));
        Assert.Equal(3, target.state_dict().state[0].step);
    }
}
