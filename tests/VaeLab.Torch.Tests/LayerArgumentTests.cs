using VaeLab.Torch.Modules;
using static VaeLab.Torch.torch.nn;

namespace VaeLab.Torch.Tests;

/// <summary>Bad layer arguments fail where the layer is built, naming the argument; sizes take one number or a pair.</summary>
public class LayerArgumentTests
{
    static void Fails(string argument, Func<Module> build) =>
        Assert.Equal(argument, Assert.Throws<ArgumentException>(() => build().Dispose()).ParamName);

    [Fact]
    public void NonPositiveSizesAreRejected()
    {
        Fails("in_features", () => Linear(0, 3));
        Fails("out_features", () => Linear(3, -1));
        Fails("in_channels", () => Conv2d(0, 4, 3));
        Fails("kernel_size", () => Conv2d(1, 4, (3, 0)));
        Fails("stride", () => Conv2d(1, 4, 3, stride: 0));
        Fails("padding", () => ConvTranspose2d(1, 4, 3, padding: -1));
        Fails("dilation", () => ConvTranspose2d(1, 4, 3, dilation: (1, 0)));
        Fails("groups", () => Conv2d(4, 4, 3, groups: 0));
        Fails("num_features", () => BatchNorm1d(0));
        Fails("normalized_shape", () => LayerNorm([4, 0]));
        Fails("kernel_size", () => MaxPool2d(0));
        Fails("padding", () => AvgPool2d(2, padding: -1));
    }

    [Fact]
    public void GroupsMustDivideBothChannelCounts()
    {
        Fails("in_channels", () => Conv2d(3, 6, 3, groups: 2));
        Fails("out_channels", () => Conv2d(4, 6, 3, groups: 4));
        Fails("out_channels", () => ConvTranspose2d(4, 3, 3, groups: 2));
    }

    [Fact]
    public void OtherOptionsAreChecked()
    {
        Fails("p", () => Dropout(1.5));
        Fails("size", () => Upsample());
        Fails("scale_factor", () => Upsample(size: 4, scale_factor: 2));
        Fails("mode", () => Upsample(scale_factor: 2, mode: "bicubic"));
        Fails("align_corners", () => Upsample(scale_factor: 2, align_corners: true));
    }

    [Fact]
    public void BatchNormRejectsInputsOfTheWrongRank()
    {
        using var bn2 = BatchNorm2d(3);
        using var bn1 = BatchNorm1d(3);
        using var scope = NewDisposeScope();
        Assert.Equal("input", Assert.Throws<ArgumentException>(() => bn2.call(zeros(2, 3, 4))).ParamName);
        Assert.Equal("input", Assert.Throws<ArgumentException>(() => bn1.call(zeros(2, 3, 4, 4))).ParamName);
    }

    [Fact]
    public void SizesTakeOneNumberOrAPair()
    {
        using var square = Conv2d(2, 4, 3, stride: 2);
        using var rect = ConvTranspose2d(4, 6, (3, 5), stride: (2, 1), groups: 2);
        Assert.Equal(new Size2(3, 3), square.kernel_size);
        Assert.Equal(new Size2(2, 2), square.stride);
        Assert.Equal(new Size2(0, 0), square.padding);
        Assert.Equal([4L, 2, 3, 3], square.weight.shape);
        Assert.Equal([4L, 3, 3, 5], rect.weight.shape);
        Assert.Equal(new Size2(2, 1), rect.stride);
        Assert.Equal(new Size2(3, 5), MaxPool2d((3, 5)).stride);
    }

    [Fact]
    public void BuffersOfAModuleBuiltInsideADisposeScopeOutliveTheScope()
    {
        BatchNorm2d bn;
        using (NewDisposeScope()) bn = BatchNorm2d(3);
        using (bn)
        {
            Assert.False(bn.running_mean!.IsDisposed);
            Assert.False(bn.num_batches_tracked!.IsDisposed);
            Assert.False(bn.weight!.IsDisposed);
        }
    }

    [Fact]
    public void DropoutFollowsTheTrainingFlag()
    {
        using var scope = NewDisposeScope();
        var dropout = Dropout(0.25);
        var x = ones(100, 100);
        var y = dropout.call(x);
        Assert.Equal(0.25, y.eq(0).@float().mean().item(), 0.03);
        Assert.Equal(1 / 0.75, y.max().item(), 1e-6);
        dropout.eval();
        Assert.True(dropout.call(x).equal(x));
    }
}
