using TorchSharp.Modules;
using static TorchSharp.torch.optim;
using static TorchSharp.torch.optim.lr_scheduler;

namespace VaeLab.Tests.Torch;

/// <summary>Resuming TorchSharp optimizers and schedulers from their flat state, through a safetensors file.</summary>
[Collection(TrainingSerial.Name)]
public sealed class FlatStateDictTests : IDisposable
{
    readonly DirectoryInfo folder = Directory.CreateTempSubdirectory("vaelab-flat-state-");

    public void Dispose() => folder.Delete(recursive: true);

    // Two param groups each, with options that differ between the groups.
    static readonly Dictionary<string, Func<Parameter, Parameter, Optimizer>> Optimizers = new()
    {
        ["SGD with momentum"] = (W, b) => SGD([new SGD.ParamGroup([W], lr: 0.1, momentum: 0.9, nesterov: true),
            new SGD.ParamGroup([b], lr: 0.05, momentum: 0.5, dampening: 0.1, weight_decay: 0.01)], 0.1),
        ["SGD without momentum"] = (W, b) => SGD([new SGD.ParamGroup([W], lr: 0.1), new SGD.ParamGroup([b], lr: 0.05, weight_decay: 0.01)], 0.1),
        ["Adam"] = (W, b) => Adam([new Adam.ParamGroup([W], lr: 0.01), new Adam.ParamGroup([b], lr: 0.02, beta1: 0.8, weight_decay: 0.1)]),
        ["Adam with amsgrad"] = (W, b) => Adam([new Adam.ParamGroup([W], lr: 0.01, amsgrad: true), new Adam.ParamGroup([b], lr: 0.02, amsgrad: true)]),
        ["AdamW with amsgrad"] = (W, b) => AdamW([new AdamW.ParamGroup([W], lr: 0.01, weight_decay: 0.1, amsgrad: true), new AdamW.ParamGroup([b], lr: 0.02)]),
        ["RMSprop centered with momentum"] = (W, b) => RMSProp([new RMSProp.ParamGroup([W], lr: 0.01, momentum: 0.9, centered: true),
            new RMSProp.ParamGroup([b], lr: 0.005, weight_decay: 0.01)]),
    };

    static readonly Dictionary<string, Func<Optimizer, LRScheduler>> Schedulers = new()
    {
        ["StepLR"] = o => StepLR(o, step_size: 3, gamma: 0.5),
        ["ExponentialLR"] = o => ExponentialLR(o, gamma: 0.9),
        ["LambdaLR"] = o => LambdaLR(o, epoch => 1.0 / (1 + epoch)),
        ["MultiplicativeLR"] = o => MultiplicativeLR(o, epoch => 0.95),
        ["MultiStepLR"] = o => MultiStepLR(o, [2, 6, 7], gamma: 0.7),
        ["PolynomialLR"] = o => PolynomialLR(o, total_iters: 8, power: 2),
        ["ConstantLR"] = o => ConstantLR(o, factor: 0.5, total_iters: 7),
        ["LinearLR"] = o => LinearLR(o, start_factor: 0.2, total_iters: 8),
        ["CosineAnnealingLR"] = o => CosineAnnealingLR(o, T_max: 4, eta_min: 0.001),
        ["CyclicLR"] = o => CyclicLR(o, base_lr: 0.001, max_lr: 0.05, step_size_up: 3, cycle_momentum: false),
        ["OneCycleLR"] = o => OneCycleLR(o, max_lr: 0.05, total_steps: 12),
    };

    public static TheoryData<string, string> Runs()
    {
        var runs = new TheoryData<string, string>();
        foreach (var optimizer in Optimizers.Keys)
            foreach (var scheduler in Schedulers.Keys) runs.Add(optimizer, scheduler);
        return runs;
    }

    /// <summary>Least squares y ≈ x Wᵀ + b from fixed data, the weights in two param groups.</summary>
    sealed class Run : IDisposable
    {
        public readonly Parameter W, b;
        public readonly Optimizer optimizer;
        public readonly LRScheduler scheduler;

