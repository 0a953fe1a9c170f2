// Per-parameter optimizer updates, done in one native call each so that a training step costs a
// handful of crossings rather than one per arithmetic op. The arithmetic follows PyTorch 1.13's
// single-tensor implementations exactly, so trajectories match torch.optim step for step.
// The state tensors belong to the C# optimizer (so they can be saved); these functions update them.
#include "common.h"

namespace {
at::Tensor gradient_of(const at::Tensor& param, bool maximize) {
  const auto& grad = param.grad();
  TORCH_CHECK(grad.defined(), "parameter has no gradient");
  return maximize ? -grad : grad;
}
}  // namespace

// first_step: the momentum buffer is initialised to the gradient instead of being decayed.
VT_API int vt_sgd_update(TensorPtr param, TensorPtr momentum_buffer, int first_step, double lr, double momentum,
                         double dampening, double weight_decay, int nesterov, int maximize) {
  try {
    torch::NoGradGuard no_grad;
    auto& p = *param;
    auto d_p = gradient_of(p, maximize != 0);
    if (weight_decay != 0) d_p = d_p.add(p, weight_decay);
    if (momentum != 0) {
      auto& buffer = *momentum_buffer;
      if (first_step) {
        buffer.copy_(d_p);
      } else {
        buffer.mul_(momentum).add_(d_p, 1 - dampening);
      }
      d_p = nesterov ? d_p.add(buffer, momentum) : buffer;
    }
    p.add_(d_p, -lr);
    return 0;
  }
  VT_CATCH(-1)
}

// decoupled: AdamW's weight decay (shrink the parameter) instead of Adam's L2 term in the gradient.
VT_API int vt_adam_update(TensorPtr param, TensorPtr exp_avg, TensorPtr exp_avg_sq, TensorPtr max_exp_avg_sq,
                          int64_t step, double lr, double beta1, double beta2, double eps, double weight_decay,
                          int decoupled, int maximize) {
  try {
    torch::NoGradGuard no_grad;
    auto& p = *param;
    auto grad = gradient_of(p, maximize != 0);
    if (weight_decay != 0) {
      if (decoupled) {
        p.mul_(1 - lr * weight_decay);
      } else {
        grad = grad.add(p, weight_decay);
      }
    }
    exp_avg->mul_(beta1).add_(grad, 1 - beta1);
    exp_avg_sq->mul_(beta2).addcmul_(grad, grad, 1 - beta2);
    double bias_correction1 = 1 - std::pow(beta1, static_cast<double>(step));
    double bias_correction2_sqrt = std::sqrt(1 - std::pow(beta2, static_cast<double>(step)));
    double step_size = lr / bias_correction1;
    at::Tensor denominator;
    if (max_exp_avg_sq != nullptr) {
      at::maximum_out(*max_exp_avg_sq, *max_exp_avg_sq, *exp_avg_sq);
      denominator = (max_exp_avg_sq->sqrt() / bias_correction2_sqrt).add_(eps);
    } else {
      denominator = (exp_avg_sq->sqrt() / bias_correction2_sqrt).add_(eps);
    }
    p.addcdiv_(*exp_avg, denominator, -step_size);
    return 0;
  }
  VT_CATCH(-1)
}

// momentum_buffer is used when momentum > 0; grad_avg when centered.
VT_API int vt_rmsprop_update(TensorPtr param, TensorPtr square_avg, TensorPtr momentum_buffer, TensorPtr grad_avg,
                             double lr, double alpha, double eps, double weight_decay, double momentum, int centered,
                             int maximize) {
  try {
    torch::NoGradGuard no_grad;
    auto& p = *param;
    auto grad = gradient_of(p, maximize != 0);
    if (weight_decay != 0) grad = grad.add(p, weight_decay);
    square_avg->mul_(alpha).addcmul_(grad, grad, 1 - alpha);
    at::Tensor average;
    if (centered) {
      grad_avg->mul_(alpha).add_(grad, 1 - alpha);
      average = square_avg->addcmul(*grad_avg, *grad_avg, -1).sqrt_();
    } else {
      average = square_avg->sqrt();
    }
    average.add_(eps);
    if (momentum > 0) {
      momentum_buffer->mul_(momentum).addcdiv_(grad, average);
      p.add_(*momentum_buffer, -lr);
    } else {
      p.addcdiv_(grad, average, -lr);
    }
    return 0;
  }
  VT_CATCH(-1)
}

// Scales all gradients so that their joint norm is at most max_norm; writes the norm before clipping.
VT_API int vt_clip_grad_norm_(TensorPtr* params, int count, double max_norm, double norm_type, double* total_norm) {
  try {
    torch::NoGradGuard no_grad;
    std::vector<at::Tensor> grads;
    for (int i = 0; i < count; i++) {
      if (params[i]->grad().defined()) grads.push_back(params[i]->grad());
    }
    if (grads.empty()) {
      *total_norm = 0;
      return 0;
    }
    at::Tensor norm;
    if (std::isinf(norm_type)) {
      std::vector<at::Tensor> maxima;
      for (auto& g : grads) maxima.push_back(g.abs().max());
      norm = at::stack(maxima).max();
    } else {
      std::vector<at::Tensor> norms;
      for (auto& g : grads) norms.push_back(at::norm(g, norm_type));
      norm = at::norm(at::stack(norms), norm_type);
    }
    auto coefficient = at::clamp(max_norm / (norm + 1e-6), c10::nullopt, 1.0);
    for (auto& g : grads) g.mul_(coefficient);
    *total_norm = norm.item<double>();
    return 0;
  }
  VT_CATCH(-1)
}

VT_API int vt_clip_grad_value_(TensorPtr* params, int count, double clip_value) {
  try {
    torch::NoGradGuard no_grad;
    for (int i = 0; i < count; i++) {
      auto grad = params[i]->grad();
      if (grad.defined()) grad.clamp_(-clip_value, clip_value);
    }
    return 0;
  }
  VT_CATCH(-1)
}
