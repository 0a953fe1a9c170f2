using static VaeLab.Torch.Tests.OptimProblem;

namespace VaeLab.Torch.Tests;

/// <summary>torch.nn.utils.clip_grad_norm_ and clip_grad_value_ against PyTorch (gen_optim.py).</summary>
public class OptimClipTests
{
    public static TheoryData<string> Cases => new(Fixture.Names.Where(n => n.StartsWith("clip_")));

    [Theory]
    [MemberData(nameof(Cases))]
    public void ClipsLikePyTorch(string name)
    {
        using var scope = torch.NewDisposeScope();
        var c = Fixture[name];
        var parameters = c.InputNames.Select(n =>
        {
            var grad = c.Input(n);
            var p = zeros(grad.shape, ScalarType.Float64, requires_grad: true);
            p.grad = grad.clone();
            return p;
        }).ToArray();
        // A parameter without a gradient is skipped, as in PyTorch.
        var bystander = zeros([3], ScalarType.Float64, requires_grad: true);
        var all = parameters.Append(bystander).ToArray();

        if (c.Arg("kind").GetString() == "norm")
        {
            var normType = c.Arg("norm_type").ValueKind == System.Text.Json.JsonValueKind.String ? double.PositiveInfinity : c.Arg("norm_type").GetDouble();
            var total = torch.nn.utils.clip_grad_norm_(all, c.Arg("max_norm").GetDouble(), normType);
            Assert.Equal(c.Output("total_norm").item(), total, 1e-12);
        }
        else
        {
            torch.nn.utils.clip_grad_value_(all, c.Arg("clip_value").GetDouble());
        }
        for (var i = 0; i < parameters.Length; i++)
            TensorAssert.Close(c.Output($"clipped{i}"), parameters[i].grad!, rtol: 1e-12, atol: 1e-15, what: $"clipped{i}");
        Assert.Null(bystander.grad);
    }

    [Fact]
    public void NoGradientsGiveANormOfZero()
    {
        using var scope = torch.NewDisposeScope();
        Assert.Equal(0.0, torch.nn.utils.clip_grad_norm_([zeros([2], requires_grad: true)], 1.0));
    }

    [Fact]
    public void RejectsNegativeBounds()
    {
        using var scope = torch.NewDisposeScope();
        var p = zeros([2], requires_grad: true);
        Assert.Equal("max_norm", Assert.Throws<ArgumentException>(() => torch.nn.utils.clip_grad_norm_([p], -1)).ParamName);
        Assert.Equal("norm_type", Assert.Throws<ArgumentException>(() => torch.nn.utils.clip_grad_norm_([p], 1, 0)).ParamName);
        Assert.Equal("clip_value", Assert.Throws<ArgumentException>(() => torch.nn.utils.clip_grad_value_([p], -0.5)).ParamName);
    }
}
