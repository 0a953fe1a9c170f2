// Neural-network ops: convolution, pooling, resampling, normalisation, activations, losses,
// recurrent cells and the fused LSTM. All are differentiable through libtorch's autograd.
#include "common.h"

namespace F = torch::nn::functional;

// ---- convolution and pooling (2-element stride/padding/dilation arrays) -------------------
VT_API TensorPtr vt_conv2d(TensorPtr x, TensorPtr weight, TensorPtr bias, const int64_t* stride,
                           const int64_t* padding, const int64_t* dilation, int64_t groups) {
  VT_RETURN_TENSOR(at::conv2d(vt::ref(x), vt::ref(weight), vt::opt(bias), vt::ints(stride, 2),
                              vt::ints(padding, 2), vt::ints(dilation, 2), groups))
}
VT_API TensorPtr vt_conv1d(TensorPtr x, TensorPtr weight, TensorPtr bias, int64_t stride, int64_t padding,
                           int64_t dilation, int64_t groups) {
  VT_RETURN_TENSOR(at::conv1d(vt::ref(x), vt::ref(weight), vt::opt(bias), stride, padding, dilation, groups))
}
VT_API TensorPtr vt_conv_transpose2d(TensorPtr x, TensorPtr weight, TensorPtr bias, const int64_t* stride,
                                     const int64_t* padding, const int64_t* output_padding, int64_t groups,
                                     const int64_t* dilation) {
  VT_RETURN_TENSOR(at::conv_transpose2d(vt::ref(x), vt::ref(weight), vt::opt(bias), vt::ints(stride, 2),
                                        vt::ints(padding, 2), vt::ints(output_padding, 2), groups,
                                        vt::ints(dilation, 2)))
}
VT_API TensorPtr vt_max_pool2d(TensorPtr x, const int64_t* kernel, const int64_t* stride, const int64_t* padding,
                               const int64_t* dilation, int ceil_mode) {
  VT_RETURN_TENSOR(at::max_pool2d(vt::ref(x), vt::ints(kernel, 2), vt::ints(stride, 2), vt::ints(padding, 2),
                                  vt::ints(dilation, 2), ceil_mode != 0))
}
VT_API TensorPtr vt_avg_pool2d(TensorPtr x, const int64_t* kernel, const int64_t* stride, const int64_t* padding,
                               int ceil_mode, int count_include_pad) {
  VT_RETURN_TENSOR(at::avg_pool2d(vt::ref(x), vt::ints(kernel, 2), vt::ints(stride, 2), vt::ints(padding, 2),
                                  ceil_mode != 0, count_include_pad != 0))
}
VT_API TensorPtr vt_adaptive_avg_pool2d(TensorPtr x, const int64_t* output_size) {
  VT_RETURN_TENSOR(at::adaptive_avg_pool2d(vt::ref(x), vt::ints(output_size, 2)))
}

// mode 0 = nearest, 1 = bilinear. Either size (2 values) or scale (2 values) is given.
VT_API TensorPtr vt_interpolate(TensorPtr x, const int64_t* size, const double* scale, int mode, int align_corners) {
  try {
    auto options = F::InterpolateFuncOptions();
    if (size != nullptr) options.size(std::vector<int64_t>{size[0], size[1]});
    if (scale != nullptr) options.scale_factor(std::vector<double>{scale[0], scale[1]});
    if (mode == 0) {
      options.mode(torch::kNearest);
    } else {
      options.mode(torch::kBilinear).align_corners(align_corners != 0);
    }
    return new at::Tensor(F::interpolate(vt::ref(x), options));
  }
  VT_CATCH(nullptr)
}

// mode 0 = constant, 1 = reflect, 2 = replicate, 3 = circular; pad lists (left, right, top, bottom, ...).
VT_API TensorPtr vt_pad(TensorPtr x, const int64_t* pad, int n, int mode, double value) {
  try {
    auto options = F::PadFuncOptions(std::vector<int64_t>(pad, pad + n)).value(value);
    switch (mode) {
      case 0: options.mode(torch::kConstant); break;
      case 1: options.mode(torch::kReflect); break;
      case 2: options.mode(torch::kReplicate); break;
      default: options.mode(torch::kCircular); break;
    }
    return new at::Tensor(F::pad(vt::ref(x), options));
  }
  VT_CATCH(nullptr)
}

