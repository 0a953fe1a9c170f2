// Element-wise math, comparisons, reductions, linear algebra and shape operations.
// Families of similar ops share one entry point keyed by a small enum; the C# side keeps the
// same numbering (VaeLab.Torch/Native/OpCodes.cs) and names the op in its errors.
#include "common.h"
#include <ATen/ScalarOps.h>

namespace {

// The C# API passes every number as a double. A whole number next to an integer tensor acts as a
// Python int (int_tensor * 2 stays int64), any other as a Python float (2.5 - int_tensor is float32),
// which is what the caller wrote in the ported code.
at::Scalar python_number(double s, const at::Tensor& like) {
  bool whole = std::nearbyint(s) == s && std::abs(s) < 9.0e15;
  bool integral_tensor = !at::isFloatingType(like.scalar_type()) && like.scalar_type() != at::kBool;
  return whole && integral_tensor ? at::Scalar(static_cast<int64_t>(s)) : at::Scalar(s);
}

// The number as a tensor that takes part in type promotion as a scalar, not as a 0-dim tensor.
at::Tensor number(double s, const at::Tensor& like) {
  return at::native::wrapped_scalar_tensor(python_number(s, like), like.device());
}

enum class Binary {
  Add, Sub, Mul, Div, Pow, Maximum, Minimum, Eq, Ne, Lt, Le, Gt, Ge, Remainder, Atan2,
  LogicalAnd, LogicalOr, FloorDivide, LogicalXor
};

at::Tensor binary(Binary op, const at::Tensor& a, const at::Tensor& b) {
  switch (op) {
    case Binary::Add: return at::add(a, b);
    case Binary::Sub: return at::sub(a, b);
    case Binary::Mul: return at::mul(a, b);
    case Binary::Div: return at::div(a, b);
    case Binary::Pow: return at::pow(a, b);
    case Binary::Maximum: return at::maximum(a, b);
    case Binary::Minimum: return at::minimum(a, b);
    case Binary::Eq: return at::eq(a, b);
    case Binary::Ne: return at::ne(a, b);
    case Binary::Lt: return at::lt(a, b);
    case Binary::Le: return at::le(a, b);
    case Binary::Gt: return at::gt(a, b);
    case Binary::Ge: return at::ge(a, b);
    case Binary::Remainder: return at::remainder(a, b);
    case Binary::Atan2: return at::atan2(a, b);
    case Binary::LogicalAnd: return at::logical_and(a, b);
    case Binary::LogicalOr: return at::logical_or(a, b);
    case Binary::FloorDivide: return at::div(a, b, "floor");
    case Binary::LogicalXor: return at::logical_xor(a, b);
  }
  TORCH_CHECK(false, "unknown binary op ", static_cast<int>(op));
}

at::Tensor& binary_inplace(Binary op, at::Tensor& a, const at::Tensor& b) {
  switch (op) {
    case Binary::Add: return a.add_(b);
    case Binary::Sub: return a.sub_(b);
    case Binary::Mul: return a.mul_(b);
    case Binary::Div: return a.div_(b);
    case Binary::Pow: return a.pow_(b);
    default: TORCH_CHECK(false, "binary op ", static_cast<int>(op), " has no in-place form");
  }
}

at::Tensor binary_scalar(Binary op, const at::Tensor& a, double value) {
  auto s = python_number(value, a);
  switch (op) {
    case Binary::Add: return at::add(a, s);
    case Binary::Sub: return at::sub(a, s);
    case Binary::Mul: return at::mul(a, s);
    case Binary::Div: return at::div(a, s);
    case Binary::Pow: return at::pow(a, s);
    case Binary::Eq: return at::eq(a, s);
    case Binary::Ne: return at::ne(a, s);
    case Binary::Lt: return at::lt(a, s);
    case Binary::Le: return at::le(a, s);
    case Binary::Gt: return at::gt(a, s);
    case Binary::Ge: return at::ge(a, s);
    case Binary::Remainder: return at::remainder(a, s);
    case Binary::FloorDivide: return at::div(a, number(value, a), "floor");
    default: return binary(op, a, number(value, a));
  }
}

enum class Unary {
  Neg, Abs, Exp, Log, Log1p, Expm1, Sqrt, Rsqrt, Sin, Cos, Tanh, Sigmoid, Relu, Floor, Ceil, Round,
  Sign, LogicalNot, Square, Reciprocal, Erf, Softplus, Log2, Log10, Trunc, Frac, Sinh, Cosh, Asin,
  Acos, Atan, IsNan, IsInf, Silu, Gelu, Logit
};

at::Tensor unary(Unary op, const at::Tensor& x) {
  switch (op) {
    case Unary::Neg: return at::neg(x);
    case Unary::Abs: return at::abs(x);
    case Unary::Exp: return at::exp(x);
    case Unary::Log: return at::log(x);
    case Unary::Log1p: return at::log1p(x);
    case Unary::Expm1: return at::expm1(x);
    case Unary::Sqrt: return at::sqrt(x);
    case Unary::Rsqrt: return at::rsqrt(x);
    case Unary::Sin: return at::sin(x);
    case Unary::Cos: return at::cos(x);
    case Unary::Tanh: return at::tanh(x);
    case Unary::Sigmoid: return at::sigmoid(x);
    case Unary::Relu: return at::relu(x);
    case Unary::Floor: return at::floor(x);
    case Unary::Ceil: return at::ceil(x);
    case Unary::Round: return at::round(x);
    case Unary::Sign: return at::sign(x);
    case Unary::LogicalNot: return at::logical_not(x);
    case Unary::Square: return at::square(x);
    case Unary::Reciprocal: return at::reciprocal(x);
    case Unary::Erf: return at::erf(x);
    case Unary::Softplus: return at::softplus(x);
    case Unary::Log2: return at::log2(x);
    case Unary::Log10: return at::log10(x);
    case Unary::Trunc: return at::trunc(x);
    case Unary::Frac: return at::frac(x);
    case Unary::Sinh: return at::sinh(x);
    case Unary::Cosh: return at::cosh(x);
    case Unary::Asin: return at::asin(x);
    case Unary::Acos: return at::acos(x);
    case Unary::Atan: return at::atan(x);
    case Unary::IsNan: return at::isnan(x);
    case Unary::IsInf: return at::isinf(x);
    case Unary::Silu: return at::silu(x);
    case Unary::Gelu: return at::gelu(x);
    case Unary::Logit: return at::logit(x);
  }
  TORCH_CHECK(false, "unknown unary op ", static_cast<int>(op));
}

at::Tensor& unary_inplace(Unary op, at::Tensor& x) {
  switch (op) {
    case Unary::Neg: return x.neg_();
    case Unary::Abs: return x.abs_();
    case Unary::Exp: return x.exp_();
    case Unary::Log: return x.log_();
    case Unary::Sqrt: return x.sqrt_();
    case Unary::Tanh: return x.tanh_();
    case Unary::Sigmoid: return x.sigmoid_();
    case Unary::Relu: return x.relu_();
    case Unary::Floor: return x.floor_();
    case Unary::Ceil: return x.ceil_();
    case Unary::Round: return x.round_();
    case Unary::Square: return x.square_();
    case Unary::Reciprocal: return x.reciprocal_();
    default: TORCH_CHECK(false, "unary op ", static_cast<int>(op), " has no in-place form");
  }
}

enum class Reduce { Sum, Mean, Prod, Amax, Amin, LogSumExp, Std, Var, Norm, All, Any };

at::Tensor reduce(Reduce op, const at::Tensor& x, at::IntArrayRef dims, bool all_dims, bool keepdim,
                  bool unbiased) {
  // logsumexp, amax and amin take an explicit list; "all dims" is every dim for them.
  std::vector<int64_t> every;
  if (all_dims) {
    for (int64_t d = 0; d < x.dim(); d++) every.push_back(d);
  }
  at::IntArrayRef used = all_dims ? at::IntArrayRef(every) : dims;
  switch (op) {
    case Reduce::Sum: return all_dims && !keepdim ? at::sum(x) : at::sum(x, used, keepdim);
    case Reduce::Mean: return all_dims && !keepdim ? at::mean(x) : at::mean(x, used, keepdim);
    case Reduce::Prod: {
      if (all_dims) return at::prod(x);
      TORCH_CHECK(used.size() == 1, "prod reduces over one dim at a time");
      return at::prod(x, used[0], keepdim);
    }
    case Reduce::Amax: return at::amax(x, used, keepdim);
    case Reduce::Amin: return at::amin(x, used, keepdim);
    case Reduce::LogSumExp: return at::logsumexp(x, used, keepdim);
    case Reduce::Std: return at::std(x, at::OptionalIntArrayRef(used), unbiased, keepdim);
    case Reduce::Var: return at::var(x, at::OptionalIntArrayRef(used), unbiased, keepdim);
    case Reduce::Norm: return at::norm(x, 2, used, keepdim);
    case Reduce::All: {
      if (all_dims) return at::all(x);
      TORCH_CHECK(used.size() == 1, "all reduces over one dim at a time");
      return at::all(x, used[0], keepdim);
    }
    case Reduce::Any: {
      if (all_dims) return at::any(x);
      TORCH_CHECK(used.size() == 1, "any reduces over one dim at a time");
      return at::any(x, used[0], keepdim);
    }
  }
  TORCH_CHECK(false, "unknown reduction ", static_cast<int>(op));
}

}  // namespace

