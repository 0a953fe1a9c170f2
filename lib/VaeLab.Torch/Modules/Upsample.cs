using static VaeLab.Torch.torch;
using F = VaeLab.Torch.torch.nn.functional;

namespace VaeLab.Torch.Modules;

/// <summary>
/// Resizes [N, C, H, W] inputs to size or by scale_factor (exactly one of them), as torch.nn.Upsample;
/// mode "nearest" or "bilinear". align_corners applies to bilinear only, as in PyTorch.
/// </summary>
public sealed class Upsample : nn.Module<Tensor, Tensor>
{
    public Size2? size { get; }
    public double? scale_factor { get; }
    public string mode { get; }
    public bool? align_corners { get; }

    public Upsample(Size2? size = null, double? scale_factor = null, string mode = "nearest", bool? align_corners = null)
    {
        if ((size is null) == (scale_factor is null))
            throw new ArgumentException("Upsample takes exactly one of size and scale_factor", size is null ? nameof(size) : nameof(scale_factor));
        size?.CheckAtLeast(1, nameof(size));
        if (scale_factor is { } factor && !(factor > 0))
            throw new ArgumentException($"scale_factor must be positive, got {factor}", nameof(scale_factor));
        if (mode is not ("nearest" or "bilinear"))
            throw new ArgumentException($"Upsample mode '{mode}' is not supported: use nearest or bilinear", nameof(mode));
        if (mode == "nearest" && align_corners is not null)
            throw new ArgumentException("align_corners can only be set with mode bilinear", nameof(align_corners));
        this.size = size;
        this.scale_factor = scale_factor;
        this.mode = mode;
        this.align_corners = align_corners;
    }

    public override Tensor forward(Tensor input) =>
        F.interpolate(input, size?.ToArray(), scale_factor is { } s ? [s] : null, mode, align_corners ?? false);
}
