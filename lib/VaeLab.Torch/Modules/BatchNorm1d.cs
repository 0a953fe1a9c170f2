namespace VaeLab.Torch.Modules;

/// <summary>Batch normalisation of [N, C] or [N, C, L] inputs over C, as torch.nn.BatchNorm1d.</summary>
public sealed class BatchNorm1d(long num_features, double eps = 1e-5, double? momentum = 0.1, bool affine = true, bool track_running_stats = true)
    : BatchNorm(num_features, eps, momentum, affine, track_running_stats)
{
    protected override void check_input_dim(Tensor input)
    {
        if (input.dim() is not (2 or 3))
            throw new ArgumentException($"BatchNorm1d expects a 2D or 3D input, got {input.dim()}D", nameof(input));
    }
}
