using F = VaeLab.Torch.torch.nn.functional;

namespace VaeLab.Torch.Modules;

/// <summary>2-D convolution over [N, C, H, W], as torch.nn.Conv2d; weight is [out_channels, in_channels / groups, kH, kW].</summary>
public sealed class Conv2d(long in_channels, long out_channels, Size2 kernel_size, Size2? stride = null, Size2? padding = null,
    Size2? dilation = null, long groups = 1, bool bias = true)
    : Convolution2d(in_channels, out_channels, kernel_size, stride, padding, dilation, groups, bias, transposed: false)
{
    public override Tensor forward(Tensor input) =>
        F.conv2d(input, weight, bias, stride.ToArray(), padding.ToArray(), dilation.ToArray(), groups);
}
