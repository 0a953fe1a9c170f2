namespace VaeLab.Torch.Native;

// Same numbering as the enums in lib/native/src/ops.cpp.
internal enum BinaryOp
{
    Add, Sub, Mul, Div, Pow, Maximum, Minimum, Eq, Ne, Lt, Le, Gt, Ge, Remainder, Atan2,
    LogicalAnd, LogicalOr, FloorDivide, LogicalXor
}

internal enum UnaryOp
{
    Neg, Abs, Exp, Log, Log1p, Expm1, Sqrt, Rsqrt, Sin, Cos, Tanh, Sigmoid, Relu, Floor, Ceil, Round,
    Sign, LogicalNot, Square, Reciprocal, Erf, Softplus, Log2, Log10, Trunc, Frac, Sinh, Cosh, Asin,
    Acos, Atan, IsNan, IsInf, Silu, Gelu, Logit
}

internal enum ReduceOp { Sum, Mean, Prod, Amax, Amin, LogSumExp, Std, Var, Norm, All, Any }
