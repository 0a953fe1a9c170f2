using TorchSharp;
using static TorchSharp.torch;
using F = TorchSharp.torch.nn.functional;

namespace VaeLab.Metrics;

/// <summary>
/// Image similarity between reconstructions and targets, both [B, C, H, W]: mean squared error, PSNR, SSIM and
/// Pearson's correlation. The results are 0-dim tensors (item() gives the number) computed without autograd.
/// </summary>
public static class ImageSimilarity
{
    /// <summary>Mean of (x - y)^2 over every element, as nn.MSELoss.</summary>
    public static Tensor mse(Tensor x, Tensor y)
    {
        CheckPair(x, y);
        using (no_grad()) return F.mse_loss(x, y);
    }

    /// <summary>Peak signal-to-noise ratio 10 log10(L^2 / MSE) of each image, averaged over the batch; L is the data range.</summary>
    public static Tensor psnr(Tensor x, Tensor y, double data_range = 1)
    {
        CheckPair(x, y);
        using var scope = NewDisposeScope();
        using var _ = no_grad();
        var per_image = (x - y).square().flatten(1).mean([1]);
        return (10 * (data_range * data_range / per_image).log10()).mean().MoveToOuterDisposeScope();
    }

    /// <summary>
    /// Pearson's correlation of all the elements of x with all those of y: one coefficient for the whole batch,
    /// as seed 002 computes it.
    /// </summary>
    public static Tensor pcc(Tensor x, Tensor y)
    {
        CheckPair(x, y);
        using var scope = NewDisposeScope();
        using var _ = no_grad();
        var dx = x - x.mean();
        var dy = y - y.mean();
        return ((dx * dy).sum() / ((dx.square().sum() * dy.square().sum()).sqrt())).MoveToOuterDisposeScope();
    }

    /// <summary>
    /// Structural similarity (Wang et al. 2004) with an 11x11 Gaussian window of sigma 1.5 and the population
    /// (co)variances, as scikit-image's structural_similarity(gaussian_weights=True, use_sample_covariance=False):
    /// SSIM = (2 mu_x mu_y + C1)(2 sigma_xy + C2) / ((mu_x^2 + mu_y^2 + C1)(sigma_x^2 + sigma_y^2 + C2)),
    /// C1 = (0.01 L)^2, C2 = (0.03 L)^2 for data range L. Local statistics come from a per-channel convolution
    /// over the positions where the whole window fits; the map is averaged per image (over channels and positions),
    /// then over the batch, unless per_image asks for the [B] values.
    /// </summary>
    public static Tensor ssim(Tensor x, Tensor y, double data_range = 1, bool per_image = false)
    {
        CheckPair(x, y);
        if (x.dim() != 4) throw new ArgumentException($"ssim takes [B, C, H, W] images, got [{string.Join(", ", x.shape)}]", nameof(x));
        const int Window = 11;
        if (x.size(2) < Window || x.size(3) < Window)
            throw new ArgumentException($"ssim needs images of at least {Window}x{Window}, got {x.size(2)}x{x.size(3)}", nameof(x));

        using var scope = NewDisposeScope();
        using var _ = no_grad();
        var channels = x.size(1);
        var window = GaussianWindow(Window, 1.5, x).expand(channels, 1, Window, Window).contiguous();
        Tensor Filter(Tensor t) => F.conv2d(t, window, groups: channels);

        var (mu_x, mu_y) = (Filter(x), Filter(y));
        var var_x = Filter(x * x) - mu_x.square();
        var var_y = Filter(y * y) - mu_y.square();
        var cov_xy = Filter(x * y) - mu_x * mu_y;
        var (c1, c2) = (Math.Pow(0.01 * data_range, 2), Math.Pow(0.03 * data_range, 2));
        var map = (2 * mu_x * mu_y + c1) * (2 * cov_xy + c2) / ((mu_x.square() + mu_y.square() + c1) * (var_x + var_y + c2));
        var scores = map.flatten(1).mean([1]);
        return (per_image ? scores : scores.mean()).MoveToOuterDisposeScope();
    }

    /// <summary>The normalised 2-D Gaussian exp(-(i^2 + j^2) / (2 sigma^2)) on a size x size grid centred at 0, as [1, 1, size, size].</summary>
    static Tensor GaussianWindow(int size, double sigma, Tensor like)
    {
        var offsets = arange(-(size / 2), size / 2 + 1, 1, like.dtype, like.device);
        var g = (-offsets.square() / (2 * sigma * sigma)).exp();
        g = g / g.sum();
        return g.outer(g).view(1, 1, size, size);
    }

    static void CheckPair(Tensor x, Tensor y)
    {
        if (!x.shape.SequenceEqual(y.shape))
            throw new ArgumentException($"the images differ in shape: [{string.Join(", ", x.shape)}] and [{string.Join(", ", y.shape)}]", nameof(y));
    }
}
