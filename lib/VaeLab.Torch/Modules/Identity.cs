using static VaeLab.Torch.torch;

namespace VaeLab.Torch.Modules;

/// <summary>Returns its input, as torch.nn.Identity: a placeholder where a layer is switched off.</summary>
public sealed class Identity : nn.Module<Tensor, Tensor>
{
    public override Tensor forward(Tensor input) => input.alias();
}
