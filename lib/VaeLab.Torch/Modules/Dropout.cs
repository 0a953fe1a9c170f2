using static VaeLab.Torch.torch;
using F = VaeLab.Torch.torch.nn.functional;

namespace VaeLab.Torch.Modules;

/// <summary>Zeroes each element with probability p and scales the rest by 1 / (1 - p) in training; the identity in eval.</summary>
public sealed class Dropout : nn.Module<Tensor, Tensor>
{
    public double p { get; }

    public Dropout(double p = 0.5)
    {
        if (!(p >= 0 && p <= 1)) throw new ArgumentException($"dropout probability must be in [0, 1], got {p}", nameof(p));
        this.p = p;
    }

    public override Tensor forward(Tensor input) => F.dropout(input, p, training);
}
