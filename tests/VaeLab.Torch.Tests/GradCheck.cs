namespace VaeLab.Torch.Tests;

/// <summary>
/// Finite-difference gradient check in float64: compares autograd's gradient of a random projection
/// of f's output with central differences, for every element of every input that requires grad.
/// </summary>
public static class GradCheck
{
    public static void Check(Func<Tensor[], Tensor> f, Tensor[] inputs, double eps = 1e-6, double atol = 1e-5, double rtol = 1e-3)
    {
        using var scope = NewDisposeScope();
        foreach (var x in inputs.Where(x => x.is_floating_point()))
            Assert.True(x.dtype == ScalarType.Float64, "gradcheck inputs must be float64");
        var output = f(inputs);
        using var projection = randn_like(output);
        var analytic = autograd.grad([(output * projection).sum()], inputs.Where(x => x.requires_grad).ToArray(), allow_unused: true);

        var k = 0;
        foreach (var x in inputs)
        {
            if (!x.requires_grad) continue;
            var expected = analytic[k++]?.data<double>() ?? new double[x.numel()];
            var numeric = new double[x.numel()];
            using (no_grad())
            {
                using var flat = x.view(-1);
                for (var i = 0; i < numeric.Length; i++)
                {
                    using var element = flat[i];
                    var original = element.item();
                    element.fill_(original + eps);
                    var plus = Project(f(inputs), projection);
                    element.fill_(original - eps);
                    var minus = Project(f(inputs), projection);
                    element.fill_(original);
                    numeric[i] = (plus - minus) / (2 * eps);
                }
            }
            for (var i = 0; i < numeric.Length; i++)
            {
                var tolerance = atol + rtol * Math.Abs(numeric[i]);
                if (!(Math.Abs(expected[i] - numeric[i]) <= tolerance))
                    Assert.Fail($"input {k - 1} element {i}: autograd {expected[i]:R}, finite difference {numeric[i]:R}");
            }
        }
    }

    static double Project(Tensor output, Tensor projection)
    {
        using var product = output * projection;
        using var total = product.sum();
        var value = total.item();
        output.Dispose();
        return value;
    }

    /// <summary>A float64 leaf tensor of the given shape with values in [-1, 1), requiring grad.</summary>
    public static Tensor Input(params long[] shape) => (rand(shape, ScalarType.Float64) * 2 - 1).detach().requires_grad_();
}