// ---- element-wise -------------------------------------------------------------------------
VT_API TensorPtr vt_binary(int op, TensorPtr a, TensorPtr b) {
  VT_RETURN_TENSOR(binary(static_cast<Binary>(op), vt::ref(a), vt::ref(b)))
}
VT_API TensorPtr vt_binary_scalar(int op, TensorPtr a, double s) {
  VT_RETURN_TENSOR(binary_scalar(static_cast<Binary>(op), vt::ref(a), s))
}
// scalar (op) tensor, for the left-scalar C# operators.
VT_API TensorPtr vt_scalar_binary(int op, double s, TensorPtr b) {
  VT_RETURN_TENSOR(binary(static_cast<Binary>(op), number(s, vt::ref(b)), vt::ref(b)))
}
VT_API int vt_binary_(int op, TensorPtr a, TensorPtr b) {
  VT_RETURN_STATUS(binary_inplace(static_cast<Binary>(op), *a, vt::ref(b)))
}
// The scalar acts as a Python number would: a whole number keeps an integer tensor integral, while a
// fraction makes the op fail (result type Float can't be cast to Long) instead of being truncated.
VT_API int vt_binary_scalar_(int op, TensorPtr a, double s) {
  // A wrapped number keeps PyTorch's casting rule: int_tensor.add_(0.5) is an error, not a truncation.
  VT_RETURN_STATUS(binary_inplace(static_cast<Binary>(op), *a, number(s, vt::ref(a))))
}
VT_API TensorPtr vt_add_scaled(TensorPtr a, TensorPtr b, double alpha) {
  VT_RETURN_TENSOR(at::add(vt::ref(a), vt::ref(b), alpha))
}
VT_API int vt_add_scaled_(TensorPtr a, TensorPtr b, double alpha) {
  VT_RETURN_STATUS(a->add_(vt::ref(b), alpha))
}
VT_API TensorPtr vt_unary(int op, TensorPtr x) { VT_RETURN_TENSOR(unary(static_cast<Unary>(op), vt::ref(x))) }
VT_API int vt_unary_(int op, TensorPtr x) { VT_RETURN_STATUS(unary_inplace(static_cast<Unary>(op), *x)) }

