using static VaeLab.Torch.torch;

namespace VaeLab.Torch.Modules;

/// <summary>The hyperbolic tangent, as torch.nn.Tanh.</summary>
public sealed class Tanh : nn.Module<Tensor, Tensor>
{
    public override Tensor forward(Tensor input) => input.tanh();
}