        public Run(Tensor W0, Tensor b0, string optimizerName, string schedulerName)
        {
            W = new Parameter(W0.clone());
            b = new Parameter(b0.clone());
            optimizer = Optimizers[optimizerName](W, b);
            scheduler = Schedulers[schedulerName](optimizer);
        }

        public void Step(Tensor x, Tensor y)
        {
            using var scope = NewDisposeScope();
            optimizer.zero_grad();
            (x.matmul(W.t()) + b - y).square().mean().backward();
            optimizer.step();
            scheduler.step();
        }

        public void Dispose()
        {
            optimizer.Dispose();
            W.Dispose();
            b.Dispose();
        }
    }

    static (Tensor x, Tensor y, Tensor W0, Tensor b0) Problem()
    {
        var generator = new Generator(7);
        return (randn([8, 4], generator: generator), randn([8, 3], generator: generator), randn([3, 4], generator: generator), randn([3], generator: generator));
    }

    static Dictionary<string, T> Prefixed<T>(string prefix, IReadOnlyDictionary<string, T> entries) =>
        entries.ToDictionary(e => prefix + e.Key, e => e.Value);

    static Dictionary<string, T> Unprefixed<T>(string prefix, IReadOnlyDictionary<string, T> entries) =>
        entries.Where(e => e.Key.StartsWith(prefix, StringComparison.Ordinal)).ToDictionary(e => e.Key[prefix.Length..], e => e.Value);

    /// <summary>
    /// 10 steps straight must equal 5 steps, a safetensors file of the weights and the flat states, a fresh run
    /// built from it (whose optimizer starts from another learning rate), and 5 more steps: bit for bit.
    /// </summary>
    [Theory]
    [MemberData(nameof(Runs))]
    public void ResumingFromAFileContinuesAsTheUninterruptedRunBitForBit(string optimizerName, string schedulerName)
    {
        using var scope = NewDisposeScope();
        var (x, y, W0, b0) = Problem();
        using var straight = new Run(W0, b0, optimizerName, schedulerName);
        for (var k = 0; k < 10; k++) straight.Step(x, y);

        var path = Path.Combine(folder.FullName, "run.safetensors");
        using (var first = new Run(W0, b0, optimizerName, schedulerName))
        {
            for (var k = 0; k < 5; k++) first.Step(x, y);
            var (tensors, metadata) = first.optimizer.flat_state_dict();
            var file = Prefixed("optimizer.", tensors);
            (file["W"], file["b"]) = (first.W, first.b);
            safetensors.save_file(file, path, Prefixed("optimizer.", metadata).Concat(Prefixed("scheduler.", first.scheduler.flat_state_dict())).ToDictionary());
        }

        var saved = safetensors.load_file(path);
        var savedMetadata = safetensors.read_metadata(path);
        using var resumed = new Run(saved["W"], saved["b"], optimizerName, schedulerName);
        foreach (var group in resumed.optimizer.ParamGroups) group.LearningRate = 0.5;
        resumed.optimizer.load_flat_state_dict(Unprefixed("optimizer.", saved), Unprefixed("optimizer.", savedMetadata));
        resumed.scheduler.load_flat_state_dict(Unprefixed("scheduler.", savedMetadata));
        for (var k = 0; k < 5; k++) resumed.Step(x, y);

        Assert.True(straight.W.Equals(resumed.W), "W differs after resuming");
        Assert.True(straight.b.Equals(resumed.b), "b differs after resuming");
        Assert.Equal(straight.optimizer.ParamGroups.Select(g => g.LearningRate), resumed.optimizer.ParamGroups.Select(g => g.LearningRate));
        Assert.Equal(straight.scheduler.get_last_lr(), resumed.scheduler.get_last_lr());
        Assert.Equal(straight.scheduler.flat_state_dict(), resumed.scheduler.flat_state_dict());
        var (expected, expectedMetadata) = straight.optimizer.flat_state_dict();
        var (actual, actualMetadata) = resumed.optimizer.flat_state_dict();
        Assert.Equal(expectedMetadata, actualMetadata);
        Assert.Equal(expected.Keys.Order(), actual.Keys.Order());
        foreach (var key in expected.Keys) Assert.True(expected[key].Equals(actual[key]), $"{key} differs after resuming");
    }

