// Autograd: backward passes, gradients, and gradient-of-gradient through autograd::grad.
#include "common.h"

// create_graph also keeps the graph, as PyTorch does when retain_graph is left at its default.
VT_API int vt_backward(TensorPtr t, TensorPtr gradient, int retain_graph, int create_graph) {
  VT_RETURN_STATUS(vt::ref(t).backward(gradient ? *gradient : at::Tensor(), retain_graph != 0 || create_graph != 0,
                                       create_graph != 0))
}

// Returns a handle to the gradient, or nullptr with an empty error when the tensor has none.
VT_API TensorPtr vt_grad(TensorPtr t) {
  try {
    const auto& grad = vt::ref(t).grad();
    if (!grad.defined()) {
      vt_set_error("");
      return nullptr;
    }
    return new at::Tensor(grad);
  }
  VT_CATCH(nullptr)
}

// Checked as PyTorch's `x.grad = g` is: a mismatched gradient would otherwise fail only at the next backward.
VT_API int vt_set_grad(TensorPtr t, TensorPtr grad) {
  try {
    const auto& self = vt::ref(t);
    if (grad != nullptr) {
      TORCH_CHECK(grad->sizes() == self.sizes(), "assigned grad has shape ", grad->sizes(), " but the tensor has shape ",
                  self.sizes());
      TORCH_CHECK(grad->scalar_type() == self.scalar_type() && grad->device() == self.device(), "assigned grad is ",
                  grad->scalar_type(), " on ", grad->device(), " but the tensor is ", self.scalar_type(), " on ",
                  self.device());
    }
    self.mutable_grad() = grad ? *grad : at::Tensor();
    return 0;
  }
  VT_CATCH(-1)
}

VT_API int vt_set_requires_grad(TensorPtr t, int requires_grad) {
  VT_RETURN_STATUS(t->requires_grad_(requires_grad != 0))
}

VT_API int vt_retain_grad(TensorPtr t) { VT_RETURN_STATUS(vt::ref(t).retain_grad()) }

// Name of the node that produced the tensor ("" for leaves), into a caller buffer.
VT_API int vt_grad_fn_name(TensorPtr t, char* buffer, int capacity) {
  try {
    const auto& fn = vt::ref(t).grad_fn();
    std::string name = fn ? fn->name() : "";
    snprintf(buffer, capacity, "%s", name.c_str());
    return 0;
  }
  VT_CATCH(-1)
}

// Gradients of outputs with respect to inputs. grad_outputs may be null (ones for scalars).
// Unused inputs get a null handle when allow_unused is set.
VT_API int vt_autograd_grad(TensorPtr* outputs, int noutputs, TensorPtr* inputs, int ninputs, TensorPtr* grad_outputs,
                            int retain_graph, int create_graph, int allow_unused, TensorPtr* result) {
  try {
    std::vector<at::Tensor> grads_in;
    if (grad_outputs != nullptr) {
      for (int i = 0; i < noutputs; i++) grads_in.push_back(grad_outputs[i] ? *grad_outputs[i] : at::Tensor());
    }
    auto grads = torch::autograd::grad(vt::list(outputs, noutputs), vt::list(inputs, ninputs), grads_in,
                                       retain_graph ? c10::optional<bool>(true) : c10::optional<bool>(create_graph != 0),
                                       create_graph != 0, allow_unused != 0);
    for (int i = 0; i < ninputs; i++) result[i] = grads[i].defined() ? new at::Tensor(grads[i]) : nullptr;
    return 0;
  }
  VT_CATCH(-1)
}
