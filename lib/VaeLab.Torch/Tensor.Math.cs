using VaeLab.Torch.Native;
using static VaeLab.Torch.Native.NativeMethods;

namespace VaeLab.Torch;

// Element-wise math, comparisons, reductions and matrix products, with C# operators.
public partial class Tensor
{
    Tensor Binary(BinaryOp op, Tensor other, string name) => Checked.Wrap(vt_binary(op, Handle, other.Handle), name);
    Tensor Binary(BinaryOp op, double other, string name) => Checked.Wrap(vt_binary_scalar(op, Handle, other), name);
    Tensor Unary(UnaryOp op, string name) => Checked.Wrap(vt_unary(op, Handle), name);

    Tensor BinaryInPlace(BinaryOp op, Tensor other, string name)
    {
        Checked.Status(vt_binary_(op, Handle, other.Handle), name);
        return this;
    }

    Tensor BinaryInPlace(BinaryOp op, double other, string name)
    {
        Checked.Status(vt_binary_scalar_(op, Handle, other), name);
        return this;
    }

    Tensor UnaryInPlace(UnaryOp op, string name)
    {
        Checked.Status(vt_unary_(op, Handle), name);
        return this;
    }

    // ---- operators ---------------------------------------------------------------------------
    public static Tensor operator +(Tensor a, Tensor b) => a.Binary(BinaryOp.Add, b, "add");
    public static Tensor operator +(Tensor a, double b) => a.Binary(BinaryOp.Add, b, "add");
    public static Tensor operator +(double a, Tensor b) => b.Binary(BinaryOp.Add, a, "add");
    public static Tensor operator -(Tensor a, Tensor b) => a.Binary(BinaryOp.Sub, b, "sub");
    public static Tensor operator -(Tensor a, double b) => a.Binary(BinaryOp.Sub, b, "sub");
    public static Tensor operator -(double a, Tensor b) => Checked.Wrap(vt_scalar_binary(BinaryOp.Sub, a, b.Handle), "rsub");
    public static Tensor operator *(Tensor a, Tensor b) => a.Binary(BinaryOp.Mul, b, "mul");
    public static Tensor operator *(Tensor a, double b) => a.Binary(BinaryOp.Mul, b, "mul");
    public static Tensor operator *(double a, Tensor b) => b.Binary(BinaryOp.Mul, a, "mul");
    public static Tensor operator /(Tensor a, Tensor b) => a.Binary(BinaryOp.Div, b, "div");
    public static Tensor operator /(Tensor a, double b) => a.Binary(BinaryOp.Div, b, "div");
    public static Tensor operator /(double a, Tensor b) => Checked.Wrap(vt_scalar_binary(BinaryOp.Div, a, b.Handle), "div");
    public static Tensor operator %(Tensor a, Tensor b) => a.Binary(BinaryOp.Remainder, b, "remainder");
    public static Tensor operator %(Tensor a, double b) => a.Binary(BinaryOp.Remainder, b, "remainder");
    public static Tensor operator -(Tensor a) => a.Unary(UnaryOp.Neg, "neg");
    public static Tensor operator <(Tensor a, Tensor b) => a.Binary(BinaryOp.Lt, b, "lt");
    public static Tensor operator >(Tensor a, Tensor b) => a.Binary(BinaryOp.Gt, b, "gt");
    public static Tensor operator <=(Tensor a, Tensor b) => a.Binary(BinaryOp.Le, b, "le");
    public static Tensor operator >=(Tensor a, Tensor b) => a.Binary(BinaryOp.Ge, b, "ge");
    public static Tensor operator <(Tensor a, double b) => a.Binary(BinaryOp.Lt, b, "lt");
    public static Tensor operator >(Tensor a, double b) => a.Binary(BinaryOp.Gt, b, "gt");
    public static Tensor operator <=(Tensor a, double b) => a.Binary(BinaryOp.Le, b, "le");
    public static Tensor operator >=(Tensor a, double b) => a.Binary(BinaryOp.Ge, b, "ge");
    public static Tensor operator &(Tensor a, Tensor b) => a.Binary(BinaryOp.LogicalAnd, b, "logical_and");
    public static Tensor operator |(Tensor a, Tensor b) => a.Binary(BinaryOp.LogicalOr, b, "logical_or");
    public static Tensor operator ^(Tensor a, Tensor b) => a.Binary(BinaryOp.LogicalXor, b, "logical_xor");
    public static Tensor operator !(Tensor a) => a.Unary(UnaryOp.LogicalNot, "logical_not");

