using F = VaeLab.Torch.torch.nn.functional;
using R = VaeLab.Torch.torch.nn.Reduction;

namespace VaeLab.Torch.Tests;

/// <summary>torch.nn.functional against PyTorch's values and gradients (tests/fixtures/torch/gen_functional.py).</summary>
public class FunctionalFixtureTests
{
    const string File = "functional.json";

    public static IEnumerable<object[]> Cases => OpCaseRunner.Names(File);

    [Theory]
    [MemberData(nameof(Cases))]
    public void MatchesPyTorch(string name) => OpCaseRunner.Verify(File, name, t => Run(name, t));

    // Losses are recorded once per reduction: "<loss>_<reduction>".
    static object Run(string name, Func<string, Tensor> t)
    {
        var cut = name.LastIndexOf('_');
        var suffix = name[(cut + 1)..];
        return Enum.GetNames<R>().Contains(suffix) ? Loss(name[..cut], Enum.Parse<R>(suffix), t) : Other(name, t);
    }

    static (Tensor y, Tensor runningMean, Tensor runningVar) BatchNormWithStats(Func<string, Tensor> t, bool training,
        double momentum = 0.1, double eps = 1e-5, bool affine = true) =>
        (F.batch_norm(t("x"), t("m"), t("v"), affine ? t("w") : null, affine ? t("b") : null, training, momentum, eps), t("m"), t("v"));

    static object Other(string name, Func<string, Tensor> t) => name switch
    {
        "conv2d" => F.conv2d(t("x"), t("w"), t("b")),
        "conv2d_stride2_pad1_no_bias" => F.conv2d(t("x"), t("w"), stride: [2], padding: [1]),
        "conv2d_dilation2" => F.conv2d(t("x"), t("w"), t("b"), padding: [2], dilation: [2]),
        "conv2d_groups2" => F.conv2d(t("x"), t("w"), t("b"), padding: [1], groups: 2),
        "conv2d_asymmetric" => F.conv2d(t("x"), t("w"), t("b"), stride: [2, 1], padding: [1, 0]),
        "conv2d_f64" => F.conv2d(t("x"), t("w"), t("b"), padding: [1]),
        "conv_transpose2d_s2_p1" => F.conv_transpose2d(t("x"), t("w"), t("b"), stride: [2], padding: [1]),
        "conv_transpose2d_output_padding" => F.conv_transpose2d(t("x"), t("w"), t("b"), stride: [2], padding: [1], output_padding: [1]),
        "conv_transpose2d_groups2" => F.conv_transpose2d(t("x"), t("w"), stride: [2], padding: [1], output_padding: [1], groups: 2),

        "max_pool2d" => F.max_pool2d(t("x"), 2),
        "max_pool2d_k3_s2_p1" => F.max_pool2d(t("x"), [3], [2], [1]),
        "max_pool2d_ceil" => F.max_pool2d(t("x"), [2], [2], ceil_mode: true),
        "avg_pool2d" => F.avg_pool2d(t("x"), 2),
        "avg_pool2d_pad_exclude" => F.avg_pool2d(t("x"), [3], [2], [1], count_include_pad: false),
        "avg_pool2d_pad_include" => F.avg_pool2d(t("x"), [3], [2], [1]),
        "avg_pool2d_ceil" => F.avg_pool2d(t("x"), [2], [2], ceil_mode: true),
        "avg_pool2d_ceil_pad_exclude" => F.avg_pool2d(t("x"), [3], [2], [1], ceil_mode: true, count_include_pad: false),
        "adaptive_avg_pool2d" => F.adaptive_avg_pool2d(t("x"), [3]),
        "adaptive_avg_pool2d_1" => F.adaptive_avg_pool2d(t("x"), [1]),
        "adaptive_avg_pool2d_rect" => F.adaptive_avg_pool2d(t("x"), [2, 5]),

        "interpolate_nearest_size" => F.interpolate(t("x"), size: [8, 7]),
        "interpolate_nearest_scale2" => F.interpolate(t("x"), scale_factor: [2]),
        "interpolate_nearest_scale1_5" => F.interpolate(t("x"), scale_factor: [1.5]),
        "interpolate_bilinear_size" => F.interpolate(t("x"), size: [7, 9], mode: "bilinear", align_corners: false),
        "interpolate_bilinear_size_align" => F.interpolate(t("x"), size: [7, 9], mode: "bilinear", align_corners: true),
        "interpolate_bilinear_scale2" => F.interpolate(t("x"), scale_factor: [2], mode: "bilinear", align_corners: false),
        "interpolate_bilinear_scale1_5" => F.interpolate(t("x"), scale_factor: [1.5], mode: "bilinear"),
        "interpolate_bilinear_scale2_align" => F.interpolate(t("x"), scale_factor: [2], mode: "bilinear", align_corners: true),
        "interpolate_bilinear_down" => F.interpolate(t("x"), size: [3, 2], mode: "bilinear", align_corners: false),
        "pad_constant" => F.pad(t("x"), [1, 2]),
        "pad_constant_value" => F.pad(t("x"), [1, 1, 2, 0], value: 0.5),
        "pad_reflect" => F.pad(t("x"), [2, 1, 1, 2], mode: "reflect"),
        "pad_reflect_3d" => F.pad(t("x"), [2, 3], mode: "reflect"),
        "pad_replicate" => F.pad(t("x"), [1, 2, 3, 0], mode: "replicate"),
        "pad_circular" => F.pad(t("x"), [1, 2, 2, 1], mode: "circular"),

