using static VaeLab.Torch.torch;
using F = VaeLab.Torch.torch.nn.functional;

namespace VaeLab.Torch.Modules;

/// <summary>x for x >= 0, negative_slope * x otherwise, as torch.nn.LeakyReLU.</summary>
public sealed class LeakyReLU(double negative_slope = 0.01) : nn.Module<Tensor, Tensor>
{
    public double negative_slope { get; } = negative_slope;

    public override Tensor forward(Tensor input) => F.leaky_relu(input, negative_slope);
}