// Bounds given as NaN mean "no bound".
VT_API TensorPtr vt_clamp(TensorPtr x, double min, double max) {
  c10::optional<at::Scalar> lo = std::isnan(min) ? c10::nullopt : c10::optional<at::Scalar>(min);
  c10::optional<at::Scalar> hi = std::isnan(max) ? c10::nullopt : c10::optional<at::Scalar>(max);
  VT_RETURN_TENSOR(at::clamp(vt::ref(x), lo, hi))
}
VT_API int vt_clamp_(TensorPtr x, double min, double max) {
  c10::optional<at::Scalar> lo = std::isnan(min) ? c10::nullopt : c10::optional<at::Scalar>(min);
  c10::optional<at::Scalar> hi = std::isnan(max) ? c10::nullopt : c10::optional<at::Scalar>(max);
  VT_RETURN_STATUS(at::clamp_(*x, lo, hi))
}
VT_API TensorPtr vt_clamp_tensor(TensorPtr x, TensorPtr min, TensorPtr max) {
  VT_RETURN_TENSOR(at::clamp(vt::ref(x), vt::opt(min), vt::opt(max)))
}
VT_API TensorPtr vt_where(TensorPtr condition, TensorPtr a, TensorPtr b) {
  VT_RETURN_TENSOR(at::where(vt::ref(condition), vt::ref(a), vt::ref(b)))
}
VT_API TensorPtr vt_masked_fill(TensorPtr x, TensorPtr mask, double value) {
  VT_RETURN_TENSOR(at::masked_fill(vt::ref(x), vt::ref(mask), value))
}
VT_API int vt_masked_fill_(TensorPtr x, TensorPtr mask, double value) {
  VT_RETURN_STATUS(x->masked_fill_(vt::ref(mask), value))
}
VT_API TensorPtr vt_masked_select(TensorPtr x, TensorPtr mask) {
  VT_RETURN_TENSOR(at::masked_select(vt::ref(x), vt::ref(mask)))
}
VT_API TensorPtr vt_lerp(TensorPtr a, TensorPtr b, double weight) {
  VT_RETURN_TENSOR(at::lerp(vt::ref(a), vt::ref(b), weight))
}

