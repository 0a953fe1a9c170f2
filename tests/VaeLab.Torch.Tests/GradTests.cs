using F = VaeLab.Torch.torch.nn.functional;
using R = VaeLab.Torch.torch.nn.Reduction;

namespace VaeLab.Torch.Tests;

/// <summary>Autograd of every differentiable op against finite differences (float64), and the autograd API.</summary>
public class GradTests
{
    // Leaves in [-1, 1), in [0.5, 1.5) and in (0.1, 0.9); Fixed tensors take no gradient.
    static Tensor In(params long[] shape) => GradCheck.Input(shape);
    static Tensor Pos(params long[] shape) => (rand(shape, float64) + 0.5).detach().requires_grad_();
    static Tensor Prob(params long[] shape) => (rand(shape, float64) * 0.8 + 0.1).detach().requires_grad_();
    static Tensor Fixed(Tensor t) => t.detach();
    static Tensor Longs(params long[] values) => tensor(values);
    static Tensor Mask(params bool[] values) => tensor(values);

    static Tensor Cat(Tensor[] parts) => cat(Enumerable.Reverse(parts).ToArray(), -1);

    static readonly Dictionary<string, (Func<Tensor[]> inputs, Func<Tensor[], Tensor> f)> Cases = new()
    {
        // element-wise
        ["add"] = (() => [In(2, 3), In(3)], i => i[0] + i[1]),
        ["sub"] = (() => [In(2, 3), In(2, 1)], i => i[0] - i[1]),
        ["mul"] = (() => [In(2, 3), In(3)], i => i[0] * i[1]),
        ["div"] = (() => [In(2, 3), Pos(2, 1)], i => i[0] / i[1]),
        ["pow"] = (() => [Pos(2, 3), In(3)], i => i[0].pow(i[1])),
        ["pow_scalar"] = (() => [In(2, 3)], i => i[0].pow(3)),
        ["scalar_left"] = (() => [Pos(2, 3)], i => 2.5 - i[0] + 3 / i[0] + pow(2.0, i[0]) + 1.5 * i[0] + (0.5 + i[0])),
        ["maximum_minimum"] = (() => [In(2, 3), In(3)], i => maximum(i[0], i[1]) * minimum(i[0], i[1])),
        ["exp_log"] = (() => [In(2, 3), Pos(2, 3)], i => i[0].exp() + i[1].log() + i[1].log1p()),
        ["sqrt_rsqrt"] = (() => [Pos(2, 3)], i => i[0].sqrt() * i[0].rsqrt().square()),
        ["sigmoid_tanh"] = (() => [In(2, 3)], i => i[0].sigmoid() * i[0].tanh()),
        ["abs_sign_neg"] = (() => [In(2, 3)], i => i[0].abs() * 2 + i[0].sign() - (-i[0])),
        ["floor_round"] = (() => [In(2, 3)], i => (i[0] * 3).floor() + (i[0] * 3).round() + i[0]),
        ["clamp_both"] = (() => [In(2, 4)], i => i[0].clamp(-0.4, 0.3)),
        ["clamp_one_bound"] = (() => [In(2, 4)], i => i[0].clamp(min: -0.2) * i[0].clamp(max: 0.1)),
        ["where"] = (() => [Fixed(Mask(true, false, true)), In(2, 3), In(2, 3)], i => where(i[0], i[1], i[2])),
        ["masked_fill"] = (() => [In(2, 3), Fixed(Mask(false, true, false))], i => i[0].masked_fill(i[1], 2.0) * i[0]),
        ["lerp"] = (() => [In(2, 3), In(2, 3)], i => i[0].lerp(i[1], 0.3)),

        // reductions
        ["sum_mean"] = (() => [In(2, 3, 2)], i => i[0].sum(1, keepdim: true) * i[0].mean([0, 2], keepdim: true) + i[0].sum() + i[0].mean()),
        ["max_min_all"] = (() => [In(3, 4)], i => i[0].max() - i[0].min()),
        ["max_dim"] = (() => [In(3, 4)], i => i[0].max(1).values),
        ["min_dim_keepdim"] = (() => [In(3, 4)], i => i[0].min(0, keepdim: true).values),
        ["amax"] = (() => [In(3, 4)], i => i[0].amax([0, 1]) + i[0].amax(1)),
        ["logsumexp"] = (() => [In(3, 4)], i => i[0].logsumexp(1) + i[0].logsumexp([0, 1])),
        ["std"] = (() => [In(3, 4)], i => i[0].std() + i[0].std(1, unbiased: false)),
        ["var"] = (() => [In(3, 4)], i => i[0].var() + i[0].var([0], keepdim: true) + i[0].var(1, unbiased: false, keepdim: true)),
        ["prod"] = (() => [Pos(3, 4)], i => i[0].prod() + i[0].prod(1)),
        ["cumsum"] = (() => [In(3, 4)], i => i[0].cumsum(1) * i[0]),
        ["norm"] = (() => [In(3, 4)], i => i[0].norm() + i[0].norm([0])),

        // matrix products
        ["matmul"] = (() => [In(2, 3), In(3, 4)], i => i[0].matmul(i[1])),
        ["matmul_broadcast"] = (() => [In(2, 1, 2, 3), In(3, 3, 2)], i => i[0].matmul(i[1])),
        ["matmul_vector"] = (() => [In(2, 3), In(3)], i => i[0].matmul(i[1])),
        ["mm"] = (() => [In(2, 3), In(3, 2)], i => i[0].mm(i[1])),
        ["bmm"] = (() => [In(2, 2, 3), In(2, 3, 2)], i => i[0].bmm(i[1])),
        ["linear"] = (() => [In(2, 3), In(4, 3), In(4)], i => F.linear(i[0], i[1], i[2])),
        ["einsum"] = (() => [In(2, 3), In(3, 2)], i => einsum("ij,jk->ik", i[0], i[1]) + einsum("ij,ji->", i[0], i[1])),

        // shape ops, views and indexing
        ["view_reshape"] = (() => [In(2, 3, 2)], i => i[0].view(3, 4) * i[0].permute(2, 0, 1).reshape(3, 4)),
        ["transpose_permute"] = (() => [In(2, 3)], i => i[0].t().matmul(i[0].transpose(0, 1).permute(1, 0))),
        ["squeeze_unsqueeze"] = (() => [In(2, 1, 3)], i => i[0].squeeze(1).unsqueeze(0) * i[0].squeeze()),
        ["flatten_unflatten"] = (() => [In(2, 2, 3)], i => i[0].flatten(1).unflatten(1, 3, 2)),
        ["cat_stack"] = (() => [In(2, 3), In(2, 3)], i => cat([i[0], i[1]], 1) * stack([i[1], i[0]], 1).view(2, 6)),
        ["split_sizes"] = (() => [In(2, 5)], i => Cat(i[0].split([2, 3], dim: 1))),
        ["split_chunk_unbind"] = (() => [In(3, 4)], i => Cat(i[0].split(3, dim: 1)) + Cat(i[0].chunk(2, dim: 1)) + stack(Enumerable.Reverse(i[0].unbind(0)).ToArray())),
        ["expand_repeat"] = (() => [In(2, 1)], i => i[0].expand(2, 3) * i[0].repeat(1, 3) + i[0].repeat_interleave(3, dim: 1)),
        ["flip_roll_narrow"] = (() => [In(3, 4)], i => i[0].flip(0, 1) * i[0].roll([1, -1], [0, 1]) + i[0].narrow(1, 1, 2).repeat(1, 2)),
        ["slices"] = (() => [In(3, 4)], i => i[0][.., 1..^1] * i[0][TensorIndex.Slice(0, null, 2), TensorIndex.Slice(1, 3)].repeat(2, 1)[..3]),
        ["index_select_gather"] = (() => [In(3, 4), Fixed(Longs(2, 0, 2))],
            i => i[0].index_select(0, i[1]) + i[0].gather(1, tensor(new long[] { 0, 3, 3, 1, 2, 2, 0, 0, 1, 1, 3, 2 }, [3, 4]))),
        ["scatter_add"] = (() => [In(2, 4), In(2, 3)], i => i[0].scatter_add(1, tensor(new long[] { 0, 3, 0, 2, 2, 1 }, [2, 3]), i[1])),
        ["index_long"] = (() => [In(3, 4), Fixed(Longs(2, 0, 2))], i => i[0][i[1]].sum(1) + i[0][.., i[1]].sum(0)),
        ["index_mask"] = (() => [In(2, 3), Fixed(Mask(true, false, true, true, false, true).view(2, 3))], i => i[0][i[1]]),
        ["index_assign"] = (() => [In(2, 3), In(2), In(3)], i =>
        {
            var y = i[0].clone();
            y[.., 1] = i[1];
            y[tensor(new[] { true, false }), ..] = i[2];
            return y * i[0];
        }),
        ["pad_constant"] = (() => [In(1, 1, 3, 3)], i => F.pad(i[0], [1, 2, 0, 1], value: 0.5)),
        ["pad_reflect"] = (() => [In(1, 1, 3, 4)], i => F.pad(i[0], [2, 1, 1, 2], mode: "reflect")),
        ["pad_replicate"] = (() => [In(1, 1, 3, 3)], i => F.pad(i[0], [1, 2, 2, 0], mode: "replicate")),
        ["pad_circular"] = (() => [In(1, 1, 3, 3)], i => F.pad(i[0], [1, 2, 2, 1], mode: "circular")),
        ["sort_topk"] = (() => [In(3, 4)], i => i[0].sort(1).values * i[0].sort(0, descending: true).values + i[0].topk(2).values.repeat(1, 2)),
        ["tril_triu"] = (() => [In(3, 3)], i => i[0].tril() * 2 + i[0].triu(1)),

        // convolution, pooling, resampling
        ["conv2d"] = (() => [In(1, 2, 5, 5), In(2, 2, 3, 3), In(2)], i => F.conv2d(i[0], i[1], i[2], stride: [2], padding: [1])),
        ["conv2d_dilation_groups"] = (() => [In(1, 4, 5, 5), In(4, 2, 2, 2), In(4)], i => F.conv2d(i[0], i[1], i[2], padding: [1], dilation: [2], groups: 2)),
        ["conv_transpose2d"] = (() => [In(1, 2, 3, 3), In(2, 2, 3, 3), In(2)],
            i => F.conv_transpose2d(i[0], i[1], i[2], stride: [2], padding: [1], output_padding: [1])),
        ["conv_transpose2d_groups"] = (() => [In(1, 4, 2, 2), In(4, 1, 4, 4)], i => F.conv_transpose2d(i[0], i[1], stride: [2], padding: [1], groups: 2)),
        ["max_pool2d"] = (() => [In(1, 2, 5, 5)], i => F.max_pool2d(i[0], [3], [2], [1], ceil_mode: true)),
        ["avg_pool2d"] = (() => [In(1, 2, 5, 5)], i => F.avg_pool2d(i[0], [3], [2], [1], count_include_pad: false) + F.avg_pool2d(i[0], [2], [2], ceil_mode: true)),
        ["adaptive_avg_pool2d"] = (() => [In(1, 2, 5, 5)], i => F.adaptive_avg_pool2d(i[0], [3, 2])),
        ["interpolate_bilinear"] = (() => [In(1, 2, 3, 4)], i => F.interpolate(i[0], size: [4, 6], mode: "bilinear") * F.interpolate(i[0], scale_factor: [1.5], mode: "bilinear", align_corners: true)),
        ["interpolate_nearest"] = (() => [In(1, 2, 3, 4)], i => F.interpolate(i[0], scale_factor: [2])),

        // normalisation
        ["batch_norm_train"] = (() => [In(4, 3, 2), In(3), In(3)], i => F.batch_norm(i[0], zeros([3], float64), ones([3], float64), i[1], i[2], training: true)),
        ["batch_norm_eval"] = (() => [In(4, 3), In(3), In(3)], i => F.batch_norm(i[0], full([3], 0.2, float64), full([3], 1.5, float64), i[1], i[2])),
        ["layer_norm"] = (() => [In(2, 3, 4), In(3, 4), In(3, 4)], i => F.layer_norm(i[0], [3, 4], i[1], i[2])),
        ["group_norm"] = (() => [In(2, 4, 3), In(4), In(4)], i => F.group_norm(i[0], 2, i[1], i[2])),

        // activations
        ["relu_leaky_relu"] = (() => [In(3, 4)], i => F.relu(i[0]) + F.leaky_relu(i[0]) * F.leaky_relu(i[0], 0.2)),
        ["elu"] = (() => [In(3, 4)], i => F.elu(i[0] * 3) + F.elu(i[0], alpha: 0.5)),
        ["softplus"] = (() => [In(3, 4)], i => F.softplus(i[0] * 3) + F.softplus(i[0], beta: 2, threshold: 1)),
        ["hardtanh"] = (() => [In(3, 4)], i => F.hardtanh(i[0] * 2) + F.hardtanh(i[0], -0.5, 0.8)),
        ["softmax"] = (() => [In(3, 4)], i => F.softmax(i[0], 1) * F.softmax(i[0], 0)),
        ["log_softmax"] = (() => [In(3, 4)], i => F.log_softmax(i[0], -1) + F.log_softmax(i[0], 0)),
        ["gelu_silu"] = (() => [In(3, 4)], i => F.gelu(i[0] * 2) + F.silu(i[0] * 2)),
        ["sigmoid_tanh_functional"] = (() => [In(3, 4)], i => F.sigmoid(i[0]) * F.tanh(i[0])),

        // losses
        ["mse_loss"] = (() => [In(3, 4), In(3, 4)], i => F.mse_loss(i[0], i[1]) + F.mse_loss(i[0], i[1], R.sum)),
        ["l1_loss"] = (() => [In(3, 4), In(3, 4)], i => F.l1_loss(i[0], i[1], R.none)),
        ["smooth_l1_loss"] = (() => [In(3, 4), In(3, 4)], i => F.smooth_l1_loss(i[0] * 2, i[1], R.none) + F.smooth_l1_loss(i[0], i[1], beta: 0.5)),
        ["binary_cross_entropy"] = (() => [Prob(3, 4), Prob(3, 4), Fixed(rand([4], float64))],
            i => F.binary_cross_entropy(i[0], i[1], i[2], R.none) + F.binary_cross_entropy(i[0], i[1])),
        ["bce_with_logits"] = (() => [In(3, 4), Prob(3, 4), Fixed(rand([4], float64) * 3)],
            i => F.binary_cross_entropy_with_logits(i[0] * 3, i[1], reduction: R.sum, pos_weight: i[2]) + F.binary_cross_entropy_with_logits(i[0], i[1])),
        ["cross_entropy"] = (() => [In(4, 5), Fixed(Longs(1, 0, 4, 2)), Fixed(rand([5], float64) + 0.5)],
            i => F.cross_entropy(i[0], i[1], i[2], ignore_index: 2, label_smoothing: 0.1) + F.cross_entropy(i[0], i[1], reduction: R.none)),
        ["cross_entropy_probabilities"] = (() => [In(4, 5), Prob(4, 5)], i => F.cross_entropy(i[0], i[1], label_smoothing: 0.2)),
        ["nll_loss"] = (() => [In(4, 5), Fixed(Longs(1, 0, 4, 2)), Fixed(rand([5], float64) + 0.5)],
            i => F.nll_loss(F.log_softmax(i[0], 1), i[1], i[2], ignore_index: 0) + F.nll_loss(i[0], i[1], reduction: R.sum)),
        ["kl_div"] = (() => [In(3, 4), Prob(3, 4)], i =>
            F.kl_div(F.log_softmax(i[0], 1), i[1], R.batchmean) + F.kl_div(i[0], i[1].log(), R.sum, log_target: true) + F.kl_div(i[0], i[1])),
    };

