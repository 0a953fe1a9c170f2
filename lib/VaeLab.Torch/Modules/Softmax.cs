using static VaeLab.Torch.torch;
using F = VaeLab.Torch.torch.nn.functional;

namespace VaeLab.Torch.Modules;

/// <summary>exp(x) normalised to sum to one along dim, as torch.nn.Softmax.</summary>
public sealed class Softmax(long dim) : nn.Module<Tensor, Tensor>
{
    public long dim { get; } = dim;

    public override Tensor forward(Tensor input) => F.softmax(input, dim);
}
