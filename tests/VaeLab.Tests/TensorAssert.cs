namespace VaeLab.Tests;

/// <summary>The tests' comparisons of tensors, with the element and values at fault in the message.</summary>
public static class TensorAssert
{
    /// <summary>Equal shapes and |actual - expected| &lt;= atol + rtol * |expected| everywhere.</summary>
    public static void Close(Tensor expected, Tensor actual, double rtol = 1e-5, double atol = 1e-6, string what = "tensor")
    {
        Assert.Equal(expected.shape, actual.shape);
        var e = expected.to(float64).data<double>().ToArray();
        var a = actual.to(float64).data<double>().ToArray();
        for (var i = 0; i < e.Length; i++)
        {
            var tolerance = atol + rtol * Math.Abs(e[i]);
            if (!(Math.Abs(a[i] - e[i]) <= tolerance))
                Assert.Fail($"{what}: element {i} is {a[i]:R}, expected {e[i]:R} (tolerance {tolerance:G3})");
        }
    }

    /// <summary>Bit for bit the same values (and shape); on failure, the largest difference.</summary>
    public static void Identical(Tensor expected, Tensor actual, string what = "tensor")
    {
        Assert.Equal(expected.shape, actual.shape);
        var largest = (expected.to(float64) - actual.to(float64)).abs().max().item<double>();
        if (largest != 0) Assert.Fail($"{what}: not bit-identical, largest difference {largest:R}");
    }
}