    public static TheoryData<string> Names => new(Cases.Keys);

    [Theory]
    [MemberData(nameof(Names))]
    public void MatchesFiniteDifferences(string name)
    {
        using var scope = NewDisposeScope();
        var (inputs, f) = Cases[name];
        GradCheck.Check(f, inputs());
    }

    // ---- the autograd API ---------------------------------------------------------------------
    [Fact]
    public void BackwardTwiceWithRetainedGraphAccumulates()
    {
        using var scope = NewDisposeScope();
        var x = tensor(new[] { 1.0, -2.0, 3.0 }, requires_grad: true);
        var y = (x * x).sum();
        y.backward(retain_graph: true);
        y.backward();
        Assert.Equal(new[] { 4.0, -8.0, 12.0 }, x.grad!.data<double>());
        Assert.Throws<TorchException>(() => y.backward());
    }

    [Fact]
    public void GradientsAccumulateUntilGradIsSetToNull()
    {
        using var scope = NewDisposeScope();
        var x = tensor(new[] { 1.0, 2.0 }, requires_grad: true);
        Assert.Null(x.grad);
        (x * 2).sum().backward();
        (x * 3).sum().backward();
        Assert.Equal(new[] { 5.0, 5.0 }, x.grad!.data<double>());
        x.grad = null;
        Assert.Null(x.grad);
        (x * x).sum().backward();
        Assert.Equal(new[] { 2.0, 4.0 }, x.grad!.data<double>());
    }

