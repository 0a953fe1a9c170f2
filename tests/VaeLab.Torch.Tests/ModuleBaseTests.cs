using static VaeLab.Torch.torch.nn;

namespace VaeLab.Torch.Tests;

public class ModuleBaseTests
{
    sealed class Affine : Module<Tensor, Tensor>
    {
        public readonly Parameter weight;
        readonly Parameter bias;
        readonly Tensor calls;

        public Affine(long n)
        {
            weight = new Parameter(ones(n, n));
            bias = new Parameter(zeros(n));
            calls = zeros(1).DetachFromDisposeScope();
        }

        public override Tensor forward(Tensor x) => x.matmul(weight) + bias;
    }

    sealed class Stack : Module<Tensor, Tensor>
    {
        readonly Affine first = new(2);
        readonly Affine[] rest = [new(2), new(2)];

        public override Tensor forward(Tensor x) => rest.Aggregate(first.call(x), (h, layer) => layer.call(h));
    }

    [Fact]
    public void FindsParametersAndBuffersFromFieldsWithDottedNames()
    {
        using var model = new Stack();
        Assert.Equal(
            ["first.weight", "first.bias", "rest.0.weight", "rest.0.bias", "rest.1.weight", "rest.1.bias"],
            model.named_parameters().Select(p => p.name));
        Assert.Equal(["first.calls", "rest.0.calls", "rest.1.calls"], model.named_buffers().Select(b => b.name));
        Assert.Equal(18, model.num_parameters());
        Assert.Equal(9, model.state_dict().Count);
    }

    [Fact]
    public void LoadStateDictReportsEveryProblemAtOnceAndCopiesNothing()
    {
        using var model = new Stack();
        using var scope = NewDisposeScope();
        var state = new Dictionary<string, Tensor>(model.state_dict());
        state.Remove("rest.1.bias");
        state["rest.0.weight"] = zeros(3, 3);
        state["first.weight"] = full([2, 2], 5.0);
        state["extra"] = zeros(1);
        var error = Assert.Throws<ArgumentException>(() => model.load_state_dict(state));
        Assert.Contains("missing keys: rest.1.bias", error.Message);
        Assert.Contains("unexpected keys: extra", error.Message);
        Assert.Contains("shape mismatch for rest.0.weight: expected [2, 2], got [3, 3]", error.Message);
        Assert.Equal(1f, model.parameters().First().data<float>()[0]);
    }

    [Fact]
    public void LoadStateDictCopiesValuesIntoExistingParameters()
    {
        using var source = new Stack();
        using var target = new Stack();
        using var scope = NewDisposeScope();
        foreach (var p in source.parameters()) using (no_grad()) p.uniform_();
        var before = target.parameters().First();
        target.load_state_dict(source.state_dict());
        Assert.Same(before, target.parameters().First());
        Assert.Equal(source.parameters().First().data<float>(), target.parameters().First().data<float>());
    }

    [Fact]
    public void HooksSeeEveryCallAndTrainEvalReachesChildren()
    {
        using var model = new Stack();
        var seen = new List<string>();
        foreach (var (name, m) in model.named_modules()) m.register_forward_hook((_, _, output) => seen.Add($"{name}:{string.Join("x", ((Tensor)output!).shape)}"));
        using var scope = NewDisposeScope();
        model.call(ones(3, 2));
        Assert.Equal(["first:3x2", "rest.0:3x2", "rest.1:3x2", ":3x2"], seen);
        model.eval();
        Assert.All(model.modules(), m => Assert.False(m.training));
    }
}

public class ModuleFileTests
{
    sealed class Pair : torch.nn.Module<Tensor, Tensor>
    {
        readonly torch.nn.Parameter scale = new(randn(3, 2));
        readonly Tensor running = zeros(2).DetachFromDisposeScope();

        public override Tensor forward(Tensor x) => x.matmul(scale) + running;
    }

    [Fact]
    public void SaveThenLoadRestoresParametersAndBuffers()
    {
        var path = Path.Combine(Path.GetTempPath(), $"vaelab-module-{Guid.NewGuid():N}.safetensors");
        try
        {
            using var source = new Pair();
            using var target = new Pair();
            source.save(path);
            target.load(path);
            using var x = randn(4, 3);
            using var expected = source.call(x);
            using var actual = target.call(x);
            Assert.True(expected.equal(actual));
        }
        finally { File.Delete(path); }
    }

    [Fact]
    public void LoadingAnotherModelsFileNamesTheFileAndTheKeys()
    {
        var path = Path.Combine(Path.GetTempPath(), $"vaelab-module-{Guid.NewGuid():N}.safetensors");
        try
        {
            using (var scope = NewDisposeScope())
                safetensors.save_file(new Dictionary<string, Tensor> { ["other"] = zeros(1) }, path);
            using var target = new Pair();
            var error = Assert.Throws<ArgumentException>(() => target.load(path));
            Assert.Contains(path, error.Message);
            Assert.Contains("missing keys: scale, running", error.Message);
            Assert.Contains("unexpected keys: other", error.Message);
        }
        finally { File.Delete(path); }
    }
}