    // ---- binary methods ----------------------------------------------------------------------
    public Tensor add(Tensor other, double alpha = 1) =>
        alpha == 1 ? Binary(BinaryOp.Add, other, "add") : Checked.Wrap(vt_add_scaled(Handle, other.Handle, alpha), "add");
    public Tensor add(double other) => Binary(BinaryOp.Add, other, "add");
    public Tensor sub(Tensor other) => Binary(BinaryOp.Sub, other, "sub");
    public Tensor sub(double other) => Binary(BinaryOp.Sub, other, "sub");
    public Tensor mul(Tensor other) => Binary(BinaryOp.Mul, other, "mul");
    public Tensor mul(double other) => Binary(BinaryOp.Mul, other, "mul");
    public Tensor div(Tensor other) => Binary(BinaryOp.Div, other, "div");
    public Tensor div(double other) => Binary(BinaryOp.Div, other, "div");
    public Tensor pow(Tensor exponent) => Binary(BinaryOp.Pow, exponent, "pow");
    public Tensor pow(double exponent) => Binary(BinaryOp.Pow, exponent, "pow");
    public Tensor remainder(double other) => Binary(BinaryOp.Remainder, other, "remainder");
    public Tensor floor_divide(Tensor other) => Binary(BinaryOp.FloorDivide, other, "floor_divide");
    public Tensor floor_divide(double other) => Binary(BinaryOp.FloorDivide, other, "floor_divide");
    public Tensor maximum(Tensor other) => Binary(BinaryOp.Maximum, other, "maximum");
    public Tensor minimum(Tensor other) => Binary(BinaryOp.Minimum, other, "minimum");
    public Tensor atan2(Tensor other) => Binary(BinaryOp.Atan2, other, "atan2");
    public Tensor eq(Tensor other) => Binary(BinaryOp.Eq, other, "eq");
    public Tensor eq(double other) => Binary(BinaryOp.Eq, other, "eq");
    public Tensor ne(Tensor other) => Binary(BinaryOp.Ne, other, "ne");
    public Tensor ne(double other) => Binary(BinaryOp.Ne, other, "ne");
    public Tensor lt(Tensor other) => Binary(BinaryOp.Lt, other, "lt");
    public Tensor lt(double other) => Binary(BinaryOp.Lt, other, "lt");
    public Tensor le(Tensor other) => Binary(BinaryOp.Le, other, "le");
    public Tensor le(double other) => Binary(BinaryOp.Le, other, "le");
    public Tensor gt(Tensor other) => Binary(BinaryOp.Gt, other, "gt");
    public Tensor gt(double other) => Binary(BinaryOp.Gt, other, "gt");
    public Tensor ge(Tensor other) => Binary(BinaryOp.Ge, other, "ge");
    public Tensor ge(double other) => Binary(BinaryOp.Ge, other, "ge");
    public Tensor logical_and(Tensor other) => Binary(BinaryOp.LogicalAnd, other, "logical_and");
    public Tensor logical_or(Tensor other) => Binary(BinaryOp.LogicalOr, other, "logical_or");
    public Tensor logical_not() => Unary(UnaryOp.LogicalNot, "logical_not");
    public Tensor lerp(Tensor end, double weight) => Checked.Wrap(vt_lerp(Handle, end.Handle, weight), nameof(lerp));

    public Tensor add_(Tensor other, double alpha = 1)
    {
        if (alpha == 1) return BinaryInPlace(BinaryOp.Add, other, "add_");
        Checked.Status(vt_add_scaled_(Handle, other.Handle, alpha), "add_");
        return this;
    }

    public Tensor add_(double other) => BinaryInPlace(BinaryOp.Add, other, "add_");
    public Tensor sub_(Tensor other) => BinaryInPlace(BinaryOp.Sub, other, "sub_");
    public Tensor sub_(double other) => BinaryInPlace(BinaryOp.Sub, other, "sub_");
    public Tensor mul_(Tensor other) => BinaryInPlace(BinaryOp.Mul, other, "mul_");
    public Tensor mul_(double other) => BinaryInPlace(BinaryOp.Mul, other, "mul_");
    public Tensor div_(Tensor other) => BinaryInPlace(BinaryOp.Div, other, "div_");
    public Tensor div_(double other) => BinaryInPlace(BinaryOp.Div, other, "div_");
    public Tensor pow_(double exponent) => BinaryInPlace(BinaryOp.Pow, exponent, "pow_");

