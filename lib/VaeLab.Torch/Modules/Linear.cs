using static VaeLab.Torch.torch;
using F = VaeLab.Torch.torch.nn.functional;

namespace VaeLab.Torch.Modules;

/// <summary>y = x W^T + b over the last dim, as torch.nn.Linear; weight is [out_features, in_features].</summary>
public sealed class Linear : nn.Module<Tensor, Tensor>
{
    public nn.Parameter weight { get; }
    public nn.Parameter? bias { get; }
    public long in_features { get; }
    public long out_features { get; }

    public Linear(long in_features, long out_features, bool bias = true)
    {
        Arguments.Positive(in_features, nameof(in_features));
        Arguments.Positive(out_features, nameof(out_features));
        this.in_features = in_features;
        this.out_features = out_features;
        weight = new nn.Parameter(empty(out_features, in_features));
        if (bias) this.bias = new nn.Parameter(empty(out_features));
        reset_parameters();
    }

    public void reset_parameters() => DefaultInit.Apply(weight, bias);

    public override Tensor forward(Tensor input) => F.linear(input, weight, bias);
}
