using System.Collections;
using System.Reflection;
using TorchSharp.Modules;
using VaeLab.Display;
using static TorchSharp.torch.nn;

namespace VaeLab.Tests.Torch;

/// <summary>model.summary: rows in call order with output shapes and own parameter counts, totals checked
/// against counts worked out by hand, and no side effects on the model or the generator.</summary>
[Collection(TrainingSerial.Name)]
public class ModelSummaryTests
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
        var s = model.summary([2, 1, 16, 16]);
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
        foreach (var p in model.named_children().First().module.parameters()) p.requires_grad = false;
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

        var renderable = (IRenderable)s;
        Assert.Equal(html, renderable.Render(Mime.Html));
        Assert.Equal(s.ToString(), renderable.Render(Mime.Text));
    }

    static int HookCount(nn.Module module) =>
        new[] { "pre_hooks", "post_hooks", "module_pre_hooks", "module_post_hooks" }
            .Sum(name => ((ICollection)module.GetType().GetField(name, BindingFlags.Instance | BindingFlags.NonPublic | BindingFlags.FlattenHierarchy)!.GetValue(module)!).Count);

    [Fact]
    public void LeavesModesHooksStatisticsAndTheGeneratorAsTheyWere()
    {
        using var model = ConvNet();
        var children = model.named_children().Select(c => c.module).ToList();
        var bn = (BatchNorm2d)children[4];
        children[1].eval();
        var calls = 0;
        model.register_forward_hook((_, _, _) =>
        {
            calls++;
            return null!;
        });

        manual_seed(5);
        using var expected = rand(4);
        manual_seed(5);
        model.summary([3, 1, 16, 16]);
        using var drawn = rand(4);

        Assert.True(expected.Equals(drawn));
        // TorchSharp's modules(), unlike PyTorch's, leaves out the module itself.
        Assert.True(model.training);
        Assert.Equal([true, false, true, true, true, true, true], model.modules().Select(m => m.training));
        Assert.Equal(0L, bn.num_batches_tracked!.item<long>());
        Assert.Equal(1, calls);
        Assert.Equal(1, HookCount(model));
        Assert.All(model.modules(), m => Assert.Equal(0, HookCount(m)));
    }

    sealed class Twice : Module<Tensor, Tensor>
    {
        readonly Linear shared = Linear(3, 3);  // 12 parameters, run twice

        public Twice() : base(nameof(Twice)) => RegisterComponents();

        public override Tensor forward(Tensor x) => shared.call(shared.call(x));
    }

    [Fact]
    public void AModuleCalledTwiceIsListedTwiceButCountedOnce()
    {
        using var model = new Twice();
        var s = model.summary([1, 3]);
        Assert.Equal(["", "shared", "shared"], s.rows.Select(r => r.path));
        Assert.Equal(["--", "12", "(recursive)"], s.rows.Select(r => r.parameter_text));
        Assert.Equal(12, s.total_params);
    }

    [Fact]
    public void AModuleWithoutATensorCallIsRejected()
    {
        using var list = ModuleList(Linear(2, 2));
        Assert.Equal("inputs", Assert.Throws<ArgumentException>(() => list.summary([1, 2])).ParamName);
        using var model = ConvNet();
        Assert.Equal("inputs", Assert.Throws<ArgumentException>(() => model.summary([1, 1, 16, 16], [1, 1, 16, 16])).ParamName);
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

        public Seed004Encoder() : base(nameof(Seed004Encoder)) => RegisterComponents();

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
        var s = model.summary([2, 3, 64, 64]);
        Assert.Equal(1_142_400, s.total_params);
        Assert.Equal(
            [("Seed004Encoder", "[2, 64], [2, 64]"), ("Conv2d", "[2, 32, 32, 32]"), ("BatchNorm2d", "[2, 32, 32, 32]"),
             ("Conv2d", "[2, 64, 16, 16]"), ("BatchNorm2d", "[2, 64, 16, 16]"), ("Conv2d", "[2, 128, 8, 8]"),
             ("BatchNorm2d", "[2, 128, 8, 8]"), ("Linear", "[2, 64]"), ("Linear", "[2, 64]")],
            s.rows.Select(r => (r.type, r.output_shape)));
        Assert.Equal(524_352, s.rows.Single(r => r.path == "proj_log_var").parameters);
        Assert.Equal(1_142_400 * 4 / 1e6, s.params_size_mb, 12);
    }

    /// <summary>A module with two inputs, summarised through a forward of the caller's own.</summary>
    sealed class Pair : Module<Tensor, Tensor, Tensor>
    {
        readonly Linear left = Linear(2, 4);
        readonly Linear right = Linear(3, 4);

        public Pair() : base(nameof(Pair)) => RegisterComponents();

        public override Tensor forward(Tensor a, Tensor b) => left.call(a) + right.call(b);
    }

    [Fact]
    public void AForwardOfTheCallersOwnListsModulesOfAnySignature()
    {
        using var model = new Pair();
        using var scope = NewDisposeScope();
        var (a, b) = (zeros(5, 2), zeros(5, 3));
        var s = model.summary(() => model.call(a, b));
        Assert.Equal([("Pair", "[5, 4]", 0L), ("Linear", "[5, 4]", 12), ("Linear", "[5, 4]", 16)], s.rows.Select(r => (r.type, r.output_shape, r.parameters)));
        Assert.Equal(s.rows.Select(r => r.output_shape), model.summary(a, b).rows.Select(r => r.output_shape));
    }
}
