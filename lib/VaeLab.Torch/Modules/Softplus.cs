using static VaeLab.Torch.torch;
using F = VaeLab.Torch.torch.nn.functional;

namespace VaeLab.Torch.Modules;

/// <summary>log(1 + exp(beta * x)) / beta, linear where beta * x > threshold, as torch.nn.Softplus.</summary>
public sealed class Softplus(double beta = 1, double threshold = 20) : nn.Module<Tensor, Tensor>
{
    public double beta { get; } = beta;
    public double threshold { get; } = threshold;

    public override Tensor forward(Tensor input) => F.softplus(input, beta, threshold);
}
