using System.Collections;
using VaeLab.Torch.Modules;
using static VaeLab.Torch.torch.nn;

namespace VaeLab.Torch.Tests;

/// <summary>torch.summary: rows in call order with output shapes and own parameter counts, totals
/// checked against counts worked out by hand, and no side effects on the model or the generator.</summary>
[Collection(ProcessWideState.Name)]
public class SummaryTests
{
    static Sequential ConvNet() => Sequential(
        Conv2d(1, 8, 3, padding: 1),              // 8*1*3*3 + 8 = 80
        ReLU(),
        MaxPool2d(2),
        Conv2d(8, 16, 3, stride: 2, padding: 1),  // 16*8*3*3 + 16 = 1,168
        BatchNorm2d(16),                          // 16 + 16 = 32
        Flatten(),
        Linear(16 * 4 * 4, 10));                  // 256*10 + 10 = 2,570
    // total 80 + 1,168 + 32 + 2,570 = 3,850

    [Fact]
    public void ListsEveryLayerWithItsOutputShapeAndOwnParameters()
    {
        using var model = ConvNet();
        var s = summary(model, [2, 1, 16, 16]);
        Assert.Equal(
            [("Sequential", "", 0, "[2, 10]", 0L), ("Conv2d", "0", 1, "[2, 8, 16, 16]", 80), ("ReLU", "1", 1, "[2, 8, 16, 16]", 0),
             ("MaxPool2d", "2", 1, "[2, 8, 8, 8]", 0), ("Conv2d", "3", 1, "[2, 16, 4, 4]", 1168), ("BatchNorm2d", "4", 1, "[2, 16, 4, 4]", 32),
             ("Flatten", "5", 1, "[2, 256]", 0), ("Linear", "6", 1, "[2, 10]", 2570)],
            s.rows.Select(r => (r.type, r.path, r.depth, r.output_shape, r.parameters)));
        Assert.Equal(3850, s.total_params);
        Assert.Equal(3850, s.trainable_params);
        Assert.Equal(0, s.non_trainable_params);
        Assert.Equal(3850 * 4 / 1e6, s.params_size_mb, 12);
    }

    [Fact]
    public void FrozenParametersCountAsNonTrainable()
    {
        using var model = ConvNet();
        model[0].requires_grad_(false);
        var s = model.summary([1, 1, 16, 16]);
        Assert.Equal(3850, s.total_params);
        Assert.Equal(3770, s.trainable_params);
        Assert.Equal(80, s.non_trainable_params);
    }

    [Fact]
    public void TextTableIsAlignedAndHtmlHasOneRowPerModule()
    {
        using var model = ConvNet();
        using var scope = NewDisposeScope();
        var s = model.summary(zeros(1, 1, 16, 16));
        var lines = s.ToString().Split('\n');
        var header = Array.FindIndex(lines, l => l.StartsWith("Layer"));
        var shapeColumn = lines[header].IndexOf("Output Shape");
        var paramColumn = lines[header].IndexOf("Param #");
        var rows = lines.Skip(header + 2).Take(s.rows.Count).ToList();
        Assert.Equal("Sequential", rows[0][..10]);
        Assert.StartsWith("  Conv2d (3)", rows[4]);
        Assert.All(rows, line => Assert.Equal('[', line[shapeColumn]));
        Assert.All(rows, line => Assert.Equal(' ', line[paramColumn - 1]));
        Assert.Equal("1,168", rows[4][paramColumn..]);
        Assert.Contains("Total params: 3,850", lines);
        Assert.Contains("Non-trainable params: 0", lines);

        var html = s.ToHtml();
        Assert.StartsWith("<table", html);
        Assert.Equal(1 + s.rows.Count + 4, html.Split("<tr>").Length - 1);
        Assert.Contains("<td style=\"padding-left:1.5em\">Linear (6)</td><td>[1, 10]</td><td>2,570</td>", html);
    }

    [Fact]
    public void LeavesModesHooksStatisticsAndTheGeneratorAsTheyWere()
    {
        using var model = ConvNet();
        var bn = (BatchNorm2d)model[4];
        model[1].eval();
        var calls = 0;
        using var hook = model.register_forward_hook((_, _, _) => calls++);

        manual_seed(5);
        using var expected = rand(4);
        manual_seed(5);
        summary(model, [3, 1, 16, 16]);
        using var drawn = rand(4);

        Assert.True(expected.equal(drawn));
        Assert.Equal([true, true, false, true, true, true, true, true], model.modules().Select(m => m.training));
        Assert.Equal(0L, bn.num_batches_tracked!.item<long>());
        Assert.Equal(1, calls);
        var hooks = typeof(Module).GetField("forwardHooks", System.Reflection.BindingFlags.Instance | System.Reflection.BindingFlags.NonPublic)!;
        Assert.Equal([1, 0, 0, 0, 0, 0, 0, 0], model.modules().Select(m => ((ICollection)hooks.GetValue(m)!).Count));
    }