// ---- reductions ---------------------------------------------------------------------------
VT_API TensorPtr vt_reduce(int op, TensorPtr x, const int64_t* dims, int ndims, int all_dims, int keepdim,
                           int unbiased) {
  VT_RETURN_TENSOR(reduce(static_cast<Reduce>(op), vt::ref(x), vt::ints(dims, ndims), all_dims != 0,
                          keepdim != 0, unbiased != 0))
}
// max/min over one dim: values and indices. kind 0 = max, 1 = min.
VT_API int vt_max_min_dim(int kind, TensorPtr x, int64_t dim, int keepdim, TensorPtr* values, TensorPtr* indices) {
  try {
    auto result = kind == 0 ? at::max(vt::ref(x), dim, keepdim != 0) : at::min(vt::ref(x), dim, keepdim != 0);
    *values = new at::Tensor(std::get<0>(result));
    *indices = new at::Tensor(std::get<1>(result));
    return 0;
  }
  VT_CATCH(-1)
}
VT_API TensorPtr vt_max_all(TensorPtr x) { VT_RETURN_TENSOR(at::max(vt::ref(x))) }
VT_API TensorPtr vt_min_all(TensorPtr x) { VT_RETURN_TENSOR(at::min(vt::ref(x))) }
// dim < -1000 means over the flattened tensor. kind 0 = argmax, 1 = argmin.
VT_API TensorPtr vt_arg_max_min(int kind, TensorPtr x, int64_t dim, int has_dim, int keepdim) {
  c10::optional<int64_t> d = has_dim ? c10::optional<int64_t>(dim) : c10::nullopt;
  VT_RETURN_TENSOR(kind == 0 ? at::argmax(vt::ref(x), d, keepdim != 0) : at::argmin(vt::ref(x), d, keepdim != 0))
}
VT_API TensorPtr vt_cumsum(TensorPtr x, int64_t dim) { VT_RETURN_TENSOR(at::cumsum(vt::ref(x), dim)) }
VT_API int vt_sort(TensorPtr x, int64_t dim, int descending, TensorPtr* values, TensorPtr* indices) {
  try {
    auto result = at::sort(vt::ref(x), dim, descending != 0);
    *values = new at::Tensor(std::get<0>(result));
    *indices = new at::Tensor(std::get<1>(result));
    return 0;
  }
  VT_CATCH(-1)
}
VT_API int vt_topk(TensorPtr x, int64_t k, int64_t dim, int largest, TensorPtr* values, TensorPtr* indices) {
  try {
    auto result = at::topk(vt::ref(x), k, dim, largest != 0, true);
    *values = new at::Tensor(std::get<0>(result));
    *indices = new at::Tensor(std::get<1>(result));
    return 0;
  }
  VT_CATCH(-1)
}