    // ---- unary -------------------------------------------------------------------------------
    public Tensor neg() => Unary(UnaryOp.Neg, nameof(neg));
    public Tensor abs() => Unary(UnaryOp.Abs, nameof(abs));
    public Tensor exp() => Unary(UnaryOp.Exp, nameof(exp));
    public Tensor log() => Unary(UnaryOp.Log, nameof(log));
    public Tensor log1p() => Unary(UnaryOp.Log1p, nameof(log1p));
    public Tensor log2() => Unary(UnaryOp.Log2, nameof(log2));
    public Tensor log10() => Unary(UnaryOp.Log10, nameof(log10));
    public Tensor expm1() => Unary(UnaryOp.Expm1, nameof(expm1));
    public Tensor sqrt() => Unary(UnaryOp.Sqrt, nameof(sqrt));
    public Tensor rsqrt() => Unary(UnaryOp.Rsqrt, nameof(rsqrt));
    public Tensor square() => Unary(UnaryOp.Square, nameof(square));
    public Tensor reciprocal() => Unary(UnaryOp.Reciprocal, nameof(reciprocal));
    public Tensor sin() => Unary(UnaryOp.Sin, nameof(sin));
    public Tensor cos() => Unary(UnaryOp.Cos, nameof(cos));
    public Tensor sinh() => Unary(UnaryOp.Sinh, nameof(sinh));
    public Tensor cosh() => Unary(UnaryOp.Cosh, nameof(cosh));
    public Tensor asin() => Unary(UnaryOp.Asin, nameof(asin));
    public Tensor acos() => Unary(UnaryOp.Acos, nameof(acos));
    public Tensor atan() => Unary(UnaryOp.Atan, nameof(atan));
    public Tensor tanh() => Unary(UnaryOp.Tanh, nameof(tanh));
    public Tensor sigmoid() => Unary(UnaryOp.Sigmoid, nameof(sigmoid));
    public Tensor relu() => Unary(UnaryOp.Relu, nameof(relu));
    public Tensor erf() => Unary(UnaryOp.Erf, nameof(erf));
    public Tensor floor() => Unary(UnaryOp.Floor, nameof(floor));
    public Tensor ceil() => Unary(UnaryOp.Ceil, nameof(ceil));
    public Tensor round() => Unary(UnaryOp.Round, nameof(round));
    public Tensor trunc() => Unary(UnaryOp.Trunc, nameof(trunc));
    public Tensor frac() => Unary(UnaryOp.Frac, nameof(frac));
    public Tensor sign() => Unary(UnaryOp.Sign, nameof(sign));
    public Tensor isnan() => Unary(UnaryOp.IsNan, nameof(isnan));
    public Tensor isinf() => Unary(UnaryOp.IsInf, nameof(isinf));
    public Tensor logit() => Unary(UnaryOp.Logit, nameof(logit));

    public Tensor neg_() => UnaryInPlace(UnaryOp.Neg, nameof(neg_));
    public Tensor abs_() => UnaryInPlace(UnaryOp.Abs, nameof(abs_));
    public Tensor exp_() => UnaryInPlace(UnaryOp.Exp, nameof(exp_));
    public Tensor log_() => UnaryInPlace(UnaryOp.Log, nameof(log_));
    public Tensor sqrt_() => UnaryInPlace(UnaryOp.Sqrt, nameof(sqrt_));
    public Tensor tanh_() => UnaryInPlace(UnaryOp.Tanh, nameof(tanh_));
    public Tensor sigmoid_() => UnaryInPlace(UnaryOp.Sigmoid, nameof(sigmoid_));
    public Tensor relu_() => UnaryInPlace(UnaryOp.Relu, nameof(relu_));
    public Tensor floor_() => UnaryInPlace(UnaryOp.Floor, nameof(floor_));
    public Tensor round_() => UnaryInPlace(UnaryOp.Round, nameof(round_));

    /// <summary>Clamps to [min, max]; a null bound is open.</summary>
    public Tensor clamp(double? min = null, double? max = null) =>
        Checked.Wrap(vt_clamp(Handle, min ?? double.NaN, max ?? double.NaN), nameof(clamp));