// ---- normalisation and dropout ------------------------------------------------------------
VT_API TensorPtr vt_batch_norm(TensorPtr x, TensorPtr weight, TensorPtr bias, TensorPtr running_mean,
                               TensorPtr running_var, int training, double momentum, double eps) {
  VT_RETURN_TENSOR(at::batch_norm(vt::ref(x), vt::opt(weight), vt::opt(bias), vt::opt(running_mean),
                                  vt::opt(running_var), training != 0, momentum, eps, /*cudnn_enabled=*/true))
}
VT_API TensorPtr vt_layer_norm(TensorPtr x, const int64_t* shape, int n, TensorPtr weight, TensorPtr bias, double eps) {
  VT_RETURN_TENSOR(at::layer_norm(vt::ref(x), vt::ints(shape, n), vt::opt(weight), vt::opt(bias), eps))
}
VT_API TensorPtr vt_group_norm(TensorPtr x, int64_t groups, TensorPtr weight, TensorPtr bias, double eps) {
  VT_RETURN_TENSOR(at::group_norm(vt::ref(x), groups, vt::opt(weight), vt::opt(bias), eps))
}
VT_API TensorPtr vt_dropout(TensorPtr x, double p, int training) {
  VT_RETURN_TENSOR(at::dropout(vt::ref(x), p, training != 0))
}
VT_API TensorPtr vt_dropout2d(TensorPtr x, double p, int training) {
  VT_RETURN_TENSOR(at::feature_dropout(vt::ref(x), p, training != 0))
}

// ---- activations with arguments -----------------------------------------------------------
VT_API TensorPtr vt_leaky_relu(TensorPtr x, double slope) { VT_RETURN_TENSOR(at::leaky_relu(vt::ref(x), slope)) }
VT_API TensorPtr vt_elu(TensorPtr x, double alpha) { VT_RETURN_TENSOR(at::elu(vt::ref(x), alpha)) }
VT_API TensorPtr vt_softplus(TensorPtr x, double beta, double threshold) {
  VT_RETURN_TENSOR(at::softplus(vt::ref(x), beta, threshold))
}
VT_API TensorPtr vt_hardtanh(TensorPtr x, double min, double max) {
  VT_RETURN_TENSOR(at::hardtanh(vt::ref(x), min, max))
}
VT_API TensorPtr vt_softmax(TensorPtr x, int64_t dim) { VT_RETURN_TENSOR(at::softmax(vt::ref(x), dim)) }
VT_API TensorPtr vt_log_softmax(TensorPtr x, int64_t dim) { VT_RETURN_TENSOR(at::log_softmax(vt::ref(x), dim)) }

