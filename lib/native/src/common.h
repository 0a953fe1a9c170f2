// Conventions of the C ABI that VaeLab.Torch binds to.
//  - A tensor crosses the boundary as a heap-allocated at::Tensor*, owned by the caller and freed
//    with vt_free. Functions that produce a tensor return such a pointer, or nullptr on error.
//  - Functions that produce nothing or a number return 0 on success and -1 on error.
//  - No C++ exception ever crosses the boundary: each entry point catches it and stores the message
//    in a thread-local buffer that vt_last_error returns.
#pragma once
#include "pch.h"
#include <string>
#include <vector>

#define VT_API extern "C" __attribute__((visibility("default")))

using TensorPtr = at::Tensor*;

void vt_set_error(const char* message);

#define VT_CATCH(fail_value)                                                  \
  catch (const c10::Error& e) {                                               \
    vt_set_error(e.what_without_backtrace());                                 \
    return fail_value;                                                        \
  }                                                                           \
  catch (const std::exception& e) {                                           \
    vt_set_error(e.what());                                                   \
    return fail_value;                                                        \
  }                                                                           \
  catch (...) {                                                               \
    vt_set_error("unknown C++ exception");                                    \
    return fail_value;                                                        \
  }

// Wraps an expression producing an at::Tensor into a new handle.
#define VT_RETURN_TENSOR(expr)                                                \
  try {                                                                       \
    return new at::Tensor(expr);                                              \
  }                                                                           \
  VT_CATCH(nullptr)

// Runs statements; returns 0, or -1 after recording the exception.
#define VT_RETURN_STATUS(...)                                                 \
  try {                                                                       \
    __VA_ARGS__;                                                              \
    return 0;                                                                 \
  }                                                                           \
  VT_CATCH(-1)

namespace vt {

inline const at::Tensor& ref(TensorPtr t) {
  TORCH_CHECK(t != nullptr, "tensor handle is null");
  return *t;
}

// An optional tensor argument: nullptr means "not given".
inline c10::optional<at::Tensor> opt(TensorPtr t) {
  if (t == nullptr || !t->defined()) return c10::nullopt;
  return *t;
}

inline at::IntArrayRef ints(const int64_t* values, int count) {
  return at::IntArrayRef(values, static_cast<size_t>(count));
}

inline std::vector<at::Tensor> list(TensorPtr* tensors, int count) {
  std::vector<at::Tensor> result;
  result.reserve(count);
  for (int i = 0; i < count; i++) result.push_back(ref(tensors[i]));
  return result;
}

// Copies tensors into caller-provided handles; the caller knows or bounds the count.
inline int store(const std::vector<at::Tensor>& tensors, TensorPtr* out, int capacity) {
  TORCH_CHECK(static_cast<int>(tensors.size()) <= capacity, "result has ", tensors.size(),
              " tensors but only ", capacity, " slots were given");
  for (size_t i = 0; i < tensors.size(); i++) out[i] = new at::Tensor(tensors[i]);
  return static_cast<int>(tensors.size());
}

inline at::TensorOptions options(int dtype, int device_type, int device_index, bool requires_grad = false) {
  return at::TensorOptions()
      .dtype(static_cast<at::ScalarType>(dtype))
      .device(at::Device(static_cast<at::DeviceType>(device_type), static_cast<c10::DeviceIndex>(device_index)))
      .requires_grad(requires_grad);
}

}  // namespace vt