    public Tensor clamp(Tensor? min, Tensor? max)
    {
        var result = Checked.Wrap(vt_clamp_tensor(Handle, min?.Pointer ?? IntPtr.Zero, max?.Pointer ?? IntPtr.Zero), nameof(clamp));
        GC.KeepAlive(min);
        GC.KeepAlive(max);
        return result;
    }

    public Tensor clamp_(double? min = null, double? max = null)
    {
        Checked.Status(vt_clamp_(Handle, min ?? double.NaN, max ?? double.NaN), nameof(clamp_));
        return this;
    }

    public Tensor clip(double? min = null, double? max = null) => clamp(min, max);

    public Tensor masked_fill(Tensor mask, double value) => Checked.Wrap(vt_masked_fill(Handle, mask.Handle, value), nameof(masked_fill));

    public Tensor masked_fill_(Tensor mask, double value)
    {
        Checked.Status(vt_masked_fill_(Handle, mask.Handle, value), nameof(masked_fill_));
        return this;
    }

    public Tensor masked_select(Tensor mask) => Checked.Wrap(vt_masked_select(Handle, mask.Handle), nameof(masked_select));

    public bool allclose(Tensor other, double rtol = 1e-5, double atol = 1e-8)
    {
        Checked.Status(vt_allclose(Handle, other.Handle, rtol, atol, out var result), nameof(allclose));
        return result != 0;
    }

    public bool equal(Tensor other)
    {
        Checked.Status(vt_equal(Handle, other.Handle, out var result), nameof(equal));
        return result != 0;
    }

    // ---- reductions --------------------------------------------------------------------------
    unsafe Tensor Reduce(ReduceOp op, ReadOnlySpan<long> dims, bool allDims, bool keepdim, bool unbiased, string name)
    {
        fixed (long* p = dims)
            return Checked.Wrap(vt_reduce(op, Handle, p, dims.Length, allDims ? 1 : 0, keepdim ? 1 : 0, unbiased ? 1 : 0), name);
    }

    public Tensor sum() => Reduce(ReduceOp.Sum, default, true, false, false, nameof(sum));
    public Tensor sum(long dim, bool keepdim = false) => Reduce(ReduceOp.Sum, [dim], false, keepdim, false, nameof(sum));
    public Tensor sum(long[] dims, bool keepdim = false) => Reduce(ReduceOp.Sum, dims, false, keepdim, false, nameof(sum));
    public Tensor mean() => Reduce(ReduceOp.Mean, default, true, false, false, nameof(mean));
    public Tensor mean(long dim, bool keepdim = false) => Reduce(ReduceOp.Mean, [dim], false, keepdim, false, nameof(mean));
    public Tensor mean(long[] dims, bool keepdim = false) => Reduce(ReduceOp.Mean, dims, false, keepdim, false, nameof(mean));
    public Tensor prod() => Reduce(ReduceOp.Prod, default, true, false, false, nameof(prod));
    public Tensor prod(long dim, bool keepdim = false) => Reduce(ReduceOp.Prod, [dim], false, keepdim, false, nameof(prod));
    public Tensor amax(long dim, bool keepdim = false) => Reduce(ReduceOp.Amax, [dim], false, keepdim, false, nameof(amax));
    public Tensor amax(long[] dims, bool keepdim = false) => Reduce(ReduceOp.Amax, dims, false, keepdim, false, nameof(amax));
    public Tensor amin(long dim, bool keepdim = false) => Reduce(ReduceOp.Amin, [dim], false, keepdim, false, nameof(amin));
    public Tensor amin(long[] dims, bool keepdim = false) => Reduce(ReduceOp.Amin, dims, false, keepdim, false, nameof(amin));
    public Tensor logsumexp(long dim, bool keepdim = false) => Reduce(ReduceOp.LogSumExp, [dim], false, keepdim, false, nameof(logsumexp));
    public Tensor logsumexp(long[] dims, bool keepdim = false) => Reduce(ReduceOp.LogSumExp, dims, false, keepdim, false, nameof(logsumexp));
    public Tensor std(bool unbiased = true) => Reduce(ReduceOp.Std, default, true, false, unbiased, nameof(std));
    public Tensor std(long dim, bool unbiased = true, bool keepdim = false) => Reduce(ReduceOp.Std, [dim], false, keepdim, unbiased, nameof(std));
    public Tensor std(long[] dims, bool unbiased = true, bool keepdim = false) => Reduce(ReduceOp.Std, dims, false, keepdim, unbiased, nameof(std));
    public Tensor var(bool unbiased = true) => Reduce(ReduceOp.Var, default, true, false, unbiased, nameof(var));
    public Tensor var(long dim, bool unbiased = true, bool keepdim = false) => Reduce(ReduceOp.Var, [dim], false, keepdim, unbiased, nameof(var));
    public Tensor var(long[] dims, bool unbiased = true, bool keepdim = false) => Reduce(ReduceOp.Var, dims, false, keepdim, unbiased, nameof(var));
    public Tensor norm() => Reduce(ReduceOp.Norm, default, true, false, false, nameof(norm));
    // Dims as an array on purpose: in PyTorch x.norm(1) means p = 1, so a lone long here would mislead ported code.
    public Tensor norm(long[] dim, bool keepdim = false) => Reduce(ReduceOp.Norm, dim, false, keepdim, false, nameof(norm));
    public Tensor all() => Reduce(ReduceOp.All, default, true, false, false, nameof(all));
    public Tensor all(long dim, bool keepdim = false) => Reduce(ReduceOp.All, [dim], false, keepdim, false, nameof(all));
    public Tensor any() => Reduce(ReduceOp.Any, default, true, false, false, nameof(any));
    public Tensor any(long dim, bool keepdim = false) => Reduce(ReduceOp.Any, [dim], false, keepdim, false, nameof(any));

