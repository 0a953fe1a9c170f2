using static VaeLab.Torch.Native.NativeMethods;

namespace VaeLab.Torch;

public static partial class torch
{
    public static partial class nn
    {
        /// <summary>Loss reductions, as in torch.nn.functional (batchmean is kl_div's only).</summary>
        public enum Reduction { none = 0, mean = 1, sum = 2, batchmean = 3 }

        /// <summary>torch.nn.functional: stateless ops with autograd. <c>using F = VaeLab.Torch.torch.nn.functional;</c></summary>
        public static class functional
        {
            static IntPtr Opt(Tensor? t) => t?.Pointer ?? IntPtr.Zero;

            static long[] Pair(long[] values, string name) => values.Length switch
            {
                1 => [values[0], values[0]],
                2 => values,
                _ => throw new ArgumentException($"{name} takes one or two values, got {values.Length}", name),
            };

            // ---- convolution and pooling ---------------------------------------------------------
            public static unsafe Tensor conv2d(Tensor input, Tensor weight, Tensor? bias = null, long[]? stride = null,
                long[]? padding = null, long[]? dilation = null, long groups = 1)
            {
                var s = Pair(stride ?? [1], nameof(stride));
                var p = Pair(padding ?? [0], nameof(padding));
                var d = Pair(dilation ?? [1], nameof(dilation));
                fixed (long* sp = s, pp = p, dp = d)
                {
                    var result = Checked.Wrap(vt_conv2d(input.Handle, weight.Handle, Opt(bias), sp, pp, dp, groups), nameof(conv2d));
                    GC.KeepAlive(bias);
                    return result;
                }
            }

            public static Tensor conv1d(Tensor input, Tensor weight, Tensor? bias = null, long stride = 1, long padding = 0, long dilation = 1, long groups = 1)
            {
                var result = Checked.Wrap(vt_conv1d(input.Handle, weight.Handle, Opt(bias), stride, padding, dilation, groups), nameof(conv1d));
                GC.KeepAlive(bias);
                return result;
            }

            public static unsafe Tensor conv_transpose2d(Tensor input, Tensor weight, Tensor? bias = null, long[]? stride = null,
                long[]? padding = null, long[]? output_padding = null, long groups = 1, long[]? dilation = null)
            {
                var s = Pair(stride ?? [1], nameof(stride));
                var p = Pair(padding ?? [0], nameof(padding));
                var o = Pair(output_padding ?? [0], nameof(output_padding));
                var d = Pair(dilation ?? [1], nameof(dilation));
                fixed (long* sp = s, pp = p, op = o, dp = d)
                {
                    var result = Checked.Wrap(vt_conv_transpose2d(input.Handle, weight.Handle, Opt(bias), sp, pp, op, groups, dp), nameof(conv_transpose2d));
                    GC.KeepAlive(bias);
                    return result;
                }
            }

            public static unsafe Tensor max_pool2d(Tensor input, long[] kernel_size, long[]? stride = null, long[]? padding = null,
                long[]? dilation = null, bool ceil_mode = false)
            {
                var k = Pair(kernel_size, nameof(kernel_size));
                var s = stride is null || stride.Length == 0 ? k : Pair(stride, nameof(stride));
                var p = Pair(padding ?? [0], nameof(padding));
                var d = Pair(dilation ?? [1], nameof(dilation));
                fixed (long* kp = k, sp = s, pp = p, dp = d)
                    return Checked.Wrap(vt_max_pool2d(input.Handle, kp, sp, pp, dp, ceil_mode ? 1 : 0), nameof(max_pool2d));
            }

            public static Tensor max_pool2d(Tensor input, long kernel_size) => max_pool2d(input, [kernel_size]);

            public static unsafe Tensor avg_pool2d(Tensor input, long[] kernel_size, long[]? stride = null, long[]? padding = null,
                bool ceil_mode = false, bool count_include_pad = true)
            {
                var k = Pair(kernel_size, nameof(kernel_size));
                var s = stride is null || stride.Length == 0 ? k : Pair(stride, nameof(stride));
                var p = Pair(padding ?? [0], nameof(padding));
                fixed (long* kp = k, sp = s, pp = p)
                    return Checked.Wrap(vt_avg_pool2d(input.Handle, kp, sp, pp, ceil_mode ? 1 : 0, count_include_pad ? 1 : 0), nameof(avg_pool2d));
            }

            public static Tensor avg_pool2d(Tensor input, long kernel_size) => avg_pool2d(input, [kernel_size]);

            public static unsafe Tensor adaptive_avg_pool2d(Tensor input, long[] output_size)
            {
                var o = Pair(output_size, nameof(output_size));
                fixed (long* op = o) return Checked.Wrap(vt_adaptive_avg_pool2d(input.Handle, op), nameof(adaptive_avg_pool2d));
            }