// ---- losses (reduction: 0 none, 1 mean, 2 sum, as at::Reduction) --------------------------
VT_API TensorPtr vt_mse_loss(TensorPtr input, TensorPtr target, int reduction) {
  VT_RETURN_TENSOR(at::mse_loss(vt::ref(input), vt::ref(target), reduction))
}
VT_API TensorPtr vt_l1_loss(TensorPtr input, TensorPtr target, int reduction) {
  VT_RETURN_TENSOR(at::l1_loss(vt::ref(input), vt::ref(target), reduction))
}
VT_API TensorPtr vt_smooth_l1_loss(TensorPtr input, TensorPtr target, int reduction, double beta) {
  VT_RETURN_TENSOR(at::smooth_l1_loss(vt::ref(input), vt::ref(target), reduction, beta))
}
VT_API TensorPtr vt_binary_cross_entropy(TensorPtr input, TensorPtr target, TensorPtr weight, int reduction) {
  VT_RETURN_TENSOR(at::binary_cross_entropy(vt::ref(input), vt::ref(target), vt::opt(weight), reduction))
}
VT_API TensorPtr vt_binary_cross_entropy_with_logits(TensorPtr input, TensorPtr target, TensorPtr weight,
                                                     TensorPtr pos_weight, int reduction) {
  VT_RETURN_TENSOR(at::binary_cross_entropy_with_logits(vt::ref(input), vt::ref(target), vt::opt(weight),
                                                        vt::opt(pos_weight), reduction))
}
VT_API TensorPtr vt_cross_entropy(TensorPtr input, TensorPtr target, TensorPtr weight, int reduction,
                                  int64_t ignore_index, double label_smoothing) {
  VT_RETURN_TENSOR(at::cross_entropy_loss(vt::ref(input), vt::ref(target), vt::opt(weight), reduction,
                                          ignore_index, label_smoothing))
}
VT_API TensorPtr vt_nll_loss(TensorPtr input, TensorPtr target, TensorPtr weight, int reduction, int64_t ignore_index) {
  VT_RETURN_TENSOR(at::nll_loss_nd(vt::ref(input), vt::ref(target), vt::opt(weight), reduction, ignore_index))
}
// reduction 3 = batchmean (sum / batch size), as torch.nn.functional.kl_div offers.
VT_API TensorPtr vt_kl_div(TensorPtr input, TensorPtr target, int reduction, int log_target) {
  try {
    const auto& in = vt::ref(input);
    if (reduction == 3) {
      return new at::Tensor(at::kl_div(in, vt::ref(target), at::Reduction::Sum, log_target != 0) / in.size(0));
    }
    return new at::Tensor(at::kl_div(in, vt::ref(target), reduction, log_target != 0));
  }
  VT_CATCH(nullptr)
}

// ---- recurrent ----------------------------------------------------------------------------
VT_API int vt_lstm_cell(TensorPtr x, TensorPtr h, TensorPtr c, TensorPtr w_ih, TensorPtr w_hh, TensorPtr b_ih,
                        TensorPtr b_hh, TensorPtr* h_out, TensorPtr* c_out) {
  try {
    auto result = at::lstm_cell(vt::ref(x), {vt::ref(h), vt::ref(c)}, vt::ref(w_ih), vt::ref(w_hh), vt::opt(b_ih),
                                vt::opt(b_hh));
    *h_out = new at::Tensor(std::get<0>(result));
    *c_out = new at::Tensor(std::get<1>(result));
    return 0;
  }
  VT_CATCH(-1)
}

