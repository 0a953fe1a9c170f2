using static VaeLab.Torch.torch.nn;

namespace VaeLab.Torch.Tests;

/// <summary>
/// PyTorch's reset_parameters in closed form: weight and bias uniform in +-1/sqrt(fan_in), where a
/// transposed convolution's fan_in comes from its weight's dim 1 (out_channels / groups) as in PyTorch.
/// </summary>
public class LayerDefaultInitTests
{
    static void CheckUniform(Tensor t, double bound, bool checkSpread)
    {
        Assert.InRange(t.max().item(), checkSpread ? 0.98 * bound : -bound, bound);
        Assert.InRange(t.min().item(), -bound, checkSpread ? -0.98 * bound : bound);
        if (checkSpread) Assert.Equal(bound / Math.Sqrt(3), t.std().item(), 0.04 * bound);
    }

    [Fact]
    public void LinearDrawsFromPlusMinusOneOverSqrtFanIn()
    {
        using var layer = Linear(400, 300);
        using var scope = NewDisposeScope();
        CheckUniform(layer.weight, 1 / Math.Sqrt(400), checkSpread: true);
        CheckUniform(layer.bias!, 1 / Math.Sqrt(400), checkSpread: false);
        Assert.True(layer.bias!.max().item() > 0.9 / Math.Sqrt(400));
    }

    [Fact]
    public void GroupedConv2dFanInIsInChannelsPerGroupTimesKernel()
    {
        using var layer = Conv2d(8, 16, 5, groups: 2);
        using var scope = NewDisposeScope();
        Assert.Equal([16L, 4, 5, 5], layer.weight.shape);
        CheckUniform(layer.weight, 1 / Math.Sqrt(4 * 25), checkSpread: true);
        CheckUniform(layer.bias!, 1 / Math.Sqrt(4 * 25), checkSpread: false);
    }

    [Fact]
    public void ConvTranspose2dFanInIsOutChannelsPerGroupTimesKernel()
    {
        using var layer = ConvTranspose2d(16, 32, 3);
        using var scope = NewDisposeScope();
        Assert.Equal([16L, 32, 3, 3], layer.weight.shape);
        CheckUniform(layer.weight, 1 / Math.Sqrt(32 * 9), checkSpread: true);
        CheckUniform(layer.bias!, 1 / Math.Sqrt(32 * 9), checkSpread: false);
    }

    [Fact]
    public void NormLayersStartAsTheIdentityAffineMap()
    {
        using var bn = BatchNorm2d(3);
        using var ln = LayerNorm([2, 3]);
        Assert.Equal([1f, 1, 1], bn.weight!.data<float>());
        Assert.Equal([0f, 0, 0], bn.bias!.data<float>());
        Assert.Equal([0f, 0, 0], bn.running_mean!.data<float>());
        Assert.Equal([1f, 1, 1], bn.running_var!.data<float>());
        Assert.Equal(0L, bn.num_batches_tracked!.item<long>());
        Assert.Equal(Enumerable.Repeat(1f, 6), ln.weight!.data<float>());
        Assert.Equal([2L, 3], ln.bias!.shape);
    }
}
