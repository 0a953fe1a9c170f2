namespace VaeLab.Tests.Torch;

/// <summary>
/// Finite-difference gradient check in float64: compares autograd's gradient of a random projection of f's output
/// with central differences, for every element of every input that requires grad.
/// </summary>
public static class GradCheck
{
    public static void Check(Func<Tensor[], Tensor> f, Tensor[] inputs, double eps = 1e-6, double atol = 1e-5, double rtol = 1e-3)
    {
        using var scope = NewDisposeScope();
        Assert.All(inputs, x => Assert.Equal(ScalarType.Float64, x.dtype));
        var output = f(inputs);
        var projection = randn_like(output);
        var differentiable = inputs.Where(x => x.requires_grad).ToArray();
        var analytic = autograd.grad([(output * projection).sum()], differentiable, allow_unused: true);

        double Projected()
        {
            using var evaluation = NewDisposeScope();
            return (f(inputs) * projection).sum().item<double>();
        }

        for (var k = 0; k < differentiable.Length; k++)
        {
            var expected = analytic[k] is { } g ? g.data<double>().ToArray() : new double[differentiable[k].numel()];
            var flat = differentiable[k].view(-1);
            for (var i = 0; i < expected.Length; i++)
            {
                double numeric;
                using (no_grad())
                {
                    var element = flat[i];
                    var original = element.item<double>();
                    element.fill_(original + eps);
                    var plus = Projected();
                    element.fill_(original - eps);
                    var minus = Projected();
                    element.fill_(original);
                    numeric = (plus - minus) / (2 * eps);
                }
                if (!(Math.Abs(expected[i] - numeric) <= atol + rtol * Math.Abs(numeric)))
                    Assert.Fail($"input {Array.IndexOf(inputs, differentiable[k])} element {i}: autograd {expected[i]:R}, finite difference {numeric:R}");
            }
        }
    }

    /// <summary>A float64 leaf tensor of the given shape with values in [-1, 1), requiring grad.</summary>
    public static Tensor Input(params long[] shape) => (rand(shape, ScalarType.Float64) * 2 - 1).detach().requires_grad_();
}

[Collection(TrainingSerial.Name)]
public class GradCheckSelfTest
{
    [Fact]
    public void AcceptsACorrectGradient()
    {
        using var scope = NewDisposeScope();
        GradCheck.Check(i => (i[0] * i[0]).sin(), [GradCheck.Input(3, 2)]);
    }

    [Fact]
    public void RejectsAWrongGradient()
    {
        using var scope = NewDisposeScope();
        // detach() hides part of the function from autograd, so the analytic gradient is wrong.
        Assert.ThrowsAny<Exception>(() => GradCheck.Check(i => i[0] * i[0].detach() * i[0], [GradCheck.Input(4)]));
    }
}