namespace {
using LstmState = std::tuple<at::Tensor, at::Tensor>;  // (h, c)

// One step of libtorch's CPU LSTM cell with the input's share of the gates already computed, in its order
// of operations, so that the packed path below gives at::lstm's numbers.
LstmState lstm_step(const at::Tensor& input_gates, const LstmState& state, const at::Tensor& w_hh,
                    const at::Tensor& b_hh) {
  const auto& [h, c] = state;
  auto gates = at::linear(h, w_hh, b_hh).add_(input_gates).unsafe_chunk(4, 1);
  auto in = gates[0].sigmoid_();
  auto forget = gates[1].sigmoid_();
  auto candidate = gates[2].tanh_();
  auto out = gates[3].sigmoid_();
  auto c_next = (forget * c).add_(in * candidate);
  return {out * c_next.tanh(), c_next};
}

LstmState state_rows(const LstmState& state, int64_t start, int64_t end) {
  return {std::get<0>(state).narrow(0, start, end - start), std::get<1>(state).narrow(0, start, end - start)};
}

LstmState cat_states(const std::vector<LstmState>& parts) {
  std::vector<at::Tensor> hs, cs;
  for (const auto& [h, c] : parts) {
    hs.push_back(h);
    cs.push_back(c);
  }
  return {at::cat(hs, 0), at::cat(cs, 0)};
}

// One direction of one layer over packed rows (time-major blocks of batch_sizes[t] rows, sorted by length, longest
// first): the output rows in the same layout, and the final state of every sequence. The sequences that have ended
// leave the state as the forward direction goes on; the reverse direction starts with the longest ones and takes the
// others in from the initial state as it reaches their last steps. libtorch's own loop narrows the projected input
// once per step, and autograd turns each narrow into a zero tensor the size of the whole input plus an add: a
// backward quadratic in the sequence length (most of a Sketch-RNN step at Nmax 250). One split gives the same step
// inputs, and its backward concatenates their gradients once.
std::pair<at::Tensor, LstmState> packed_lstm_direction(const at::Tensor& data, at::IntArrayRef batch_sizes,
                                                       const LstmState& initial, const at::Tensor* weights,
                                                       bool has_biases, bool reverse) {
  const at::Tensor none;
  const auto& b_ih = has_biases ? weights[2] : none;
  const auto& b_hh = has_biases ? weights[3] : none;
  auto step_inputs = at::linear(data, weights[0], b_ih).split_with_sizes(batch_sizes, 0);
  const auto steps = static_cast<int64_t>(batch_sizes.size());
  std::vector<at::Tensor> outputs(steps);
  if (reverse) {
    auto active = batch_sizes[steps - 1];
    auto state = state_rows(initial, 0, active);
    for (int64_t t = steps - 1; t >= 0; t--) {
      if (batch_sizes[t] > active) {
        state = cat_states({state, state_rows(initial, active, batch_sizes[t])});
        active = batch_sizes[t];
      }
      state = lstm_step(step_inputs[t], state, weights[1], b_hh);
      outputs[t] = std::get<0>(state);
    }
    return {at::cat(outputs, 0), state};
  }
  std::vector<LstmState> ended;
  auto active = batch_sizes[0];
  auto state = initial;
  for (int64_t t = 0; t < steps; t++) {
    if (batch_sizes[t] < active) {
      ended.push_back(state_rows(state, batch_sizes[t], active));
      state = state_rows(state, 0, batch_sizes[t]);
      active = batch_sizes[t];
    }
    state = lstm_step(step_inputs[t], state, weights[1], b_hh);
    outputs[t] = std::get<0>(state);
  }
  ended.push_back(state);
  std::reverse(ended.begin(), ended.end());
  return {at::cat(outputs, 0), cat_states(ended)};
}

// at::lstm over a packed sequence, layer by layer as libtorch stacks them (dropout between layers in training).
std::tuple<at::Tensor, at::Tensor, at::Tensor> packed_lstm(const at::Tensor& data, const at::Tensor& batch_sizes,
                                                           const at::Tensor& h0, const at::Tensor& c0,
                                                           const std::vector<at::Tensor>& weights, bool has_biases,
                                                           int64_t num_layers, double dropout, bool train,
                                                           bool bidirectional) {
  const auto sizes = batch_sizes.contiguous();
  at::IntArrayRef steps(sizes.data_ptr<int64_t>(), sizes.numel());
  const auto hs = h0.unbind(0), cs = c0.unbind(0);
  const int64_t directions = bidirectional ? 2 : 1, per_direction = has_biases ? 4 : 2;
  std::vector<at::Tensor> h_n, c_n, outputs;
  auto layer_input = data;
  for (int64_t layer = 0; layer < num_layers; layer++) {
    outputs.clear();
    for (int64_t direction = 0; direction < directions; direction++) {
      auto k = layer * directions + direction;
      auto [output, state] = packed_lstm_direction(layer_input, steps, {hs[k], cs[k]}, &weights[k * per_direction],
                                                   has_biases, direction == 1);
      outputs.push_back(output);
      h_n.push_back(std::get<0>(state));
      c_n.push_back(std::get<1>(state));
    }
    layer_input = directions == 2 ? at::cat(outputs, -1) : outputs[0];
    if (dropout != 0 && train && layer < num_layers - 1) layer_input = at::dropout(layer_input, dropout, true);
  }
  return {layer_input, at::stack(h_n, 0), at::stack(c_n, 0)};
}
}  // namespace

