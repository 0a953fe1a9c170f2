using static VaeLab.Torch.torch;

namespace VaeLab.Torch.Modules;

/// <summary>max(0, x), as torch.nn.ReLU.</summary>
public sealed class ReLU : nn.Module<Tensor, Tensor>
{
    public override Tensor forward(Tensor input) => input.relu();
}
