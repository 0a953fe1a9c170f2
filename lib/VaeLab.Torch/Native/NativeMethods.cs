using System.Runtime.InteropServices;
using T = VaeLab.Torch.Native.TensorHandle;

namespace VaeLab.Torch.Native;

// Declarations of lib/native's C ABI (see common.h for its conventions). Tensor arguments are
// TensorHandles (kept alive across the call); tensor results come back as raw pointers that the
// caller wraps, IntPtr.Zero meaning failure. Optional tensor arguments take IntPtr.Zero.
internal static unsafe partial class NativeMethods
{
    const string Lib = NativeLibraryLoader.LibraryName;

    // ---- errors, lifetime, properties
    [DllImport(Lib)] internal static extern IntPtr vt_last_error();
    [DllImport(Lib)] internal static extern void vt_free(IntPtr t);
    [DllImport(Lib), SuppressGCTransition] internal static extern long vt_dim(T t);
    [DllImport(Lib), SuppressGCTransition] internal static extern long vt_numel(T t);
    [DllImport(Lib), SuppressGCTransition] internal static extern int vt_dtype(T t);
    [DllImport(Lib), SuppressGCTransition] internal static extern int vt_device_type(T t);
    [DllImport(Lib), SuppressGCTransition] internal static extern int vt_device_index(T t);
    [DllImport(Lib), SuppressGCTransition] internal static extern int vt_is_contiguous(T t);
    [DllImport(Lib), SuppressGCTransition] internal static extern int vt_requires_grad(T t);
    [DllImport(Lib), SuppressGCTransition] internal static extern int vt_is_leaf(T t);
    [DllImport(Lib), SuppressGCTransition] internal static extern IntPtr vt_data_ptr(T t);
    [DllImport(Lib), SuppressGCTransition] internal static extern long vt_element_size(T t);
    [DllImport(Lib), SuppressGCTransition] internal static extern void vt_sizes(T t, long* output);
    [DllImport(Lib), SuppressGCTransition] internal static extern void vt_strides(T t, long* output);
    [DllImport(Lib)] internal static extern int vt_item(T t, out double value);
    [DllImport(Lib)] internal static extern int vt_item_long(T t, out long value);
    [DllImport(Lib)] internal static extern IntPtr vt_to_string(T t);
    [DllImport(Lib)] internal static extern void vt_free_string(IntPtr s);

    // ---- data
    [DllImport(Lib)] internal static extern IntPtr vt_from_data(void* data, long* shape, int ndim, int dtype, int requiresGrad);
    [DllImport(Lib)] internal static extern int vt_copy_to(T t, void* destination, long nbytes);