// The fused multi-layer LSTM. params holds, per layer and direction, w_ih, w_hh[, b_ih, b_hh]
// in PyTorch's order. lengths (nullable, int64 CPU, one per sequence) packs the batch so that the
// final states come from each sequence's last real step and padded steps produce zeros.
VT_API int vt_lstm(TensorPtr input, TensorPtr h0, TensorPtr c0, TensorPtr* params, int nparams, int has_biases,
                   int64_t num_layers, double dropout, int train, int bidirectional, int batch_first,
                   TensorPtr lengths, TensorPtr* output, TensorPtr* h_n, TensorPtr* c_n) {
  try {
    auto weights = vt::list(params, nparams);
    const auto& x = vt::ref(input);
    std::tuple<at::Tensor, at::Tensor, at::Tensor> result;
    if (lengths == nullptr) {
      result = at::lstm(x, {vt::ref(h0), vt::ref(c0)}, weights, has_biases != 0, num_layers, dropout, train != 0,
                        bidirectional != 0, batch_first != 0);
    } else {
      int64_t total_length = x.size(batch_first ? 1 : 0);
      auto packed = torch::nn::utils::rnn::pack_padded_sequence(x, vt::ref(lengths).cpu(), batch_first != 0,
                                                                /*enforce_sorted=*/false);
      // Packing sorts the batch by length; the initial states follow that order, the final ones return to the caller's.
      auto sorted = packed.sorted_indices();
      auto h = vt::ref(h0).index_select(1, sorted);
      auto c = vt::ref(c0).index_select(1, sorted);
      // On the CPU, our packed loop (libtorch's arithmetic, a linear-time backward); elsewhere libtorch's (cuDNN).
      auto packed_result =
          x.is_cpu() ? packed_lstm(packed.data(), packed.batch_sizes(), h, c, weights, has_biases != 0, num_layers,
                                   dropout, train != 0, bidirectional != 0)
                     : at::lstm(packed.data(), packed.batch_sizes(), {h, c}, weights, has_biases != 0, num_layers,
                                dropout, train != 0, bidirectional != 0);
      torch::nn::utils::rnn::PackedSequence packed_output(std::get<0>(packed_result), packed.batch_sizes(), sorted,
                                                          packed.unsorted_indices());
      auto padded = torch::nn::utils::rnn::pad_packed_sequence(packed_output, batch_first != 0, 0.0, total_length);
      auto unsorted = packed.unsorted_indices();
      result = std::make_tuple(std::get<0>(padded), std::get<1>(packed_result).index_select(1, unsorted),
                               std::get<2>(packed_result).index_select(1, unsorted));
    }
    *output = new at::Tensor(std::get<0>(result));
    *h_n = new at::Tensor(std::get<1>(result));
    *c_n = new at::Tensor(std::get<2>(result));
    return 0;
  }
  VT_CATCH(-1)
}

// ---- initialisation (in place, no autograd) -----------------------------------------------
// kind: 0 xavier_uniform, 1 xavier_normal, 2 kaiming_uniform, 3 kaiming_normal, 4 orthogonal.
// a: gain for xavier/orthogonal, negative slope for kaiming. fan_in_mode / leaky select kaiming's fan and nonlinearity.
VT_API int vt_init_(int kind, TensorPtr t, double a, int fan_in_mode, int leaky) {
  try {
    auto& w = *t;
    torch::nn::init::FanModeType mode = fan_in_mode ? torch::nn::init::FanModeType(torch::kFanIn)
                                                    : torch::nn::init::FanModeType(torch::kFanOut);
    torch::nn::init::NonlinearityType nonlinearity = leaky ? torch::nn::init::NonlinearityType(torch::kLeakyReLU)
                                                           : torch::nn::init::NonlinearityType(torch::kReLU);
    switch (kind) {
      case 0: torch::nn::init::xavier_uniform_(w, a); break;
      case 1: torch::nn::init::xavier_normal_(w, a); break;
      case 2: torch::nn::init::kaiming_uniform_(w, a, mode, nonlinearity); break;
      case 3: torch::nn::init::kaiming_normal_(w, a, mode, nonlinearity); break;
      case 4: torch::nn::init::orthogonal_(w, a); break;
      default: TORCH_CHECK(false, "unknown initialiser ", kind);
    }
    return 0;
  }
  VT_CATCH(-1)
}
