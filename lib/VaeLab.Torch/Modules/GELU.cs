using static VaeLab.Torch.torch;
using F = VaeLab.Torch.torch.nn.functional;

namespace VaeLab.Torch.Modules;

/// <summary>x * Phi(x) with the exact Gaussian CDF, as torch.nn.GELU().</summary>
public sealed class GELU : nn.Module<Tensor, Tensor>
{
    public override Tensor forward(Tensor input) => F.gelu(input);
}
