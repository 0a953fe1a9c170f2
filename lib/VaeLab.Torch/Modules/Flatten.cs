using static VaeLab.Torch.torch;

namespace VaeLab.Torch.Modules;

/// <summary>Merges dims start_dim..end_dim into one, by default all but the batch dim, as torch.nn.Flatten.</summary>
public sealed class Flatten(long start_dim = 1, long end_dim = -1) : nn.Module<Tensor, Tensor>
{
    public long start_dim { get; } = start_dim;
    public long end_dim { get; } = end_dim;

    public override Tensor forward(Tensor input) => input.flatten(start_dim, end_dim);
}
