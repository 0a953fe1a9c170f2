using VaeLab.Torch.Native;
using static VaeLab.Torch.Native.NativeMethods;

namespace VaeLab.Torch;

public static partial class torch
{
    public static Tensor pow(Tensor input, Tensor exponent) => input.pow(exponent);
    public static Tensor pow(Tensor input, double exponent) => input.pow(exponent);

    /// <summary>A number raised to tensor powers, as <c>2 ** x</c> in Python.</summary>
    public static Tensor pow(double self, Tensor exponent) => Checked.Wrap(vt_scalar_binary(BinaryOp.Pow, self, exponent.Handle), nameof(pow));
}