    sealed class Twice : Module<Tensor, Tensor>
    {
        readonly Linear shared = Linear(3, 3);  // 12 parameters, run twice

        public override Tensor forward(Tensor x) => shared.call(shared.call(x));
    }

    [Fact]
    public void AModuleCalledTwiceIsListedTwiceButCountedOnce()
    {
        using var model = new Twice();
        var s = summary(model, [1, 3]);
        Assert.Equal(["", "shared", "shared"], s.rows.Select(r => r.path));
        Assert.Equal(["--", "12", "(recursive)"], s.rows.Select(r => r.parameter_text));
        Assert.Equal(12, s.total_params);
    }

    [Fact]
    public void AModuleWithoutATensorCallIsRejected()
    {
        using var list = ModuleList(Linear(2, 2));
        Assert.Equal("inputs", Assert.Throws<ArgumentException>(() => summary(list, [1, 2])).ParamName);
        using var model = ConvNet();
        Assert.Equal("inputs", Assert.Throws<ArgumentException>(() => summary(model, [1, 1, 16, 16], [1, 1, 16, 16])).ParamName);
    }

    /// <summary>
    /// The encoder of seed 004 (docs/experiments-spec.md; menzHSE/torch-vae model.py) for 3-channel 64x64
    /// images, max_filters 128 and 64 latent dims. The seed's code also builds 1x1 shortcut convolutions
    /// that its forward never uses; the spec leaves them out, and so does this model.
    /// </summary>
    sealed class Seed004Encoder : Module<Tensor, (Tensor mu, Tensor log_var)>
    {
        readonly Conv2d conv1 = Conv2d(3, 32, 3, stride: 2, padding: 1);
        readonly Conv2d conv2 = Conv2d(32, 64, 3, stride: 2, padding: 1);
        readonly Conv2d conv3 = Conv2d(64, 128, 3, stride: 2, padding: 1);
        readonly BatchNorm2d bn1 = BatchNorm2d(32);
        readonly BatchNorm2d bn2 = BatchNorm2d(64);
        readonly BatchNorm2d bn3 = BatchNorm2d(128);
        readonly Linear proj_mu = Linear(128 * 8 * 8, 64);
        readonly Linear proj_log_var = Linear(128 * 8 * 8, 64);

        public override (Tensor mu, Tensor log_var) forward(Tensor x)
        {
            x = functional.leaky_relu(bn1.call(conv1.call(x)));
            x = functional.leaky_relu(bn2.call(conv2.call(x)));
            x = functional.leaky_relu(bn3.call(conv3.call(x)));
            x = x.flatten(1);
            return (proj_mu.call(x), proj_log_var.call(x));
        }
    }

    [Fact]
    public void Seed004EncoderHasItsClosedFormParameterCount()
    {
        // conv1  3*32*3*3 + 32    =     896     bn1  2*32  =  64
        // conv2  32*64*3*3 + 64   =  18,496     bn2  2*64  = 128
        // conv3  64*128*3*3 + 128 =  73,856     bn3  2*128 = 256
        // proj_mu, proj_log_var   2 * (8192*64 + 64) = 1,048,704
        // total 896 + 64 + 18,496 + 128 + 73,856 + 256 + 1,048,704 = 1,142,400
        using var model = new Seed004Encoder();
        var s = summary(model, [2, 3, 64, 64]);
        Assert.Equal(1_142_400, s.total_params);
        Assert.Equal(
            [("Seed004Encoder", "[2, 64], [2, 64]"), ("Conv2d", "[2, 32, 32, 32]"), ("BatchNorm2d", "[2, 32, 32, 32]"),
             ("Conv2d", "[2, 64, 16, 16]"), ("BatchNorm2d", "[2, 64, 16, 16]"), ("Conv2d", "[2, 128, 8, 8]"),
             ("BatchNorm2d", "[2, 128, 8, 8]"), ("Linear", "[2, 64]"), ("Linear", "[2, 64]")],
            s.rows.Select(r => (r.type, r.output_shape)));
        Assert.Equal(524_352, s.rows.Single(r => r.path == "proj_log_var").parameters);
        Assert.Equal(1_142_400 * 4 / 1e6, s.params_size_mb, 12);
    }
}
