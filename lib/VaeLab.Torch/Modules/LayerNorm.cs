using static VaeLab.Torch.torch;
using F = VaeLab.Torch.torch.nn.functional;

namespace VaeLab.Torch.Modules;

/// <summary>Normalises over the last dims given by normalized_shape, as torch.nn.LayerNorm.</summary>
public sealed class LayerNorm : nn.Module<Tensor, Tensor>
{
    public nn.Parameter? weight { get; }
    public nn.Parameter? bias { get; }
    public long[] normalized_shape { get; }
    public double eps { get; }
    public bool elementwise_affine { get; }

    public LayerNorm(long[] normalized_shape, double eps = 1e-5, bool elementwise_affine = true)
    {
        if (normalized_shape.Length == 0) throw new ArgumentException("normalized_shape needs at least one dim", nameof(normalized_shape));
        foreach (var n in normalized_shape) Arguments.Positive(n, nameof(normalized_shape));
        if (!(eps > 0)) throw new ArgumentException($"eps must be positive, got {eps}", nameof(eps));
        this.normalized_shape = (long[])normalized_shape.Clone();
        this.eps = eps;
        this.elementwise_affine = elementwise_affine;
        if (elementwise_affine)
        {
            weight = new nn.Parameter(ones(normalized_shape));
            bias = new nn.Parameter(zeros(normalized_shape));
        }
    }

    public override Tensor forward(Tensor input) => F.layer_norm(input, normalized_shape, weight, bias, eps);
}
