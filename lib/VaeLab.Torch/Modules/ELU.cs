using static VaeLab.Torch.torch;
using F = VaeLab.Torch.torch.nn.functional;

namespace VaeLab.Torch.Modules;

/// <summary>x for x > 0, alpha * (exp(x) - 1) otherwise, as torch.nn.ELU.</summary>
public sealed class ELU(double alpha = 1.0) : nn.Module<Tensor, Tensor>
{
    public double alpha { get; } = alpha;

    public override Tensor forward(Tensor input) => F.elu(input, alpha);
}
