using static VaeLab.Torch.torch;

namespace VaeLab.Torch.Modules;

/// <summary>
/// PyTorch's reset_parameters for Linear and the convolutions: kaiming_uniform with a = sqrt(5),
/// i.e. U(-1/sqrt(fan_in), 1/sqrt(fan_in)) for the weight, and the same bound for the bias. The weight
/// is drawn first, as in PyTorch, so seeded runs match it value for value.
/// </summary>
internal static class DefaultInit
{
    internal static void Apply(nn.Parameter weight, nn.Parameter? bias)
    {
        nn.init.kaiming_uniform_(weight, a: Math.Sqrt(5));
        if (bias is null) return;
        var (fanIn, _) = nn.init._calculate_fan_in_and_fan_out(weight);
        var bound = fanIn > 0 ? 1 / Math.Sqrt(fanIn) : 0;
        nn.init.uniform_(bias, -bound, bound);
    }
}