    [Fact]
    public void AnOptimizerMayReloadItsOwnState()
    {
        using var scope = NewDisposeScope();
        var (x, y, W0, b0) = Problem();
        using var straight = new Run(W0, b0, "Adam with amsgrad", "StepLR");
        using var reloading = new Run(W0, b0, "Adam with amsgrad", "StepLR");
        for (var k = 0; k < 6; k++)
        {
            straight.Step(x, y);
            reloading.Step(x, y);
            var (tensors, metadata) = reloading.optimizer.flat_state_dict();
            reloading.optimizer.load_flat_state_dict(tensors, metadata);
        }
        Assert.True(straight.W.Equals(reloading.W));
        Assert.True(straight.b.Equals(reloading.b));
    }

    /// <summary>Five Adam steps on W (3x4) and b (3) in two groups, and the state they leave.</summary>
    static (Dictionary<string, Tensor> tensors, Dictionary<string, string> metadata) AdamState(Run run)
    {
        var (x, y, _, _) = Problem();
        for (var k = 0; k < 5; k++) run.Step(x, y);
        return run.optimizer.flat_state_dict();
    }

    static void AssertUntouched(Optimizer optimizer, double lr)
    {
        Assert.All(optimizer.ParamGroups, g => Assert.Equal(lr, g.LearningRate));
        foreach (var state in ((OptimizerHelper)optimizer).state_dict().State.Cast<Adam.State>())
        {
            Assert.Equal(0, state.step);
            Assert.Equal(0, state.exp_avg.abs().sum().item<float>());
        }
    }

    [Fact]
    public void AStateOfAnotherModelIsRefusedBeforeAnythingChanges()
    {
        using var scope = NewDisposeScope();
        var (_, _, W0, b0) = Problem();
        using var source = new Run(W0, b0, "Adam", "StepLR");
        var (tensors, metadata) = AdamState(source);

        string Refusal(Optimizer target)
        {
            foreach (var group in target.ParamGroups) group.LearningRate = 0.5;
            var message = Assert.Throws<ArgumentException>(() => target.load_flat_state_dict(tensors, metadata)).Message;
            AssertUntouched(target, 0.5);
            return message;
        }

        using var transposed = new Run(W0.t(), b0, "Adam", "StepLR");
        Assert.Contains("tensor 'state.0.exp_avg' has shape [3, 4] but parameter 0 has shape [4, 3]", Refusal(transposed.optimizer));

        var (W, b) = (new Parameter(W0.clone()), new Parameter(b0.clone()));
        using var oneGroup = Adam([W, b]);
        Assert.Contains("the state has 2 param groups but the optimizer has 1", Refusal(oneGroup));

        using var extra = new Parameter(zeros(2));
        using var moreParameters = Adam([new Adam.ParamGroup([W]), new Adam.ParamGroup([b, extra])]);
        Assert.Contains("param_groups[1] holds parameters [1] where the optimizer's group holds [1, 2]", Refusal(moreParameters));

        using var sgd = SGD([W, b], 0.1);
        Assert.Contains("the state was saved from Adam, not SGD", Assert.Throws<ArgumentException>(() => sgd.load_flat_state_dict(tensors, metadata)).Message);
    }