// ---- linear algebra -----------------------------------------------------------------------
VT_API TensorPtr vt_matmul(TensorPtr a, TensorPtr b) { VT_RETURN_TENSOR(at::matmul(vt::ref(a), vt::ref(b))) }
VT_API TensorPtr vt_mm(TensorPtr a, TensorPtr b) { VT_RETURN_TENSOR(at::mm(vt::ref(a), vt::ref(b))) }
VT_API TensorPtr vt_bmm(TensorPtr a, TensorPtr b) { VT_RETURN_TENSOR(at::bmm(vt::ref(a), vt::ref(b))) }
VT_API TensorPtr vt_outer(TensorPtr a, TensorPtr b) { VT_RETURN_TENSOR(at::outer(vt::ref(a), vt::ref(b))) }
VT_API TensorPtr vt_linear(TensorPtr x, TensorPtr weight, TensorPtr bias) {
  VT_RETURN_TENSOR(at::linear(vt::ref(x), vt::ref(weight), vt::opt(bias)))
}
VT_API TensorPtr vt_einsum(const char* equation, TensorPtr* operands, int count) {
  VT_RETURN_TENSOR(at::einsum(equation, vt::list(operands, count)))
}

// ---- shape --------------------------------------------------------------------------------
VT_API TensorPtr vt_view(TensorPtr x, const int64_t* shape, int ndim) {
  VT_RETURN_TENSOR(vt::ref(x).view(vt::ints(shape, ndim)))
}
VT_API TensorPtr vt_reshape(TensorPtr x, const int64_t* shape, int ndim) {
  VT_RETURN_TENSOR(vt::ref(x).reshape(vt::ints(shape, ndim)))
}
VT_API TensorPtr vt_permute(TensorPtr x, const int64_t* dims, int ndim) {
  VT_RETURN_TENSOR(vt::ref(x).permute(vt::ints(dims, ndim)))
}
VT_API TensorPtr vt_transpose(TensorPtr x, int64_t dim0, int64_t dim1) {
  VT_RETURN_TENSOR(vt::ref(x).transpose(dim0, dim1))
}
VT_API TensorPtr vt_squeeze(TensorPtr x) { VT_RETURN_TENSOR(vt::ref(x).squeeze()) }
VT_API TensorPtr vt_squeeze_dim(TensorPtr x, int64_t dim) { VT_RETURN_TENSOR(vt::ref(x).squeeze(dim)) }
VT_API TensorPtr vt_unsqueeze(TensorPtr x, int64_t dim) { VT_RETURN_TENSOR(vt::ref(x).unsqueeze(dim)) }
VT_API TensorPtr vt_flatten(TensorPtr x, int64_t start, int64_t end) {
  VT_RETURN_TENSOR(vt::ref(x).flatten(start, end))
}
VT_API TensorPtr vt_unflatten(TensorPtr x, int64_t dim, const int64_t* sizes, int n) {
  VT_RETURN_TENSOR(vt::ref(x).unflatten(dim, vt::ints(sizes, n)))
}
VT_API TensorPtr vt_expand(TensorPtr x, const int64_t* shape, int ndim) {
  VT_RETURN_TENSOR(vt::ref(x).expand(vt::ints(shape, ndim)))
}
VT_API TensorPtr vt_repeat(TensorPtr x, const int64_t* repeats, int n) {
  VT_RETURN_TENSOR(vt::ref(x).repeat(vt::ints(repeats, n)))
}
VT_API TensorPtr vt_repeat_interleave(TensorPtr x, int64_t repeats, int64_t dim) {
  VT_RETURN_TENSOR(at::repeat_interleave(vt::ref(x), repeats, dim))
}
VT_API TensorPtr vt_flip(TensorPtr x, const int64_t* dims, int n) { VT_RETURN_TENSOR(vt::ref(x).flip(vt::ints(dims, n))) }
VT_API TensorPtr vt_roll(TensorPtr x, const int64_t* shifts, const int64_t* dims, int n) {
  VT_RETURN_TENSOR(at::roll(vt::ref(x), vt::ints(shifts, n), vt::ints(dims, n)))
}
VT_API TensorPtr vt_narrow(TensorPtr x, int64_t dim, int64_t start, int64_t length) {
  VT_RETURN_TENSOR(vt::ref(x).narrow(dim, start, length))
}
VT_API TensorPtr vt_slice(TensorPtr x, int64_t dim, int64_t start, int64_t end, int64_t step) {
  VT_RETURN_TENSOR(vt::ref(x).slice(dim, start, end, step))
}
VT_API TensorPtr vt_select(TensorPtr x, int64_t dim, int64_t index) { VT_RETURN_TENSOR(vt::ref(x).select(dim, index)) }
VT_API TensorPtr vt_index_select(TensorPtr x, int64_t dim, TensorPtr index) {
  VT_RETURN_TENSOR(vt::ref(x).index_select(dim, vt::ref(index)))
}
VT_API TensorPtr vt_gather(TensorPtr x, int64_t dim, TensorPtr index) {
  VT_RETURN_TENSOR(at::gather(vt::ref(x), dim, vt::ref(index)))
}
VT_API TensorPtr vt_scatter(TensorPtr x, int64_t dim, TensorPtr index, TensorPtr source) {
  VT_RETURN_TENSOR(at::scatter(vt::ref(x), dim, vt::ref(index), vt::ref(source)))
}
VT_API TensorPtr vt_scatter_add(TensorPtr x, int64_t dim, TensorPtr index, TensorPtr source) {
  VT_RETURN_TENSOR(at::scatter_add(vt::ref(x), dim, vt::ref(index), vt::ref(source)))
}
// Advanced indexing x[indices...], where a null entry stands for ":" in that position.
VT_API TensorPtr vt_index(TensorPtr x, TensorPtr* indices, int n) {
  try {
    c10::List<c10::optional<at::Tensor>> list;
    for (int i = 0; i < n; i++) list.push_back(vt::opt(indices[i]));
    return new at::Tensor(at::index(vt::ref(x), list));
  }
  VT_CATCH(nullptr)
}
VT_API int vt_index_put_(TensorPtr x, TensorPtr* indices, int n, TensorPtr values, int accumulate) {
  try {
    c10::List<c10::optional<at::Tensor>> list;
    for (int i = 0; i < n; i++) list.push_back(vt::opt(indices[i]));
    x->index_put_(list, vt::ref(values), accumulate != 0);
    return 0;
  }
  VT_CATCH(-1)
}
VT_API TensorPtr vt_cat(TensorPtr* tensors, int count, int64_t dim) {
  VT_RETURN_TENSOR(at::cat(vt::list(tensors, count), dim))
}
VT_API TensorPtr vt_stack(TensorPtr* tensors, int count, int64_t dim) {
  VT_RETURN_TENSOR(at::stack(vt::list(tensors, count), dim))
}
// kind 0 = split by size, 1 = chunk into count, 2 = unbind; returns how many were written.
VT_API int vt_split(int kind, TensorPtr x, int64_t size_or_count, int64_t dim, TensorPtr* out, int capacity) {
  try {
    const auto& t = vt::ref(x);
    std::vector<at::Tensor> parts = kind == 0   ? t.split(size_or_count, dim)
                                    : kind == 1 ? t.chunk(size_or_count, dim)
                                                : t.unbind(dim);
    return vt::store(parts, out, capacity);
  }
  VT_CATCH(-1)
}
VT_API int vt_split_with_sizes(TensorPtr x, const int64_t* sizes, int n, int64_t dim, TensorPtr* out) {
  try {
    return vt::store(vt::ref(x).split_with_sizes(vt::ints(sizes, n), dim), out, n);
  }
  VT_CATCH(-1)
}
VT_API TensorPtr vt_tril(TensorPtr x, int64_t diagonal) { VT_RETURN_TENSOR(at::tril(vt::ref(x), diagonal)) }
VT_API TensorPtr vt_triu(TensorPtr x, int64_t diagonal) { VT_RETURN_TENSOR(at::triu(vt::ref(x), diagonal)) }
VT_API TensorPtr vt_nonzero(TensorPtr x) { VT_RETURN_TENSOR(at::nonzero(vt::ref(x))) }
VT_API TensorPtr vt_one_hot(TensorPtr x, int64_t classes) { VT_RETURN_TENSOR(at::one_hot(vt::ref(x), classes)) }
