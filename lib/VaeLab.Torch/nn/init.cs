using static VaeLab.Torch.Native.NativeMethods;

namespace VaeLab.Torch;

public static partial class torch
{
    public static partial class nn
    {
        /// <summary>
        /// torch.nn.init: in-place initialisers that run without autograd and return their tensor.
        /// xavier, kaiming and orthogonal run libtorch's own, which draw from the same generator and in
        /// the same order as PyTorch's Python versions, so a seeded run reproduces PyTorch's values.
        /// </summary>
        public static class init
        {
            /// <summary>The recommended gain for a nonlinearity; param is leaky_relu's negative slope (default 0.01).</summary>
            public static double calculate_gain(string nonlinearity, double? param = null) => nonlinearity switch
            {
                "linear" or "conv1d" or "conv2d" or "conv3d" or "conv_transpose1d" or "conv_transpose2d" or "conv_transpose3d" or "sigmoid" => 1.0,
                "tanh" => 5.0 / 3,
                "relu" => Math.Sqrt(2.0),
                "leaky_relu" => Math.Sqrt(2.0 / (1 + Math.Pow(param ?? 0.01, 2))),
                "selu" => 3.0 / 4,
                _ => throw new ArgumentException($"unsupported nonlinearity '{nonlinearity}'", nameof(nonlinearity)),
            };

            /// <summary>Fans of a weight: dim 1 and dim 0 times the receptive field (the product of the dims after the second).</summary>
            public static (long fan_in, long fan_out) _calculate_fan_in_and_fan_out(Tensor tensor)
            {
                var shape = tensor.shape;
                if (shape.Length < 2)
                    throw new ArgumentException($"fan in and fan out need a tensor of 2 or more dims, got [{string.Join(", ", shape)}]", nameof(tensor));
                var receptive = shape.Skip(2).Aggregate(1L, (a, b) => a * b);
                return (shape[1] * receptive, shape[0] * receptive);
            }

            public static Tensor xavier_uniform_(Tensor tensor, double gain = 1.0) => Native(0, nameof(xavier_uniform_), tensor, gain);
            public static Tensor xavier_normal_(Tensor tensor, double gain = 1.0) => Native(1, nameof(xavier_normal_), tensor, gain);

            /// <summary>U(-b, b) with b = gain * sqrt(3 / fan); a is leaky_relu's negative slope.</summary>
            public static Tensor kaiming_uniform_(Tensor tensor, double a = 0, string mode = "fan_in", string nonlinearity = "leaky_relu") =>
                Native(2, nameof(kaiming_uniform_), tensor, a, FanIn(mode), Leaky(nonlinearity));

            /// <summary>N(0, std^2) with std = gain / sqrt(fan); a is leaky_relu's negative slope.</summary>
            public static Tensor kaiming_normal_(Tensor tensor, double a = 0, string mode = "fan_in", string nonlinearity = "leaky_relu") =>
                Native(3, nameof(kaiming_normal_), tensor, a, FanIn(mode), Leaky(nonlinearity));

            /// <summary>A (semi-)orthogonal matrix from the QR decomposition of a Gaussian one, times gain; dims after the first are flattened.</summary>
            public static Tensor orthogonal_(Tensor tensor, double gain = 1.0) => Native(4, nameof(orthogonal_), tensor, gain);

            public static Tensor uniform_(Tensor tensor, double a = 0, double b = 1) => NoGrad(tensor, t => t.uniform_(a, b));
            public static Tensor normal_(Tensor tensor, double mean = 0, double std = 1) => NoGrad(tensor, t => t.normal_(mean, std));
            public static Tensor constant_(Tensor tensor, double val) => NoGrad(tensor, t => t.fill_(val));
            public static Tensor zeros_(Tensor tensor) => NoGrad(tensor, t => t.zero_());
            public static Tensor ones_(Tensor tensor) => NoGrad(tensor, t => t.fill_(1));

            static bool FanIn(string mode) => mode switch
            {
                "fan_in" => true,
                "fan_out" => false,
                _ => throw new ArgumentException($"mode '{mode}' is not fan_in or fan_out", nameof(mode)),
            };

            static bool Leaky(string nonlinearity) => nonlinearity switch
            {
                "leaky_relu" => true,
                "relu" => false,
                _ => throw new ArgumentException($"kaiming initialisation supports relu and leaky_relu, not '{nonlinearity}'", nameof(nonlinearity)),
            };

            // kind numbers vt_init_'s initialisers (see lib/native/src/nn.cpp).
            static Tensor Native(int kind, string name, Tensor tensor, double a, bool fanIn = true, bool leaky = false)
            {
                Checked.Status(vt_init_(kind, tensor.Handle, a, fanIn ? 1 : 0, leaky ? 1 : 0), name);
                return tensor;
            }

            static Tensor NoGrad(Tensor tensor, Action<Tensor> fill)
            {
                using (no_grad()) fill(tensor);
                return tensor;
            }
        }
    }
}