    [Fact]
    public void BackwardTakesTheGradientOfANonScalarOutput()
    {
        using var scope = NewDisposeScope();
        var x = tensor(new[] { 1.0, 2.0, 3.0 }, requires_grad: true);
        var v = tensor(new[] { 1.0, 0.5, -1.0 });
        (x * x).backward(v);
        Assert.Equal(new[] { 2.0, 2.0, -6.0 }, x.grad!.data<double>());
        var vjp = autograd.grad([x * x * x], [x], grad_outputs: [v])[0]!;
        Assert.Equal(new[] { 3.0, 6.0, -27.0 }, vjp.data<double>());
    }

    [Fact]
    public void DetachStopsTheGradientButSharesTheData()
    {
        using var scope = NewDisposeScope();
        var x = tensor(new[] { 1.5, -2.0 }, requires_grad: true);
        var frozen = x.detach();
        Assert.False(frozen.requires_grad);
        (frozen * x).sum().backward();
        Assert.Equal(new[] { 1.5, -2.0 }, x.grad!.data<double>());
        frozen.mul_(2);
        Assert.Equal(new[] { 3.0, -4.0 }, x.data<double>());
    }

    [Fact]
    public void NoGradProducesTensorsWithoutGradUntilDisposed()
    {
        using var scope = NewDisposeScope();
        var x = tensor(new[] { 1.0, 2.0 }, requires_grad: true);
        using (no_grad())
        {
            Assert.False(is_grad_enabled());
            var y = x * 2;
            Assert.False(y.requires_grad);
            Assert.Null(y.grad_fn);
            using (enable_grad()) Assert.True((x * 2).requires_grad);
        }
        Assert.True(is_grad_enabled());
        Assert.NotNull((x * 2).grad_fn);
    }

