using static VaeLab.Torch.torch;

namespace VaeLab.Torch.Modules;

/// <summary>
/// What Conv2d and ConvTranspose2d share, as PyTorch's _ConvNd: the hyperparameters and their checks,
/// the weight and bias, and PyTorch's default initialisation. A transposed convolution stores its weight
/// as [in_channels, out_channels / groups, kH, kW], a plain one as [out_channels, in_channels / groups, kH, kW].
/// </summary>
public abstract class Convolution2d : nn.Module<Tensor, Tensor>
{
    public nn.Parameter weight { get; }
    public nn.Parameter? bias { get; }
    public long in_channels { get; }
    public long out_channels { get; }
    public Size2 kernel_size { get; }
    public Size2 stride { get; }
    public Size2 padding { get; }
    public Size2 dilation { get; }
    public long groups { get; }

    private protected Convolution2d(long in_channels, long out_channels, Size2 kernel_size, Size2? stride, Size2? padding,
        Size2? dilation, long groups, bool bias, bool transposed)
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
        this.dilation = dilation ?? 1;
        this.dilation.CheckAtLeast(1, nameof(dilation));
        this.in_channels = in_channels;
        this.out_channels = out_channels;
        this.kernel_size = kernel_size;
        this.groups = groups;
        var (rows, columns) = transposed ? (in_channels, out_channels / groups) : (out_channels, in_channels / groups);
        weight = new nn.Parameter(empty(rows, columns, kernel_size.height, kernel_size.width));
        if (bias) this.bias = new nn.Parameter(empty(out_channels));
        reset_parameters();
    }

    public void reset_parameters() => DefaultInit.Apply(weight, bias);
}