    // ---- creation
    [DllImport(Lib)] internal static extern IntPtr vt_empty(long* shape, int ndim, int dtype, int deviceType, int deviceIndex, int requiresGrad);
    [DllImport(Lib)] internal static extern IntPtr vt_zeros(long* shape, int ndim, int dtype, int deviceType, int deviceIndex, int requiresGrad);
    [DllImport(Lib)] internal static extern IntPtr vt_ones(long* shape, int ndim, int dtype, int deviceType, int deviceIndex, int requiresGrad);
    [DllImport(Lib)] internal static extern IntPtr vt_full(long* shape, int ndim, double value, int dtype, int deviceType, int deviceIndex, int requiresGrad);
    [DllImport(Lib)] internal static extern IntPtr vt_eye(long n, long m, int dtype, int deviceType, int deviceIndex, int requiresGrad);
    [DllImport(Lib)] internal static extern IntPtr vt_arange(double start, double end, double step, int dtype, int deviceType, int deviceIndex, int requiresGrad);
    [DllImport(Lib)] internal static extern IntPtr vt_linspace(double start, double end, long steps, int dtype, int deviceType, int deviceIndex, int requiresGrad);
    [DllImport(Lib)] internal static extern IntPtr vt_randn(long* shape, int ndim, int dtype, int deviceType, int deviceIndex, int requiresGrad);
    [DllImport(Lib)] internal static extern IntPtr vt_rand(long* shape, int ndim, int dtype, int deviceType, int deviceIndex, int requiresGrad);
    [DllImport(Lib)] internal static extern IntPtr vt_randint(long low, long high, long* shape, int ndim, int dtype, int deviceType, int deviceIndex, int requiresGrad);
    [DllImport(Lib)] internal static extern IntPtr vt_randperm(long n, int dtype, int deviceType, int deviceIndex, int requiresGrad);
    [DllImport(Lib)] internal static extern IntPtr vt_normal(double mean, double std, long* shape, int ndim, int dtype, int deviceType, int deviceIndex, int requiresGrad);
    [DllImport(Lib)] internal static extern IntPtr vt_bernoulli(T probabilities);
    [DllImport(Lib)] internal static extern IntPtr vt_multinomial(T probabilities, long samples, int replacement);
    [DllImport(Lib)] internal static extern IntPtr vt_zeros_like(T t);
    [DllImport(Lib)] internal static extern IntPtr vt_ones_like(T t);
    [DllImport(Lib)] internal static extern IntPtr vt_randn_like(T t);
    [DllImport(Lib)] internal static extern IntPtr vt_rand_like(T t);
    [DllImport(Lib)] internal static extern IntPtr vt_full_like(T t, double value);
    [DllImport(Lib)] internal static extern int vt_uniform_(T t, double low, double high);
    [DllImport(Lib)] internal static extern int vt_normal_(T t, double mean, double std);
    [DllImport(Lib)] internal static extern int vt_bernoulli_(T t, double p);

    // ---- conversion and copies
    [DllImport(Lib)] internal static extern IntPtr vt_to(T t, int dtype, int deviceType, int deviceIndex, int copy);
    [DllImport(Lib)] internal static extern IntPtr vt_contiguous(T t);
    [DllImport(Lib)] internal static extern IntPtr vt_clone(T t);
    [DllImport(Lib)] internal static extern IntPtr vt_detach(T t);
    [DllImport(Lib)] internal static extern IntPtr vt_alias(T t);
    [DllImport(Lib)] internal static extern int vt_copy_(T destination, T source);
    [DllImport(Lib)] internal static extern int vt_fill_(T t, double value);
    [DllImport(Lib)] internal static extern int vt_zero_(T t);
    [DllImport(Lib)] internal static extern int vt_set_data(T t, T data);
    [DllImport(Lib)] internal static extern int vt_allclose(T a, T b, double rtol, double atol, out int result);
    [DllImport(Lib)] internal static extern int vt_equal(T a, T b, out int result);

    // ---- global settings
    [DllImport(Lib)] internal static extern void vt_manual_seed(ulong seed);
    [DllImport(Lib)] internal static extern int vt_get_num_threads();
    [DllImport(Lib)] internal static extern void vt_set_num_threads(int n);
    [DllImport(Lib)] internal static extern int vt_cuda_is_available();
    [DllImport(Lib)] internal static extern int vt_cuda_device_count();
    [DllImport(Lib), SuppressGCTransition] internal static extern int vt_is_grad_enabled();
    [DllImport(Lib), SuppressGCTransition] internal static extern void vt_set_grad_enabled(int enabled);
    [DllImport(Lib)] internal static extern IntPtr vt_version();

