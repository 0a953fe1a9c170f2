using VaeLab.Torch.Optim;

namespace VaeLab.Torch.Tests;

/// <summary>Construction checks: hyperparameters out of range, malformed groups, repeated or non-leaf tensors.</summary>
public class OptimArgumentTests
{
    static string? Rejected(Func<Optimizer> build) => Assert.Throws<ArgumentException>(() => build().Dispose()).ParamName;

    [Fact]
    public void OutOfRangeHyperparametersAreNamed()
    {
        using var scope = torch.NewDisposeScope();
        Tensor[] p = [zeros([2], requires_grad: true)];
        Assert.Equal("lr", Rejected(() => torch.optim.SGD(p, lr: -0.1)));
        Assert.Equal("momentum", Rejected(() => torch.optim.SGD(p, lr: 0.1, momentum: -0.5)));
        Assert.Equal("weight_decay", Rejected(() => torch.optim.SGD(p, lr: 0.1, weight_decay: -1)));
        Assert.Equal("nesterov", Rejected(() => torch.optim.SGD(p, lr: 0.1, nesterov: true)));
        Assert.Equal("nesterov", Rejected(() => torch.optim.SGD(p, lr: 0.1, momentum: 0.9, dampening: 0.1, nesterov: true)));
        Assert.Equal("lr", Rejected(() => torch.optim.Adam(p, lr: -1e-3)));
        Assert.Equal("lr", Rejected(() => torch.optim.Adam(p, lr: double.NaN)));
        Assert.Equal("betas", Rejected(() => torch.optim.Adam(p, betas: (1.0, 0.999))));
        Assert.Equal("betas", Rejected(() => torch.optim.AdamW(p, betas: (0.9, -0.1))));
        Assert.Equal("eps", Rejected(() => torch.optim.AdamW(p, eps: -1e-8)));
        Assert.Equal("weight_decay", Rejected(() => torch.optim.Adam(p, weight_decay: -0.1)));
        Assert.Equal("alpha", Rejected(() => torch.optim.RMSprop(p, alpha: -0.9)));
        Assert.Equal("momentum", Rejected(() => torch.optim.RMSprop(p, momentum: -0.9)));
        Assert.Equal("eps", Rejected(() => torch.optim.RMSprop(p, eps: -1)));
    }

    [Fact]
    public void GroupOverridesAreCheckedLikeArguments()
    {
        using var scope = torch.NewDisposeScope();
        var p = zeros([2], requires_grad: true);
        Assert.Equal("lr", Rejected(() => torch.optim.Adam([new ParamGroup([p]) { ["lr"] = -1 }])));
        var unknown = Assert.Throws<ArgumentException>(() => torch.optim.SGD([new ParamGroup([p]) { ["learning_rate"] = 0.1 }], lr: 0.1));
        Assert.Contains("'learning_rate'", unknown.Message);
        var mistyped = Assert.Throws<ArgumentException>(() => torch.optim.SGD([new ParamGroup([p]) { ["nesterov"] = 1 }], lr: 0.1));
        Assert.Contains("'nesterov'", mistyped.Message);
        // Integers given for numbers are taken as doubles.
        using var optimizer = torch.optim.SGD([new ParamGroup([p]) { ["momentum"] = 1 }], lr: 0.1);
        Assert.Equal(1.0, optimizer.param_groups[0]["momentum"]);
        Assert.Throws<ArgumentException>(() => optimizer.param_groups[0]["momentum"] = true);
    }

    [Fact]
    public void ATensorMayBeOptimizedOnlyOnce()
    {
        using var scope = torch.NewDisposeScope();
        var (a, b) = (zeros([2], requires_grad: true), zeros([3], requires_grad: true));
        Assert.Contains("appears twice", Assert.Throws<ArgumentException>(() => torch.optim.Adam([a, b, a])).Message);
        Assert.Contains("param_groups[1]", Assert.Throws<ArgumentException>(() => torch.optim.RMSprop([new ParamGroup([a]), new ParamGroup([b, a])])).Message);
    }

    [Fact]
    public void NonLeavesAndEmptyListsAreRejected()
    {
        using var scope = torch.NewDisposeScope();
        var a = zeros([2], requires_grad: true);
        Assert.Contains("not a leaf", Assert.Throws<ArgumentException>(() => torch.optim.SGD([a * 2], lr: 0.1)).Message);
        Assert.Contains("empty parameter list", Assert.Throws<ArgumentException>(() => torch.optim.Adam(Array.Empty<Tensor>())).Message);
    }

    [Fact]
    public void DisjointOptimizersStepOnlyTheirOwnParameters()
    {
        using var scope = torch.NewDisposeScope();
        var (encoder, decoder) = (tensor(new double[] { 1, 2 }, requires_grad: true), tensor(new double[] { 3 }, requires_grad: true));
        using var encoderOptimizer = torch.optim.RMSprop([encoder], lr: 0.1);
        using var decoderOptimizer = torch.optim.RMSprop([decoder], lr: 0.1);
        ((encoder * encoder).sum() + (decoder * decoder).sum()).backward();
        decoderOptimizer.step();
        Assert.Equal(new double[] { 1, 2 }, encoder.data<double>());
        Assert.NotEqual(3.0, decoder.data<double>()[0]);
        Assert.Empty(encoderOptimizer.state_dict().state);
    }
}
