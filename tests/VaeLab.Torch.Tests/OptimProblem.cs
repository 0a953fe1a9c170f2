using System.Text.Json;
using VaeLab.Torch.Optim;

namespace VaeLab.Torch.Tests;

/// <summary>
/// The problem of tests/fixtures/torch/gen_optim.py: parameters W (3x4) and b (3) fitted to fixed inputs,
/// with optimizers and schedulers built from a fixture case's args.
/// </summary>
static class OptimProblem
{
    public static readonly FixtureFile Fixture = FixtureFile.Load("optim.json");

    public static Tensor Loss(Tensor W, Tensor b, Tensor x, Tensor y)
    {
        var residual = x.matmul(W.t()) + b - y;
        return (residual * residual).mean() + 0.1 * (W.tanh() * W.tanh()).sum() + 0.05 * (b * b * b * b).sum();
    }

    /// <summary>A hyperparameter as the fixture's JSON holds it: number, bool or pair (betas).</summary>
    public static object Option(JsonElement e) => e.ValueKind switch
    {
        JsonValueKind.Number => e.GetDouble(),
        JsonValueKind.True => true,
        JsonValueKind.False => false,
        JsonValueKind.Array => (e[0].GetDouble(), e[1].GetDouble()),
        _ => throw new NotSupportedException(e.ToString()),
    };

    /// <summary>An optimizer from {type, options, groups, overrides}; every hyperparameter is passed explicitly.</summary>
    public static Optimizer Build(JsonElement spec, IReadOnlyDictionary<string, Tensor> named)
    {
        var groups = spec.GetProperty("groups").EnumerateArray().Zip(spec.GetProperty("overrides").EnumerateArray(), (names, overrides) =>
        {
            var group = new ParamGroup(names.EnumerateArray().Select(n => named[n.GetString()!]));
            foreach (var o in overrides.EnumerateObject()) group[o.Name] = Option(o.Value);
            return group;
        }).ToList();
        var options = spec.GetProperty("options");
        double D(string key) => options.GetProperty(key).GetDouble();
        bool B(string key) => options.GetProperty(key).GetBoolean();
        var betas = options.TryGetProperty("betas", out var b) ? ((double, double))Option(b) : default;
        return spec.GetProperty("type").GetString() switch
        {
            "SGD" => torch.optim.SGD(groups, lr: D("lr"), momentum: D("momentum"), dampening: D("dampening"),
                weight_decay: D("weight_decay"), nesterov: B("nesterov"), maximize: B("maximize")),
            "Adam" => torch.optim.Adam(groups, lr: D("lr"), betas: betas, eps: D("eps"), weight_decay: D("weight_decay"),
                amsgrad: B("amsgrad"), maximize: B("maximize")),
            "AdamW" => torch.optim.AdamW(groups, lr: D("lr"), betas: betas, eps: D("eps"), weight_decay: D("weight_decay"),
                amsgrad: B("amsgrad"), maximize: B("maximize")),
            "RMSprop" => torch.optim.RMSprop(groups, lr: D("lr"), alpha: D("alpha"), eps: D("eps"), weight_decay: D("weight_decay"),
                momentum: D("momentum"), centered: B("centered"), maximize: B("maximize")),
            var other => throw new NotSupportedException(other),
        };
    }

    public static LRScheduler? Scheduler(JsonElement spec, Optimizer optimizer) => spec.ValueKind == JsonValueKind.Null ? null
        : spec.GetProperty("type").GetString() switch
        {
            "StepLR" => torch.optim.lr_scheduler.StepLR(optimizer, spec.GetProperty("step_size").GetInt32(), spec.GetProperty("gamma").GetDouble()),
            "ExponentialLR" => torch.optim.lr_scheduler.ExponentialLR(optimizer, spec.GetProperty("gamma").GetDouble()),
            var other => throw new NotSupportedException(other),
        };

    /// <summary>One training step as gen_optim.py takes it, in its own DisposeScope as training code would.</summary>
    public static void Step(IEnumerable<Optimizer> optimizers, Tensor W, Tensor b, Tensor x, Tensor y, LRScheduler? scheduler)
    {
        using var scope = torch.NewDisposeScope();
        foreach (var optimizer in optimizers) optimizer.zero_grad();
        Loss(W, b, x, y).backward();
        foreach (var optimizer in optimizers) optimizer.step();
        scheduler?.step();
    }

    public static Tensor Leaf(Tensor initial) => initial.detach().clone().requires_grad_();
}