    // ---- element-wise
    [DllImport(Lib)] internal static extern IntPtr vt_binary(BinaryOp op, T a, T b);
    [DllImport(Lib)] internal static extern IntPtr vt_binary_scalar(BinaryOp op, T a, double s);
    [DllImport(Lib)] internal static extern IntPtr vt_scalar_binary(BinaryOp op, double s, T b);
    [DllImport(Lib)] internal static extern int vt_binary_(BinaryOp op, T a, T b);
    [DllImport(Lib)] internal static extern int vt_binary_scalar_(BinaryOp op, T a, double s);
    [DllImport(Lib)] internal static extern IntPtr vt_add_scaled(T a, T b, double alpha);
    [DllImport(Lib)] internal static extern int vt_add_scaled_(T a, T b, double alpha);
    [DllImport(Lib)] internal static extern IntPtr vt_unary(UnaryOp op, T x);
    [DllImport(Lib)] internal static extern int vt_unary_(UnaryOp op, T x);
    [DllImport(Lib)] internal static extern IntPtr vt_clamp(T x, double min, double max);
    [DllImport(Lib)] internal static extern int vt_clamp_(T x, double min, double max);
    [DllImport(Lib)] internal static extern IntPtr vt_clamp_tensor(T x, IntPtr min, IntPtr max);
    [DllImport(Lib)] internal static extern IntPtr vt_where(T condition, T a, T b);
    [DllImport(Lib)] internal static extern IntPtr vt_masked_fill(T x, T mask, double value);
    [DllImport(Lib)] internal static extern int vt_masked_fill_(T x, T mask, double value);
    [DllImport(Lib)] internal static extern IntPtr vt_masked_select(T x, T mask);
    [DllImport(Lib)] internal static extern IntPtr vt_lerp(T a, T b, double weight);

    // ---- reductions
    [DllImport(Lib)] internal static extern IntPtr vt_reduce(ReduceOp op, T x, long* dims, int ndims, int allDims, int keepdim, int unbiased);
    [DllImport(Lib)] internal static extern int vt_max_min_dim(int kind, T x, long dim, int keepdim, out IntPtr values, out IntPtr indices);
    [DllImport(Lib)] internal static extern IntPtr vt_max_all(T x);
    [DllImport(Lib)] internal static extern IntPtr vt_min_all(T x);
    [DllImport(Lib)] internal static extern IntPtr vt_arg_max_min(int kind, T x, long dim, int hasDim, int keepdim);
    [DllImport(Lib)] internal static extern IntPtr vt_cumsum(T x, long dim);
    [DllImport(Lib)] internal static extern int vt_sort(T x, long dim, int descending, out IntPtr values, out IntPtr indices);
    [DllImport(Lib)] internal static extern int vt_topk(T x, long k, long dim, int largest, out IntPtr values, out IntPtr indices);

    // ---- linear algebra
    [DllImport(Lib)] internal static extern IntPtr vt_matmul(T a, T b);
    [DllImport(Lib)] internal static extern IntPtr vt_mm(T a, T b);
    [DllImport(Lib)] internal static extern IntPtr vt_bmm(T a, T b);
    [DllImport(Lib)] internal static extern IntPtr vt_outer(T a, T b);
    [DllImport(Lib)] internal static extern IntPtr vt_linear(T x, T weight, IntPtr bias);
    [DllImport(Lib)] internal static extern IntPtr vt_einsum([MarshalAs(UnmanagedType.LPUTF8Str)] string equation, IntPtr* operands, int count);

