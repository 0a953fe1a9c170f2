using static VaeLab.Torch.torch;
using F = VaeLab.Torch.torch.nn.functional;

namespace VaeLab.Torch.Modules;

/// <summary>Mean over kernel_size windows, as torch.nn.AvgPool2d; stride defaults to kernel_size.</summary>
public sealed class AvgPool2d : nn.Module<Tensor, Tensor>
{
    public Size2 kernel_size { get; }
    public Size2 stride { get; }
    public Size2 padding { get; }
    public bool ceil_mode { get; }
    public bool count_include_pad { get; }

    public AvgPool2d(Size2 kernel_size, Size2? stride = null, Size2? padding = null, bool ceil_mode = false, bool count_include_pad = true)
    {
        kernel_size.CheckAtLeast(1, nameof(kernel_size));
        this.kernel_size = kernel_size;
        this.stride = stride ?? kernel_size;
        this.stride.CheckAtLeast(1, nameof(stride));
        this.padding = padding ?? 0;
        this.padding.CheckAtLeast(0, nameof(padding));
        this.ceil_mode = ceil_mode;
        this.count_include_pad = count_include_pad;
    }

    public override Tensor forward(Tensor input) =>
        F.avg_pool2d(input, kernel_size.ToArray(), stride.ToArray(), padding.ToArray(), ceil_mode, count_include_pad);
}