        "batch_norm_train" or "batch_norm_train_2d" or "batch_norm_train_f64" => BatchNormWithStats(t, training: true),
        "batch_norm_train_momentum_eps" => BatchNormWithStats(t, training: true, momentum: 0.3, eps: 1e-3, affine: false),
        "batch_norm_train_no_stats" => F.batch_norm(t("x"), null, null, t("w"), t("b"), training: true),
        "batch_norm_eval" => BatchNormWithStats(t, training: false),
        "layer_norm" => F.layer_norm(t("x"), [4], t("w"), t("b")),
        "layer_norm_two_dims_eps" => F.layer_norm(t("x"), [3, 4], eps: 1e-2),
        "group_norm" => F.group_norm(t("x"), 3, t("w"), t("b")),
        "group_norm_no_affine" => F.group_norm(t("x"), 2, eps: 1e-3),

        "relu" => F.relu(t("x")),
        "leaky_relu" => F.leaky_relu(t("x")),
        "leaky_relu_slope" => F.leaky_relu(t("x"), 0.2),
        "elu" => F.elu(t("x")),
        "elu_alpha" => F.elu(t("x"), alpha: 0.5),
        "softplus" => F.softplus(t("x")),
        "softplus_beta_threshold" => F.softplus(t("x"), beta: 2, threshold: 1),
        "hardtanh" => F.hardtanh(t("x")),
        "hardtanh_bounds" => F.hardtanh(t("x"), -0.5, 0.8),
        "softmax" => F.softmax(t("x"), dim: 1),
        "softmax_dim0_3d" => F.softmax(t("x"), dim: 0),
        "log_softmax" => F.log_softmax(t("x"), dim: -1),
        "log_softmax_dim1_3d" => F.log_softmax(t("x"), dim: 1),
        "gelu" => F.gelu(t("x")),
        "silu" => F.silu(t("x")),
        "sigmoid" => F.sigmoid(t("x")),
        "tanh" => F.tanh(t("x")),
        _ => throw new ArgumentException($"no C# call for fixture case {name}"),
    };

    static Tensor Loss(string loss, R reduction, Func<string, Tensor> t) => loss switch
    {
        "mse_loss" => F.mse_loss(t("x"), t("t"), reduction),
        "l1_loss" => F.l1_loss(t("x"), t("t"), reduction),
        "smooth_l1_loss" => F.smooth_l1_loss(t("x"), t("t"), reduction),
        "smooth_l1_loss_beta" => F.smooth_l1_loss(t("x"), t("t"), reduction, beta: 0.5),
        "binary_cross_entropy" => F.binary_cross_entropy(t("p"), t("t"), reduction: reduction),
        "binary_cross_entropy_weight" => F.binary_cross_entropy(t("p"), t("t"), t("w"), reduction),
        "bce_with_logits" => F.binary_cross_entropy_with_logits(t("x"), t("t"), reduction: reduction),
        "bce_with_logits_pos_weight" => F.binary_cross_entropy_with_logits(t("x"), t("t"), t("w"), reduction, pos_weight: t("pw")),
        "cross_entropy" or "cross_entropy_probabilities" or "cross_entropy_spatial" => F.cross_entropy(t("x"), t("t"), reduction: reduction),
        "cross_entropy_weight" => F.cross_entropy(t("x"), t("t"), t("w"), reduction: reduction),
        "cross_entropy_ignore_index" => F.cross_entropy(t("x"), t("t"), ignore_index: 2, reduction: reduction),
        "cross_entropy_label_smoothing" => F.cross_entropy(t("x"), t("t"), t("w"), ignore_index: 4, reduction: reduction, label_smoothing: 0.1),
        "cross_entropy_probabilities_smoothing" => F.cross_entropy(t("x"), t("t"), reduction: reduction, label_smoothing: 0.2),
        "nll_loss" or "nll_loss_spatial" => F.nll_loss(t("x"), t("t"), reduction: reduction),
        "nll_loss_weight_ignore" => F.nll_loss(t("x"), t("t"), t("w"), ignore_index: 0, reduction: reduction),
        "kl_div" => F.kl_div(t("x"), t("t"), reduction),
        "kl_div_log_target" => F.kl_div(t("x"), t("t"), reduction, log_target: true),
        _ => throw new ArgumentException($"no C# call for loss {loss}"),
    };
}