    // ---- shape
    [DllImport(Lib)] internal static extern IntPtr vt_view(T x, long* shape, int ndim);
    [DllImport(Lib)] internal static extern IntPtr vt_reshape(T x, long* shape, int ndim);
    [DllImport(Lib)] internal static extern IntPtr vt_permute(T x, long* dims, int ndim);
    [DllImport(Lib)] internal static extern IntPtr vt_transpose(T x, long dim0, long dim1);
    [DllImport(Lib)] internal static extern IntPtr vt_squeeze(T x);
    [DllImport(Lib)] internal static extern IntPtr vt_squeeze_dim(T x, long dim);
    [DllImport(Lib)] internal static extern IntPtr vt_unsqueeze(T x, long dim);
    [DllImport(Lib)] internal static extern IntPtr vt_flatten(T x, long start, long end);
    [DllImport(Lib)] internal static extern IntPtr vt_unflatten(T x, long dim, long* sizes, int n);
    [DllImport(Lib)] internal static extern IntPtr vt_expand(T x, long* shape, int ndim);
    [DllImport(Lib)] internal static extern IntPtr vt_repeat(T x, long* repeats, int n);
    [DllImport(Lib)] internal static extern IntPtr vt_repeat_interleave(T x, long repeats, long dim);
    [DllImport(Lib)] internal static extern IntPtr vt_flip(T x, long* dims, int n);
    [DllImport(Lib)] internal static extern IntPtr vt_roll(T x, long* shifts, long* dims, int n);
    [DllImport(Lib)] internal static extern IntPtr vt_narrow(T x, long dim, long start, long length);
    [DllImport(Lib)] internal static extern IntPtr vt_slice(T x, long dim, long start, long end, long step);
    [DllImport(Lib)] internal static extern IntPtr vt_select(T x, long dim, long index);
    [DllImport(Lib)] internal static extern IntPtr vt_index_select(T x, long dim, T index);
    [DllImport(Lib)] internal static extern IntPtr vt_gather(T x, long dim, T index);
    [DllImport(Lib)] internal static extern IntPtr vt_scatter(T x, long dim, T index, T source);
    [DllImport(Lib)] internal static extern IntPtr vt_scatter_add(T x, long dim, T index, T source);
    [DllImport(Lib)] internal static extern IntPtr vt_index(T x, IntPtr* indices, int n);
    [DllImport(Lib)] internal static extern int vt_index_put_(T x, IntPtr* indices, int n, T values, int accumulate);
    [DllImport(Lib)] internal static extern IntPtr vt_cat(IntPtr* tensors, int count, long dim);
    [DllImport(Lib)] internal static extern IntPtr vt_stack(IntPtr* tensors, int count, long dim);
    [DllImport(Lib)] internal static extern int vt_split(int kind, T x, long sizeOrCount, long dim, IntPtr* output, int capacity);
    [DllImport(Lib)] internal static extern int vt_split_with_sizes(T x, long* sizes, int n, long dim, IntPtr* output);
    [DllImport(Lib)] internal static extern IntPtr vt_tril(T x, long diagonal);
    [DllImport(Lib)] internal static extern IntPtr vt_triu(T x, long diagonal);
    [DllImport(Lib)] internal static extern IntPtr vt_nonzero(T x);
    [DllImport(Lib)] internal static extern IntPtr vt_one_hot(T x, long classes);

