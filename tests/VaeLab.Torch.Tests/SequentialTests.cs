using VaeLab.Torch.Modules;
using static VaeLab.Torch.torch.nn;

namespace VaeLab.Torch.Tests;

/// <summary>Sequential and ModuleList: PyTorch's child names ("0", "1", ...), indexing, and forward order.</summary>
public class SequentialTests
{
    sealed class Tower : Module<Tensor, Tensor>
    {
        readonly ModuleList<Linear> blocks = ModuleList(Linear(2, 3), Linear(3, 3));
        readonly Sequential head = Sequential(("norm", LayerNorm(3)), ("out", Linear(3, 1)));

        public override Tensor forward(Tensor x) => head.call(blocks.Aggregate(x, (h, block) => block.call(h).relu()));
    }

    [Fact]
    public void ChildrenAreNumberedAsInPyTorch()
    {
        using var model = Sequential(Linear(4, 3), ReLU(), Sequential(Linear(3, 2), BatchNorm1d(2)));
        Assert.Equal(["0", "1", "2"], model.named_children().Select(c => c.name));
        Assert.Equal(
            ["0.weight", "0.bias", "2.0.weight", "2.0.bias", "2.1.weight", "2.1.bias",
             "2.1.running_mean", "2.1.running_var", "2.1.num_batches_tracked"],
            model.state_dict().Keys);
        Assert.Equal(4 * 3 + 3 + 3 * 2 + 2 + 2 + 2, model.num_parameters());
    }

    [Fact]
    public void NamedEntriesModuleListsAndNestingGiveDottedNames()
    {
        using var model = new Tower();
        Assert.Equal(
            ["blocks.0.weight", "blocks.0.bias", "blocks.1.weight", "blocks.1.bias",
             "head.norm.weight", "head.norm.bias", "head.out.weight", "head.out.bias"],
            model.named_parameters().Select(p => p.name));
        using var scope = NewDisposeScope();
        Assert.Equal([5L, 1], model.call(ones(5, 2)).shape);
    }

    [Fact]
    public void IndexingAppendingAndIteration()
    {
        var first = Linear(2, 2);
        var last = Tanh();
        using var model = Sequential();
        model.append(first).append(ReLU()).append(last);
        Assert.Equal(3, model.Count);
        Assert.Same(first, model[0]);
        Assert.Same(last, model[2]);
        Assert.Same(last, model[-1]);
        Assert.Equal(["Linear", "ReLU", "Tanh"], model.Select(m => m.GetType().Name));
        Assert.Equal("2", model.named_children().Last().name);
        Assert.Throws<ArgumentOutOfRangeException>(() => model[3]);
        Assert.Throws<ArgumentOutOfRangeException>(() => model[-4]);

        using var named = Sequential(("encode", Linear(2, 2)), ("act", ReLU()));
        Assert.IsType<ReLU>(named["act"]);
        Assert.Throws<KeyNotFoundException>(() => named["missing"]);
        Assert.Equal("name", Assert.Throws<ArgumentException>(() => Sequential(("a", ReLU()), ("a", Tanh()))).ParamName);

        using var list = ModuleList<Module>(ReLU(), Linear(1, 1));
        Assert.IsType<Linear>(list[-1]);
        Assert.Equal(["0", "1"], list.named_children().Select(c => c.name));
    }

    [Fact]
    public void ForwardRunsTheLayersInOrder()
    {
        using var model = Sequential(Linear(3, 4), ELU(), Linear(4, 2), Softmax(-1));
        using var scope = NewDisposeScope();
        var x = randn(5, 3);
        var expected = model[3].call(model[2].call(model[1].call(model[0].call(x))));
        TensorAssert.Close(expected, model.call(x), 0, 0);
        TensorAssert.Close(ones(5), model.call(x).sum(1), 0, 1e-6);
    }

    [Fact]
    public void TrainAndEvalReachEveryLayer()
    {
        using var model = Sequential(Linear(3, 3), Sequential(Dropout(), BatchNorm1d(3)));
        model.eval();
        Assert.All(model.modules(), m => Assert.False(m.training));
        model.train();
        Assert.All(model.modules(), m => Assert.True(m.training));
    }
}