    [Fact]
    public void RequiresGradTogglesOnLeavesOnly()
    {
        using var scope = NewDisposeScope();
        var x = ones([2], float64);
        Assert.False((x * 2).requires_grad);
        x.requires_grad_();
        var y = x * 2;
        Assert.True(y.requires_grad);
        Assert.False(y.is_leaf);
        Assert.Throws<TorchException>(() => y.requires_grad_(false));
        x.requires_grad_(false);
        Assert.False((x * 2).requires_grad);
        Assert.Throws<TorchException>(() => ones([2], int64).requires_grad_());
    }

    [Fact]
    public void SecondDerivativeOfCubeIsSixX()
    {
        using var scope = NewDisposeScope();
        var values = new[] { -1.5, 0.5, 2.0 };
        var x = tensor(values, requires_grad: true);
        var first = autograd.grad([x.pow(3).sum()], [x], create_graph: true)[0]!;
        Assert.True(first.requires_grad);
        TensorAssert.Close(tensor(values.Select(v => 3 * v * v).ToArray()), first, 1e-12, 1e-12);
        var second = autograd.grad([first.sum()], [x])[0]!;
        TensorAssert.Close(tensor(values.Select(v => 6 * v).ToArray()), second, 1e-12, 1e-12);
    }

    [Fact]
    public void BackwardWithCreateGraphKeepsTheGraphAsPyTorchDoes()
    {
        using var scope = NewDisposeScope();
        var x = tensor(new[] { 1.0, 2.0 }, requires_grad: true);
        var y = x.pow(3).sum();
        y.backward(create_graph: true);
        Assert.True(x.grad!.requires_grad);
        y.backward();
        Assert.Equal(new[] { 6.0, 24.0 }, x.grad!.data<double>());
    }

    [Fact]
    public void GradientOfGradientOfATanhChainMatchesFiniteDifferences()
    {
        using var scope = NewDisposeScope();
        var w = Fixed(randn([3, 3], float64));
        // The first gradient, built with create_graph so that GradCheck can differentiate it again.
        Tensor FirstGradient(Tensor[] i)
        {
            using var grad = enable_grad();
            var y = i[0].matmul(w).tanh().mul(i[0]).tanh().sum();
            return autograd.grad([y], [i[0]], create_graph: true)[0]!;
        }
        GradCheck.Check(FirstGradient, [In(2, 3)]);
    }

    [Fact]
    public void AllowUnusedGivesNullForInputsOutsideTheGraph()
    {
        using var scope = NewDisposeScope();
        var x = tensor(new[] { 1.0, 2.0 }, requires_grad: true);
        var unused = tensor(new[] { 3.0 }, requires_grad: true);
        var grads = autograd.grad([(x * 2).sum()], [x, unused], retain_graph: true, allow_unused: true);
        Assert.Equal(new[] { 2.0, 2.0 }, grads[0]!.data<double>());
        Assert.Null(grads[1]);
        Assert.Throws<TorchException>(() => autograd.grad([(x * 2).sum()], [x, unused]));
    }
}
