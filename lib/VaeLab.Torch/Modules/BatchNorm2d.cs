namespace VaeLab.Torch.Modules;

/// <summary>Batch normalisation of [N, C, H, W] inputs over C, as torch.nn.BatchNorm2d.</summary>
public sealed class BatchNorm2d(long num_features, double eps = 1e-5, double? momentum = 0.1, bool affine = true, bool track_running_stats = true)
    : BatchNorm(num_features, eps, momentum, affine, track_running_stats)
{
    protected override void check_input_dim(Tensor input)
    {
        if (input.dim() != 4)
            throw new ArgumentException($"BatchNorm2d expects a 4D input, got {input.dim()}D", nameof(input));
    }
}