    [Fact]
    public void IncompleteOrForeignEntriesAreRefusedBeforeAnythingChanges()
    {
        using var scope = NewDisposeScope();
        var (_, _, W0, b0) = Problem();
        using var source = new Run(W0, b0, "Adam", "StepLR");
        var (tensors, metadata) = AdamState(source);
        using var target = new Run(W0, b0, "Adam", "StepLR");
        foreach (var group in target.optimizer.ParamGroups) group.LearningRate = 0.5;

        string Refusal(IReadOnlyDictionary<string, Tensor> t, IReadOnlyDictionary<string, string> m)
        {
            var message = Assert.Throws<ArgumentException>(() => target.optimizer.load_flat_state_dict(t, m)).Message;
            AssertUntouched(target.optimizer, 0.5);
            return message;
        }

        Assert.Contains("state[1] lacks tensor 'exp_avg_sq'", Refusal(tensors.Where(e => e.Key != "state.1.exp_avg_sq").ToDictionary(), metadata));
        Assert.Contains("tensor 'state.0.momentum_buffer': Adam.State has no tensor 'momentum_buffer'",
            Refusal(new Dictionary<string, Tensor>(tensors) { ["state.0.momentum_buffer"] = tensors["state.0.exp_avg"] }, metadata));
        Assert.Contains("tensor 'state.7.exp_avg' belongs to no parameter of the optimizer's 2",
            Refusal(new Dictionary<string, Tensor>(tensors) { ["state.7.exp_avg"] = tensors["state.0.exp_avg"] }, metadata));
        Assert.Contains("tensor 'state.x.exp_avg' is not named state.<parameter index>.<name>",
            Refusal(new Dictionary<string, Tensor>(tensors) { ["state.x.exp_avg"] = tensors["state.0.exp_avg"] }, metadata));

        Dictionary<string, string> Changed(string key, string value) => new(metadata) { [key] = value };
        Assert.Contains("state[0] lacks 'step'", Refusal(tensors, Changed("state", metadata["state"].Replace("{\"0\":{\"step\":5}", "{\"0\":{}"))));
        Assert.Contains("state[0].step is 5.5, not a Int64", Refusal(tensors, Changed("state", metadata["state"].Replace("{\"0\":{\"step\":5}", "{\"0\":{\"step\":5.5}"))));
        Assert.Contains("param_groups[0].amsgrad is 1, not a Boolean or null", Refusal(tensors, Changed("param_groups", metadata["param_groups"].Replace("\"amsgrad\":false", "\"amsgrad\":1"))));
        Assert.Contains("param_groups[0] has 'momentum', which Adam.Options does not",
            Refusal(tensors, Changed("param_groups", metadata["param_groups"].Replace("\"amsgrad\":false", "\"amsgrad\":false,\"momentum\":0.9"))));
        Assert.Contains("metadata 'param_groups' is not valid JSON", Refusal(tensors, Changed("param_groups", "[{")));
        Assert.Contains("metadata has no 'state' entry", Refusal(tensors, metadata.Where(e => e.Key != "state").ToDictionary()));
    }

    [Fact]
    public void ASchedulerStateFitsOnlyTheSameSchedulerOnAsManyGroups()
    {
        using var scope = NewDisposeScope();
        var (_, _, W0, b0) = Problem();
        using var source = new Run(W0, b0, "Adam", "StepLR");
        var state = source.scheduler.flat_state_dict();

        using var exponential = new Run(W0, b0, "Adam", "ExponentialLR");
        Assert.Contains("the state was saved from StepLR, not ExponentialLR",
            Assert.Throws<ArgumentException>(() => exponential.scheduler.load_flat_state_dict(state)).Message);

        using var W = new Parameter(W0.clone());
        using var oneGroup = Adam([W]);
        var scheduler = StepLR(oneGroup, step_size: 3);
        Assert.Contains("metadata 'base_lrs' has 2 learning rates but the optimizer has 1 param groups",
            Assert.Throws<ArgumentException>(() => scheduler.load_flat_state_dict(state)).Message);
    }

    [Fact]
    public void StateOutOfReachIsRefusedRatherThanLost()
    {
        using var W = new Parameter(zeros(2));
        using var lbfgs = LBFGS([W]);
        Assert.Contains("LBFGS keeps its state in native code", Assert.Throws<NotSupportedException>(() => lbfgs.flat_state_dict()).Message);

        using var adam = Adam([W]);
        var plateau = ReduceLROnPlateau(adam);
        Assert.Contains("ReduceLROnPlateau keeps state", Assert.Throws<NotSupportedException>(() => plateau.flat_state_dict()).Message);
    }
}