            /// <summary>Resizes the last two dims to size, or by scale_factor; mode "nearest" or "bilinear".</summary>
            public static unsafe Tensor interpolate(Tensor input, long[]? size = null, double[]? scale_factor = null,
                string mode = "nearest", bool align_corners = false)
            {
                if ((size is null) == (scale_factor is null))
                    throw new ArgumentException("interpolate takes exactly one of size and scale_factor");
                var modeCode = mode switch
                {
                    "nearest" => 0,
                    "bilinear" => 1,
                    _ => throw new ArgumentException($"interpolate mode '{mode}' is not supported: use nearest or bilinear", nameof(mode)),
                };
                var s = size is null ? null : Pair(size, nameof(size));
                var f = scale_factor is null ? null : scale_factor.Length == 1 ? [scale_factor[0], scale_factor[0]] : scale_factor;
                fixed (long* sp = s)
                fixed (double* fp = f)
                    return Checked.Wrap(vt_interpolate(input.Handle, sp, fp, modeCode, align_corners ? 1 : 0), nameof(interpolate));
            }

            /// <summary>Pads the last dims: pad = (left, right[, top, bottom ...]); mode constant, reflect, replicate or circular.</summary>
            public static unsafe Tensor pad(Tensor input, long[] pad, string mode = "constant", double value = 0)
            {
                var modeCode = mode switch
                {
                    "constant" => 0,
                    "reflect" => 1,
                    "replicate" => 2,
                    "circular" => 3,
                    _ => throw new ArgumentException($"pad mode '{mode}' is not one of constant, reflect, replicate, circular", nameof(mode)),
                };
                fixed (long* p = pad) return Checked.Wrap(vt_pad(input.Handle, p, pad.Length, modeCode, value), nameof(pad));
            }

            // ---- normalisation and dropout -------------------------------------------------------
            public static Tensor batch_norm(Tensor input, Tensor? running_mean, Tensor? running_var, Tensor? weight = null,
                Tensor? bias = null, bool training = false, double momentum = 0.1, double eps = 1e-5)
            {
                var result = Checked.Wrap(vt_batch_norm(input.Handle, Opt(weight), Opt(bias), Opt(running_mean), Opt(running_var),
                    training ? 1 : 0, momentum, eps), nameof(batch_norm));
                GC.KeepAlive(weight);
                GC.KeepAlive(bias);
                GC.KeepAlive(running_mean);
                GC.KeepAlive(running_var);
                return result;
            }

            public static unsafe Tensor layer_norm(Tensor input, long[] normalized_shape, Tensor? weight = null, Tensor? bias = null, double eps = 1e-5)
            {
                fixed (long* p = normalized_shape)
                {
                    var result = Checked.Wrap(vt_layer_norm(input.Handle, p, normalized_shape.Length, Opt(weight), Opt(bias), eps), nameof(layer_norm));
                    GC.KeepAlive(weight);
                    GC.KeepAlive(bias);
                    return result;
                }
            }

            public static Tensor group_norm(Tensor input, long num_groups, Tensor? weight = null, Tensor? bias = null, double eps = 1e-5)
            {
                var result = Checked.Wrap(vt_group_norm(input.Handle, num_groups, Opt(weight), Opt(bias), eps), nameof(group_norm));
                GC.KeepAlive(weight);
                GC.KeepAlive(bias);
                return result;
            }

            public static Tensor dropout(Tensor input, double p = 0.5, bool training = true)
            {
                CheckProbability(p);
                return Checked.Wrap(vt_dropout(input.Handle, p, training ? 1 : 0), nameof(dropout));
            }

            public static Tensor dropout2d(Tensor input, double p = 0.5, bool training = true)
            {
                CheckProbability(p);
                return Checked.Wrap(vt_dropout2d(input.Handle, p, training ? 1 : 0), nameof(dropout2d));
            }

            internal static void CheckProbability(double p)
            {
                if (p < 0 || p > 1) throw new ArgumentOutOfRangeException(nameof(p), p, "dropout probability must be in [0, 1]");
            }