    public Tensor max() => Checked.Wrap(vt_max_all(Handle), nameof(max));
    public Tensor min() => Checked.Wrap(vt_min_all(Handle), nameof(min));

    /// <summary>Largest values along a dim and where they are.</summary>
    public (Tensor values, Tensor indices) max(long dim, bool keepdim = false) =>
        Checked.Pair(vt_max_min_dim(0, Handle, dim, keepdim ? 1 : 0, out var v, out var i), v, i, nameof(max));

    public (Tensor values, Tensor indices) min(long dim, bool keepdim = false) =>
        Checked.Pair(vt_max_min_dim(1, Handle, dim, keepdim ? 1 : 0, out var v, out var i), v, i, nameof(min));

    public Tensor max(Tensor other) => maximum(other);
    public Tensor min(Tensor other) => minimum(other);
    public Tensor argmax() => Checked.Wrap(vt_arg_max_min(0, Handle, 0, 0, 0), nameof(argmax));
    public Tensor argmax(long dim, bool keepdim = false) => Checked.Wrap(vt_arg_max_min(0, Handle, dim, 1, keepdim ? 1 : 0), nameof(argmax));
    public Tensor argmin() => Checked.Wrap(vt_arg_max_min(1, Handle, 0, 0, 0), nameof(argmin));
    public Tensor argmin(long dim, bool keepdim = false) => Checked.Wrap(vt_arg_max_min(1, Handle, dim, 1, keepdim ? 1 : 0), nameof(argmin));
    public Tensor cumsum(long dim) => Checked.Wrap(vt_cumsum(Handle, dim), nameof(cumsum));

    public (Tensor values, Tensor indices) sort(long dim = -1, bool descending = false) =>
        Checked.Pair(vt_sort(Handle, dim, descending ? 1 : 0, out var v, out var i), v, i, nameof(sort));

    public (Tensor values, Tensor indices) topk(long k, long dim = -1, bool largest = true) =>
        Checked.Pair(vt_topk(Handle, k, dim, largest ? 1 : 0, out var v, out var i), v, i, nameof(topk));

    // ---- matrix products ---------------------------------------------------------------------
    public Tensor matmul(Tensor other) => Checked.Wrap(vt_matmul(Handle, other.Handle), nameof(matmul));
    public Tensor mm(Tensor other) => Checked.Wrap(vt_mm(Handle, other.Handle), nameof(mm));
    public Tensor bmm(Tensor other) => Checked.Wrap(vt_bmm(Handle, other.Handle), nameof(bmm));
    public Tensor outer(Tensor other) => Checked.Wrap(vt_outer(Handle, other.Handle), nameof(outer));
    public Tensor t() => transpose(0, 1);
    /// <summary>Transpose of the last two dims (batched matrix transpose).</summary>
    public Tensor mT => transpose(-2, -1);
}
