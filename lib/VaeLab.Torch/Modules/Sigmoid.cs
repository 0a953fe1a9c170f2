using static VaeLab.Torch.torch;

namespace VaeLab.Torch.Modules;

/// <summary>1 / (1 + exp(-x)), as torch.nn.Sigmoid.</summary>
public sealed class Sigmoid : nn.Module<Tensor, Tensor>
{
    public override Tensor forward(Tensor input) => input.sigmoid();
}
