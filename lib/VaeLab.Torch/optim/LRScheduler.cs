using System.Text.Json;

namespace VaeLab.Torch.Optim;

/// <summary>
/// Base of the learning-rate schedulers, as PyTorch's _LRScheduler: call <see cref="step"/> once per epoch,
/// after the optimizer's step. Construction already takes the first step (to epoch 0), as in PyTorch.
/// </summary>
public abstract class LRScheduler
{
    protected readonly Optimizer optimizer;
    double[] lastLr = [];

    protected LRScheduler(Optimizer optimizer)
    {
        this.optimizer = optimizer;
        // Kept in the group (and so in the optimizer's state dict) so that schedulers stacked on one optimizer share it.
        foreach (var group in optimizer.param_groups)
        {
            if (!group.ContainsKey(Optimizer.InitialLr)) group[Optimizer.InitialLr] = group.lr;
        }
        base_lrs = optimizer.param_groups.Select(g => g.Get<double>(Optimizer.InitialLr)).ToArray();
        // Derived classes keep their settings in field initializers, which C# runs before this constructor.
        step();
    }

    /// <summary>The learning rates at epoch 0, one per param group.</summary>
    public IReadOnlyList<double> base_lrs { get; private set; }

    /// <summary>Epochs stepped so far (0 right after construction).</summary>
    public int last_epoch { get; private set; } = -1;

    /// <summary>This epoch's learning rates, from the chainable form (the groups' current rates) as PyTorch's step() uses.</summary>
    protected abstract double[] get_lr();

    public void step()
    {
        last_epoch++;
        var rates = get_lr();
        for (var i = 0; i < rates.Length; i++) optimizer.param_groups[i].lr = rates[i];
        lastLr = optimizer.param_groups.Select(g => g.lr).ToArray();
    }

    public IReadOnlyList<double> get_last_lr() => lastLr;

    public SchedulerState state_dict() => new(last_epoch, base_lrs.ToArray(), lastLr.ToArray());

    /// <summary>Restores the schedule's position; the optimizer's learning rates come back with its own state dict.</summary>
    public void load_state_dict(SchedulerState state)
    {
        var groups = optimizer.param_groups.Count;
        if (state.base_lrs.Count != groups || state.last_lr.Count != groups)
            throw new ArgumentException($"the scheduler state has {state.base_lrs.Count} base_lrs and {state.last_lr.Count} last_lr for an optimizer with {groups} param groups", nameof(state));
        if (state.last_epoch < 0) throw new ArgumentException($"the scheduler state has last_epoch {state.last_epoch}", nameof(state));
        last_epoch = state.last_epoch;
        base_lrs = state.base_lrs.ToArray();
        lastLr = state.last_lr.ToArray();
    }
}

/// <summary>A scheduler's position, as in PyTorch's scheduler state dict; <see cref="to_metadata"/> gives a form for file metadata.</summary>
public sealed record SchedulerState(int last_epoch, IReadOnlyList<double> base_lrs, IReadOnlyList<double> last_lr)
{
    const string Key = "lr_scheduler";

    /// <summary>One metadata entry, "lr_scheduler", holding the state as JSON text.</summary>
    public IReadOnlyDictionary<string, string> to_metadata() => new Dictionary<string, string>
    {
        [Key] = StateDict.Json(w =>
        {
            w.WriteStartObject();
            w.WriteNumber(nameof(last_epoch), last_epoch);
            WriteList(w, nameof(base_lrs), base_lrs);
            WriteList(w, nameof(last_lr), last_lr);
            w.WriteEndObject();
        }),
    };

    public static SchedulerState from_metadata(IReadOnlyDictionary<string, string> metadata)
    {
        if (!metadata.TryGetValue(Key, out var text)) throw new ArgumentException($"metadata has no '{Key}' entry", nameof(metadata));
        try
        {
            using var document = JsonDocument.Parse(text);
            var root = document.RootElement;
            double[] List(string name) => root.GetProperty(name).EnumerateArray().Select(e => e.GetDouble()).ToArray();
            return new SchedulerState(root.GetProperty(nameof(last_epoch)).GetInt32(), List(nameof(base_lrs)), List(nameof(last_lr)));
        }
        catch (Exception e) when (e is JsonException or KeyNotFoundException or InvalidOperationException or FormatException)
        {
            throw new ArgumentException($"metadata '{Key}' is not a scheduler state (last_epoch, base_lrs, last_lr): {e.Message}", nameof(metadata), e);
        }
    }

    static void WriteList(Utf8JsonWriter w, string name, IReadOnlyList<double> values)
    {
        w.WriteStartArray(name);
        foreach (var v in values) w.WriteNumberValue(v);
        w.WriteEndArray();
    }
}

/// <summary>torch.optim.lr_scheduler.ExponentialLR: multiplies the learning rates by gamma every epoch.</summary>
public sealed class ExponentialLR(Optimizer optimizer, double gamma) : LRScheduler(optimizer)
{
    readonly double gamma = gamma;

    protected override double[] get_lr() =>
        this.optimizer.param_groups.Select(g => last_epoch == 0 ? g.lr : g.lr * gamma).ToArray();
}

/// <summary>torch.optim.lr_scheduler.StepLR: multiplies the learning rates by gamma every step_size epochs.</summary>
public sealed class StepLR(Optimizer optimizer, int step_size, double gamma = 0.1) : LRScheduler(optimizer)
{
    readonly int step_size = step_size >= 1 ? step_size : throw new ArgumentException($"step_size must be at least 1, got {step_size}", nameof(step_size));
    readonly double gamma = gamma;

    protected override double[] get_lr() =>
        this.optimizer.param_groups.Select(g => last_epoch == 0 || last_epoch % step_size != 0 ? g.lr : g.lr * gamma).ToArray();
}

/// <summary>torch.optim.lr_scheduler.LambdaLR: sets each learning rate to its base rate times lr_lambda(epoch).</summary>
public sealed class LambdaLR(Optimizer optimizer, Func<int, double> lr_lambda) : LRScheduler(optimizer)
{
    readonly Func<int, double> lr_lambda = lr_lambda ?? throw new ArgumentNullException(nameof(lr_lambda));

    protected override double[] get_lr() => base_lrs.Select(lr => lr * lr_lambda(last_epoch)).ToArray();
}
