using static VaeLab.Torch.torch;
using F = VaeLab.Torch.torch.nn.functional;

namespace VaeLab.Torch.Modules;

/// <summary>Maximum over kernel_size windows, as torch.nn.MaxPool2d; stride defaults to kernel_size.</summary>
public sealed class MaxPool2d : nn.Module<Tensor, Tensor>
{
    public Size2 kernel_size { get; }
    public Size2 stride { get; }
    public Size2 padding { get; }
    public Size2 dilation { get; }
    public bool ceil_mode { get; }

    public MaxPool2d(Size2 kernel_size, Size2? stride = null, Size2? padding = null, Size2? dilation = null, bool ceil_mode = false)
    {
        kernel_size.CheckAtLeast(1, nameof(kernel_size));
        this.kernel_size = kernel_size;
        this.stride = stride ?? kernel_size;
        this.stride.CheckAtLeast(1, nameof(stride));
        this.padding = padding ?? 0;
        this.padding.CheckAtLeast(0, nameof(padding));
        this.dilation = dilation ?? 1;
        this.dilation.CheckAtLeast(1, nameof(dilation));
        this.ceil_mode = ceil_mode;
    }

    public override Tensor forward(Tensor input) =>
        F.max_pool2d(input, kernel_size.ToArray(), stride.ToArray(), padding.ToArray(), dilation.ToArray(), ceil_mode);
}