            // ---- activations ---------------------------------------------------------------------
            public static Tensor relu(Tensor input) => input.relu();
            public static Tensor sigmoid(Tensor input) => input.sigmoid();
            public static Tensor tanh(Tensor input) => input.tanh();
            public static Tensor silu(Tensor input) => Checked.Wrap(vt_unary(Native.UnaryOp.Silu, input.Handle), nameof(silu));
            public static Tensor gelu(Tensor input) => Checked.Wrap(vt_unary(Native.UnaryOp.Gelu, input.Handle), nameof(gelu));
            public static Tensor leaky_relu(Tensor input, double negative_slope = 0.01) => Checked.Wrap(vt_leaky_relu(input.Handle, negative_slope), nameof(leaky_relu));
            public static Tensor elu(Tensor input, double alpha = 1.0) => Checked.Wrap(vt_elu(input.Handle, alpha), nameof(elu));
            public static Tensor softplus(Tensor input, double beta = 1, double threshold = 20) => Checked.Wrap(vt_softplus(input.Handle, beta, threshold), nameof(softplus));
            public static Tensor hardtanh(Tensor input, double min_val = -1, double max_val = 1) => Checked.Wrap(vt_hardtanh(input.Handle, min_val, max_val), nameof(hardtanh));
            public static Tensor softmax(Tensor input, long dim) => Checked.Wrap(vt_softmax(input.Handle, dim), nameof(softmax));
            public static Tensor log_softmax(Tensor input, long dim) => Checked.Wrap(vt_log_softmax(input.Handle, dim), nameof(log_softmax));
            public static Tensor one_hot(Tensor input, long num_classes = -1) => Checked.Wrap(vt_one_hot(input.Handle, num_classes), nameof(one_hot));

            // ---- linear --------------------------------------------------------------------------
            public static Tensor linear(Tensor input, Tensor weight, Tensor? bias = null)
            {
                var result = Checked.Wrap(vt_linear(input.Handle, weight.Handle, Opt(bias)), nameof(linear));
                GC.KeepAlive(bias);
                return result;
            }

            // ---- losses --------------------------------------------------------------------------
            static int Code(Reduction reduction, string name) =>
                reduction == Reduction.batchmean ? throw new ArgumentException($"{name} has no batchmean reduction", nameof(reduction)) : (int)reduction;

            public static Tensor mse_loss(Tensor input, Tensor target, Reduction reduction = Reduction.mean) =>
                Checked.Wrap(vt_mse_loss(input.Handle, target.Handle, Code(reduction, nameof(mse_loss))), nameof(mse_loss));

            public static Tensor l1_loss(Tensor input, Tensor target, Reduction reduction = Reduction.mean) =>
                Checked.Wrap(vt_l1_loss(input.Handle, target.Handle, Code(reduction, nameof(l1_loss))), nameof(l1_loss));

            public static Tensor smooth_l1_loss(Tensor input, Tensor target, Reduction reduction = Reduction.mean, double beta = 1.0) =>
                Checked.Wrap(vt_smooth_l1_loss(input.Handle, target.Handle, Code(reduction, nameof(smooth_l1_loss)), beta), nameof(smooth_l1_loss));

            public static Tensor binary_cross_entropy(Tensor input, Tensor target, Tensor? weight = null, Reduction reduction = Reduction.mean)
            {
                var result = Checked.Wrap(vt_binary_cross_entropy(input.Handle, target.Handle, Opt(weight), Code(reduction, nameof(binary_cross_entropy))), nameof(binary_cross_entropy));
                GC.KeepAlive(weight);
                return result;
            }

            public static Tensor binary_cross_entropy_with_logits(Tensor input, Tensor target, Tensor? weight = null,
                Reduction reduction = Reduction.mean, Tensor? pos_weight = null)
            {
                var result = Checked.Wrap(vt_binary_cross_entropy_with_logits(input.Handle, target.Handle, Opt(weight), Opt(pos_weight),
                    Code(reduction, nameof(binary_cross_entropy_with_logits))), nameof(binary_cross_entropy_with_logits));
                GC.KeepAlive(weight);
                GC.KeepAlive(pos_weight);
                return result;
            }

            /// <summary>Cross entropy of logits against class indices (int64) or class probabilities.</summary>
            public static Tensor cross_entropy(Tensor input, Tensor target, Tensor? weight = null, long ignore_index = -100,
                Reduction reduction = Reduction.mean, double label_smoothing = 0.0)
            {
                var result = Checked.Wrap(vt_cross_entropy(input.Handle, target.Handle, Opt(weight), Code(reduction, nameof(cross_entropy)),
                    ignore_index, label_smoothing), nameof(cross_entropy));
                GC.KeepAlive(weight);
                return result;
            }

            public static Tensor nll_loss(Tensor input, Tensor target, Tensor? weight = null, long ignore_index = -100, Reduction reduction = Reduction.mean)
            {
                var result = Checked.Wrap(vt_nll_loss(input.Handle, target.Handle, Opt(weight), Code(reduction, nameof(nll_loss)), ignore_index), nameof(nll_loss));
                GC.KeepAlive(weight);
                return result;
            }

            /// <summary>KL(target || exp(input)) with input given as log-probabilities, as torch's kl_div.</summary>
            public static Tensor kl_div(Tensor input, Tensor target, Reduction reduction = Reduction.mean, bool log_target = false) =>
                Checked.Wrap(vt_kl_div(input.Handle, target.Handle, (int)reduction, log_target ? 1 : 0), nameof(kl_div));
        }
    }
}
