using System.Text.Json;
using VaeLab.Torch.Optim;
using static VaeLab.Torch.Tests.OptimProblem;

namespace VaeLab.Torch.Tests;

/// <summary>Learning-rate sequences against torch.optim.lr_scheduler (gen_optim.py), bit for bit.</summary>
public class OptimSchedulerTests
{
    public static TheoryData<string> Cases => new(Fixture.Names.Where(n => n.StartsWith("schedule_")));

    [Theory]
    [MemberData(nameof(Cases))]
    public void LearningRatesMatchPyTorch(string name)
    {
        using var scope = torch.NewDisposeScope();
        var c = Fixture[name];
        var baseLrs = c.Arg("base_lrs").EnumerateArray().Select(e => e.GetDouble()).ToArray();
        using var optimizer = torch.optim.SGD(baseLrs.Select(lr => new ParamGroup([zeros([1], requires_grad: true)]) { ["lr"] = lr }), lr: baseLrs[0]);
        LRScheduler scheduler = c.Arg("type").GetString() switch
        {
            "ExponentialLR" => torch.optim.lr_scheduler.ExponentialLR(optimizer, c.Arg("gamma").GetDouble()),
            "StepLR" when c.Arg("gamma").ValueKind == JsonValueKind.Null => torch.optim.lr_scheduler.StepLR(optimizer, c.Arg("step_size").GetInt32()),
            "StepLR" => torch.optim.lr_scheduler.StepLR(optimizer, c.Arg("step_size").GetInt32(), c.Arg("gamma").GetDouble()),
            "LambdaLR" => torch.optim.lr_scheduler.LambdaLR(optimizer, epoch => 1.0 / (1.0 + 0.5 * epoch)),
            var other => throw new NotSupportedException(other),
        };
        var expected = c.Output("lr");
        var history = new List<double>(scheduler.get_last_lr());
        for (var epoch = 1; epoch < expected.size(0); epoch++)
        {
            optimizer.step();
            scheduler.step();
            history.AddRange(scheduler.get_last_lr());
            Assert.Equal(scheduler.get_last_lr(), optimizer.param_groups.Select(g => g.lr));
        }
        Assert.Equal(expected.data<double>(), history);

        var state = scheduler.state_dict();
        Assert.Equal(c.Arg("final_last_epoch").GetInt32(), state.last_epoch);
        Assert.Equal(c.Arg("final_base_lrs").EnumerateArray().Select(e => e.GetDouble()), state.base_lrs);
    }

    [Fact]
    public void StepSizeMustBePositive()
    {
        using var scope = torch.NewDisposeScope();
        using var optimizer = torch.optim.SGD([zeros([1], requires_grad: true)], lr: 0.1);
        Assert.Equal("step_size", Assert.Throws<ArgumentException>(() => torch.optim.lr_scheduler.StepLR(optimizer, 0)).ParamName);
    }

    [Fact]
    public void StateRoundTripsThroughMetadata()
    {
        using var scope = torch.NewDisposeScope();
        using var optimizer = torch.optim.SGD([zeros([1], requires_grad: true)], lr: 0.1);
        var scheduler = torch.optim.lr_scheduler.ExponentialLR(optimizer, 0.7);
        for (var i = 0; i < 3; i++) scheduler.step();
        var restored = SchedulerState.from_metadata(scheduler.state_dict().to_metadata());
        Assert.Equal(3, restored.last_epoch);
        Assert.Equal(scheduler.base_lrs, restored.base_lrs);
        Assert.Equal(scheduler.get_last_lr(), restored.last_lr);
    }

    [Fact]
    public void LoadRejectsStateForAnotherNumberOfGroups()
    {
        using var scope = torch.NewDisposeScope();
        using var optimizer = torch.optim.SGD([zeros([1], requires_grad: true)], lr: 0.1);
        var scheduler = torch.optim.lr_scheduler.StepLR(optimizer, 2);
        var error = Assert.Throws<ArgumentException>(() => scheduler.load_state_dict(new SchedulerState(4, [0.1, 0.2], [0.1, 0.2])));
        Assert.Contains("2 base_lrs", error.Message);
        Assert.Throws<ArgumentException>(() => SchedulerState.from_metadata(new Dictionary<string, string> { ["lr_scheduler"] = "{\"last_epoch\": 1}" }));
    }
}
