using static VaeLab.Torch.torch;
using F = VaeLab.Torch.torch.nn.functional;

namespace VaeLab.Torch.Modules;

/// <summary>
/// Transposed 2-D convolution, as torch.nn.ConvTranspose2d. The weight is [in_channels, out_channels / groups, kH, kW],
/// so its fan-in for the default initialisation is out_channels / groups * kH * kW, exactly as in PyTorch.
/// </summary>
public sealed class ConvTranspose2d : nn.Module<Tensor, Tensor>
{
    public nn.Parameter weight { get; }
    public nn.Parameter? bias { get; }
    public long in_channels { get; }
    public long out_channels { get; }
    public Size2 kernel_size { get; }
    public Size2 stride { get; }
    public Size2 padding { get; }
    public Size2 output_padding { get; }
    public long groups { get; }
    public Size2 dilation { get; }

    public ConvTranspose2d(long in_channels, long out_channels, Size2 kernel_size, Size2? stride = null, Size2? padding = null,
        Size2? output_padding = null, long groups = 1, bool bias = true, Size2? dilation = null)
    {
        Arguments.Positive(in_channels, nameof(in_channels));
        Arguments.Positive(out_channels, nameof(out_channels));
        Arguments.Positive(groups, nameof(groups));
        Arguments.DividedByGroups(in_channels, groups, nameof(in_channels));
        Arguments.DividedByGroups(out_channels, groups, nameof(out_channels));
        kernel_size.CheckAtLeast(1, nameof(kernel_size));
        this.stride = stride ?? 1;
        this.stride.CheckAtLeast(1, nameof(stride));
        this.padding = padding ?? 0;
        this.padding.CheckAtLeast(0, nameof(padding));
        this.output_padding = output_padding ?? 0;
        this.output_padding.CheckAtLeast(0, nameof(output_padding));
        this.dilation = dilation ?? 1;
        this.dilation.CheckAtLeast(1, nameof(dilation));
        this.in_channels = in_channels;
        this.out_channels = out_channels;
        this.kernel_size = kernel_size;
        this.groups = groups;
        weight = new nn.Parameter(empty(in_channels, out_channels / groups, kernel_size.height, kernel_size.width));
        if (bias) this.bias = new nn.Parameter(empty(out_channels));
        reset_parameters();
    }

    public void reset_parameters() => DefaultInit.Apply(weight, bias);

    public override Tensor forward(Tensor input) =>
        F.conv_transpose2d(input, weight, bias, stride.ToArray(), padding.ToArray(), output_padding.ToArray(), groups, dilation.ToArray());
}