    // ---- neural ops
    [DllImport(Lib)] internal static extern IntPtr vt_conv2d(T x, T weight, IntPtr bias, long* stride, long* padding, long* dilation, long groups);
    [DllImport(Lib)] internal static extern IntPtr vt_conv1d(T x, T weight, IntPtr bias, long stride, long padding, long dilation, long groups);
    [DllImport(Lib)] internal static extern IntPtr vt_conv_transpose2d(T x, T weight, IntPtr bias, long* stride, long* padding, long* outputPadding, long groups, long* dilation);
    [DllImport(Lib)] internal static extern IntPtr vt_max_pool2d(T x, long* kernel, long* stride, long* padding, long* dilation, int ceilMode);
    [DllImport(Lib)] internal static extern IntPtr vt_avg_pool2d(T x, long* kernel, long* stride, long* padding, int ceilMode, int countIncludePad);
    [DllImport(Lib)] internal static extern IntPtr vt_adaptive_avg_pool2d(T x, long* outputSize);
    [DllImport(Lib)] internal static extern IntPtr vt_interpolate(T x, long* size, double* scale, int mode, int alignCorners);
    [DllImport(Lib)] internal static extern IntPtr vt_pad(T x, long* pad, int n, int mode, double value);
    [DllImport(Lib)] internal static extern IntPtr vt_batch_norm(T x, IntPtr weight, IntPtr bias, IntPtr runningMean, IntPtr runningVar, int training, double momentum, double eps);
    [DllImport(Lib)] internal static extern IntPtr vt_layer_norm(T x, long* shape, int n, IntPtr weight, IntPtr bias, double eps);
    [DllImport(Lib)] internal static extern IntPtr vt_group_norm(T x, long groups, IntPtr weight, IntPtr bias, double eps);
    [DllImport(Lib)] internal static extern IntPtr vt_dropout(T x, double p, int training);
    [DllImport(Lib)] internal static extern IntPtr vt_dropout2d(T x, double p, int training);
    [DllImport(Lib)] internal static extern IntPtr vt_leaky_relu(T x, double slope);
    [DllImport(Lib)] internal static extern IntPtr vt_elu(T x, double alpha);
    [DllImport(Lib)] internal static extern IntPtr vt_softplus(T x, double beta, double threshold);
    [DllImport(Lib)] internal static extern IntPtr vt_hardtanh(T x, double min, double max);
    [DllImport(Lib)] internal static extern IntPtr vt_softmax(T x, long dim);
    [DllImport(Lib)] internal static extern IntPtr vt_log_softmax(T x, long dim);
    [DllImport(Lib)] internal static extern IntPtr vt_mse_loss(T input, T target, int reduction);
    [DllImport(Lib)] internal static extern IntPtr vt_l1_loss(T input, T target, int reduction);
    [DllImport(Lib)] internal static extern IntPtr vt_smooth_l1_loss(T input, T target, int reduction, double beta);
    [DllImport(Lib)] internal static extern IntPtr vt_binary_cross_entropy(T input, T target, IntPtr weight, int reduction);
    [DllImport(Lib)] internal static extern IntPtr vt_binary_cross_entropy_with_logits(T input, T target, IntPtr weight, IntPtr posWeight, int reduction);
    [DllImport(Lib)] internal static extern IntPtr vt_cross_entropy(T input, T target, IntPtr weight, int reduction, long ignoreIndex, double labelSmoothing);
    [DllImport(Lib)] internal static extern IntPtr vt_nll_loss(T input, T target, IntPtr weight, int reduction, long ignoreIndex);
    [DllImport(Lib)] internal static extern IntPtr vt_kl_div(T input, T target, int reduction, int logTarget);
    [DllImport(Lib)] internal static extern int vt_lstm_cell(T x, T h, T c, T wIh, T wHh, IntPtr bIh, IntPtr bHh, out IntPtr hOut, out IntPtr cOut);
    [DllImport(Lib)] internal static extern int vt_lstm(T input, T h0, T c0, IntPtr* parameters, int count, int hasBiases, long numLayers, double dropout, int train, int bidirectional, int batchFirst, IntPtr lengths, out IntPtr output, out IntPtr hN, out IntPtr cN);
    [DllImport(Lib)] internal static extern int vt_init_(int kind, T t, double a, int fanInMode, int leaky);

    // ---- autograd
    [DllImport(Lib)] internal static extern int vt_backward(T t, IntPtr gradient, int retainGraph, int createGraph);
    [DllImport(Lib)] internal static extern IntPtr vt_grad(T t);
    [DllImport(Lib)] internal static extern int vt_set_grad(T t, IntPtr grad);
    [DllImport(Lib)] internal static extern int vt_set_requires_grad(T t, int requiresGrad);
    [DllImport(Lib)] internal static extern int vt_retain_grad(T t);
    [DllImport(Lib)] internal static extern int vt_grad_fn_name(T t, byte* buffer, int capacity);
    [DllImport(Lib)] internal static extern int vt_autograd_grad(IntPtr* outputs, int noutputs, IntPtr* inputs, int ninputs, IntPtr* gradOutputs, int retainGraph, int createGraph, int allowUnused, IntPtr* result);

    // ---- optimizers
    [DllImport(Lib)] internal static extern int vt_sgd_update(T param, IntPtr momentumBuffer, int firstStep, double lr, double momentum, double dampening, double weightDecay, int nesterov, int maximize);
    [DllImport(Lib)] internal static extern int vt_adam_update(T param, T expAvg, T expAvgSq, IntPtr maxExpAvgSq, long step, double lr, double beta1, double beta2, double eps, double weightDecay, int decoupled, int maximize);
    [DllImport(Lib)] internal static extern int vt_rmsprop_update(T param, T squareAvg, IntPtr momentumBuffer, IntPtr gradAvg, double lr, double alpha, double eps, double weightDecay, double momentum, int centered, int maximize);
    [DllImport(Lib)] internal static extern int vt_clip_grad_norm_(IntPtr* parameters, int count, double maxNorm, double normType, out double totalNorm);
    [DllImport(Lib)] internal static extern int vt_clip_grad_value_(IntPtr* parameters, int count, double clipValue);
}
