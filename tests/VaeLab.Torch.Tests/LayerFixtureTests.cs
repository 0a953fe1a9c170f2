using VaeLab.Torch.Modules;
using static VaeLab.Torch.torch.nn;

namespace VaeLab.Torch.Tests;

/// <summary>
/// Each layer against torch.nn (tests/fixtures/torch/gen_layers.py): the same state_dict keys and
/// shapes, PyTorch's default initialisation value for value under the same seed, and the same outputs
/// in train and eval mode from the same weights, with BatchNorm's running statistics after a step.
/// </summary>
[Collection(ProcessWideState.Name)]
public class LayerFixtureTests
{
    static readonly FixtureFile Fixture = FixtureFile.Load("layers.json");

    // The same constructions as CASES in gen_layers.py.
    static readonly Dictionary<string, Func<Module<Tensor, Tensor>>> Builders = new()
    {
        ["linear"] = () => Linear(5, 3),
        ["linear_nobias_3d"] = () => Linear(5, 3, bias: false),
        ["conv2d"] = () => Conv2d(3, 4, 3),
        ["conv2d_strided_nobias"] = () => Conv2d(2, 4, 3, stride: 2, padding: 1, bias: false),
        ["conv2d_rect_dilated_groups"] = () => Conv2d(4, 6, (3, 2), stride: (2, 1), padding: (2, 1), dilation: 2, groups: 2),
        ["conv_transpose2d"] = () => ConvTranspose2d(3, 2, 3),
        ["conv_transpose2d_strided_groups"] = () => ConvTranspose2d(4, 6, 3, stride: 2, padding: 1, output_padding: 1, groups: 2),
        ["conv_transpose2d_dilated_nobias"] = () => ConvTranspose2d(2, 3, (4, 3), stride: (2, 1), padding: 1, bias: false, dilation: 2),
        ["batchnorm1d"] = () => BatchNorm1d(4),
        ["batchnorm1d_3d"] = () => BatchNorm1d(4, eps: 1e-3, momentum: 0.3),
        ["batchnorm2d"] = () => BatchNorm2d(3),
        ["batchnorm2d_no_affine"] = () => BatchNorm2d(3, affine: false),
        ["batchnorm2d_cumulative"] = () => BatchNorm2d(3, momentum: null),
        ["batchnorm2d_untracked"] = () => BatchNorm2d(3, track_running_stats: false),
        ["layernorm"] = () => LayerNorm(5),
        ["layernorm_2d_plain"] = () => LayerNorm([4, 5], eps: 1e-3, elementwise_affine: false),
        ["dropout"] = () => Dropout(0.3),
        ["relu"] = () => ReLU(),
        ["leaky_relu"] = () => LeakyReLU(0.2),
        ["elu"] = () => ELU(0.5),
        ["sigmoid"] = () => Sigmoid(),
        ["tanh"] = () => Tanh(),
        ["softplus"] = () => Softplus(beta: 2, threshold: 1),
        ["softmax"] = () => Softmax(dim: 1),
        ["log_softmax"] = () => LogSoftmax(dim: -1),
        ["gelu"] = () => GELU(),
        ["identity"] = () => Identity(),
        ["flatten"] = () => Flatten(),
        ["flatten_0_2"] = () => Flatten(0, 2),
        ["unflatten"] = () => Unflatten(1, [3, 4]),
        ["maxpool2d"] = () => MaxPool2d(2),
        ["maxpool2d_padded"] = () => MaxPool2d(3, stride: 2, padding: 1),
        ["maxpool2d_ceil"] = () => MaxPool2d(2, ceil_mode: true),
        ["avgpool2d"] = () => AvgPool2d(2),
        ["avgpool2d_padded_exclusive"] = () => AvgPool2d(3, stride: 2, padding: 1, count_include_pad: false),
        ["upsample_nearest"] = () => Upsample(scale_factor: 2),
        ["upsample_bilinear_size"] = () => Upsample(size: (5, 7), mode: "bilinear"),
        ["upsample_bilinear_aligned"] = () => Upsample(scale_factor: 2, mode: "bilinear", align_corners: true),
        ["sequential_convnet"] = () => Sequential(
            Conv2d(1, 4, 3, padding: 1), BatchNorm2d(4), LeakyReLU(0.01), MaxPool2d(2),
            Flatten(), Linear(4 * 3 * 3, 5), Dropout(0.5), Softplus()),
    };

    public static TheoryData<string> Cases => new(Fixture.Names);

    [Fact]
    public void EveryFixtureCaseHasABuilder() => Assert.Equal(Fixture.Names.Order(), Builders.Keys.Order());

    [Theory, MemberData(nameof(Cases))]
    public void MatchesPyTorch(string name)
    {
        using var scope = NewDisposeScope();
        var c = Fixture[name];
        var seed = c.Arg("seed").GetInt64();
        manual_seed(seed);
        using var layer = Builders[name]();

        var keys = Keys(c, "init.");
        var initial = layer.state_dict();
        Assert.Equal(keys, initial.Keys);
        foreach (var key in keys) TensorAssert.Close(c.Input("init." + key), initial[key], 0, 0, $"default init of {key}");

        layer.load_state_dict(keys.ToDictionary(k => k, k => c.Input("state." + k)));
        using var x = c.Input("x");
        layer.train();
        manual_seed(seed + 1);
        TensorAssert.Close(c.Output("train"), layer.call(x), what: "train output");
        var after = layer.state_dict();
        foreach (var key in keys) TensorAssert.Close(c.Output("after." + key), after[key], what: $"{key} after a training step");
        layer.eval();
        TensorAssert.Close(c.Output("eval"), layer.call(x), what: "eval output");
    }

    static List<string> Keys(FixtureCase c, string prefix) =>
        c.InputNames.Where(k => k.StartsWith(prefix)).Select(k => k[prefix.Length..]).ToList();
}
