using VaeLab.Torch.Modules;

namespace VaeLab.Torch;

public static partial class torch
{
    // Factories for the layers in VaeLab.Torch.Modules, so model code reads as in PyTorch:
    // nn.Conv2d(1, 32, 3, stride: 2, padding: 1).
    public static partial class nn
    {
        public static Linear Linear(long in_features, long out_features, bool bias = true) => new(in_features, out_features, bias);

        public static Conv2d Conv2d(long in_channels, long out_channels, Size2 kernel_size, Size2? stride = null, Size2? padding = null,
            Size2? dilation = null, long groups = 1, bool bias = true) =>
            new(in_channels, out_channels, kernel_size, stride, padding, dilation, groups, bias);

        public static ConvTranspose2d ConvTranspose2d(long in_channels, long out_channels, Size2 kernel_size, Size2? stride = null,
            Size2? padding = null, Size2? output_padding = null, long groups = 1, bool bias = true, Size2? dilation = null) =>
            new(in_channels, out_channels, kernel_size, stride, padding, output_padding, groups, bias, dilation);

        public static BatchNorm1d BatchNorm1d(long num_features, double eps = 1e-5, double? momentum = 0.1, bool affine = true,
            bool track_running_stats = true) => new(num_features, eps, momentum, affine, track_running_stats);

        public static BatchNorm2d BatchNorm2d(long num_features, double eps = 1e-5, double? momentum = 0.1, bool affine = true,
            bool track_running_stats = true) => new(num_features, eps, momentum, affine, track_running_stats);

        public static LayerNorm LayerNorm(long normalized_shape, double eps = 1e-5, bool elementwise_affine = true) =>
            new([normalized_shape], eps, elementwise_affine);

        public static LayerNorm LayerNorm(long[] normalized_shape, double eps = 1e-5, bool elementwise_affine = true) =>
            new(normalized_shape, eps, elementwise_affine);

        public static Dropout Dropout(double p = 0.5) => new(p);

        public static ReLU ReLU() => new();
        public static LeakyReLU LeakyReLU(double negative_slope = 0.01) => new(negative_slope);
        public static ELU ELU(double alpha = 1.0) => new(alpha);
        public static Sigmoid Sigmoid() => new();
        public static Tanh Tanh() => new();
        public static Softplus Softplus(double beta = 1, double threshold = 20) => new(beta, threshold);
        public static Softmax Softmax(long dim) => new(dim);
        public static LogSoftmax LogSoftmax(long dim) => new(dim);
        public static GELU GELU() => new();
        public static Identity Identity() => new();

        public static Flatten Flatten(long start_dim = 1, long end_dim = -1) => new(start_dim, end_dim);
        public static Unflatten Unflatten(long dim, long[] unflattened_size) => new(dim, unflattened_size);

        public static MaxPool2d MaxPool2d(Size2 kernel_size, Size2? stride = null, Size2? padding = null, Size2? dilation = null,
            bool ceil_mode = false) => new(kernel_size, stride, padding, dilation, ceil_mode);

        public static AvgPool2d AvgPool2d(Size2 kernel_size, Size2? stride = null, Size2? padding = null, bool ceil_mode = false,
            bool count_include_pad = true) => new(kernel_size, stride, padding, ceil_mode, count_include_pad);

        public static Upsample Upsample(Size2? size = null, double? scale_factor = null, string mode = "nearest", bool? align_corners = null) =>
            new(size, scale_factor, mode, align_corners);

        public static Sequential Sequential() => new();
        public static Sequential Sequential(params Module<Tensor, Tensor>[] modules) => new(modules);
        public static Sequential Sequential(params (string name, Module<Tensor, Tensor> module)[] modules) => new(modules);

        public static ModuleList<Module> ModuleList(params Module[] modules) => new(modules);
        public static ModuleList<T> ModuleList<T>(params T[] modules) where T : Module => new(modules);
    }
}
