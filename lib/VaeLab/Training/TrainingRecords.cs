namespace VaeLab.Training;

/// <summary>What the step function is told about the step it is running.</summary>
/// <param name="step">Optimizer steps taken before this one, over the whole run.</param>
/// <param name="kl_weight">The KL weight the trainer's <see cref="KlSchedule"/> gives for this step.</param>
public sealed record StepContext(int epoch, long step, double kl_weight);

/// <summary>One optimizer step: the step function's losses, the learning rate of each optimizer's first param group
/// during the step, the KL weight, and the gradient norm before clipping (when clipping is on).</summary>
public sealed record StepRecord(long step, int epoch, IReadOnlyDictionary<string, double> losses, IReadOnlyList<double> lr,
    double kl_weight, double? grad_norm);

/// <summary>One epoch: the mean of each loss over its steps, the means over the validation batches (if any), and its duration.</summary>
public sealed record EpochRecord(int epoch, int steps, IReadOnlyDictionary<string, double> train,
    IReadOnlyDictionary<string, double>? validation, double seconds);

/// <summary>Everything a run has recorded, steps and epochs in order; stopped is set when it ended on request before its last epoch.</summary>
public sealed record TrainingHistory(IReadOnlyList<StepRecord> steps, IReadOnlyList<EpochRecord> epochs, bool stopped);

/// <summary>Where a run is: steps taken in all, the epoch being trained, and the steps already taken in it.</summary>
public sealed record TrainerPosition(long step, int epoch, int step_in_epoch);

public enum ProgressKind
{
    /// <summary>An optimizer step finished (<see cref="TrainingProgress.step"/> is set).</summary>
    Step,

    /// <summary>An epoch finished, validation included (<see cref="TrainingProgress.epoch_record"/> is set).</summary>
    Epoch,

    /// <summary>A checkpoint was written (<see cref="TrainingProgress.checkpoint"/> is its path).</summary>
    Checkpoint,
}

/// <summary>
/// A report from the training loop, for a progress bar or a live plot. steps_per_epoch is known when the batches
/// come as a collection or after the first full epoch.
/// </summary>
public sealed record TrainingProgress(ProgressKind kind, TrainerPosition position, int epochs, int? steps_per_epoch,
    StepRecord? step = null, EpochRecord? epoch_record = null, string? checkpoint = null);

public enum SchedulerInterval
{
    /// <summary>Learning-rate schedulers step once per epoch, after validation (as PyTorch's examples do).</summary>
    Epoch,

    /// <summary>Schedulers step after every optimizer step (Sketch-RNN's per-step decay).</summary>
    Step,
}

/// <summary>The scalar settings of a <see cref="Trainer{TBatch}"/>.</summary>
public sealed record TrainerOptions
{
    public int epochs { get; init; } = 1;

    /// <summary>The random generator is reseeded from (seed, step) before every step and from (seed, epoch) before
    /// validation, so a run resumed from a checkpoint draws the same noise as one that never stopped.</summary>
    public long seed { get; init; }

    /// <summary>Largest L2 norm of all the optimized parameters' gradients together; null leaves them as they are.</summary>
    public double? clip_grad_norm { get; init; }

    public SchedulerInterval scheduler_interval { get; init; } = SchedulerInterval.Epoch;
    public KlSchedule kl_schedule { get; init; } = new ConstantKl();

    /// <summary>Where checkpoints go: every checkpoint_every steps (0: never on a count), on a stop request, and at the end.</summary>
    public string? checkpoint_path { get; init; }

    public int checkpoint_every { get; init; }

    /// <summary>Whether Ctrl+C asks the loop to finish its step, save and stop (a second Ctrl+C ends the process as usual).</summary>
    public bool handle_ctrl_c { get; init; } = true;

    /// <summary>Strings saved with every checkpoint (say, a data normaliser's statistics), read back by <see cref="Checkpoint.load"/>.</summary>
    public IReadOnlyDictionary<string, string>? metadata { get; init; }
}
