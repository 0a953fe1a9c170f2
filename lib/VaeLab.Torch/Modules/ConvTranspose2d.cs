using F = VaeLab.Torch.torch.nn.functional;

namespace VaeLab.Torch.Modules;

/// <summary>
/// Transposed 2-D convolution, as torch.nn.ConvTranspose2d. The weight is [in_channels, out_channels / groups, kH, kW],
/// so its fan-in for the default initialisation is out_channels / groups * kH * kW, exactly as in PyTorch.
/// </summary>
public sealed class ConvTranspose2d : Convolution2d
{
    public Size2 output_padding { get; }

    public ConvTranspose2d(long in_channels, long out_channels, Size2 kernel_size, Size2? stride = null, Size2? padding = null,
        Size2? output_padding = null, long groups = 1, bool bias = true, Size2? dilation = null)
        : base(in_channels, out_channels, kernel_size, stride, padding, dilation, groups, bias, transposed: true)
    {
        this.output_padding = output_padding ?? 0;
        this.output_padding.CheckAtLeast(0, nameof(output_padding));
    }

    public override Tensor forward(Tensor input) =>
        F.conv_transpose2d(input, weight, bias, stride.ToArray(), padding.ToArray(), output_padding.ToArray(), groups, dilation.ToArray());
}
