using System.Diagnostics;
using TorchSharp;
using VaeLab.Torch;
using static TorchSharp.torch.optim;
using static TorchSharp.torch.optim.lr_scheduler;
using static TorchSharp.torch;

namespace VaeLab.Training;

/// <summary>
/// The training loop shared by the models: for each batch, zero the gradients, run the step function (which
/// computes the losses and calls backward), clip, step every optimizer; at the end of each epoch, validate and
/// step the schedulers. Each batch first moves to the device of the model's parameters (<see cref="Devices.move"/>: tensors,
/// <see cref="IBatch"/>es and tuples of them), so a model moved to a GPU before its optimizers were made trains on batches
/// that its sources build on the CPU. Every step runs in its own DisposeScope (batches produced lazily by the batch source
/// included), so only what the step function keeps elsewhere outlives it. Checkpoints hold everything needed to
/// resume exactly: weights and buffers, optimizer and scheduler states, the position and the history; the random
/// generator is reseeded from (seed, step) before each step, and a resumed epoch skips the batches it already
/// trained on, so the batch source must give the same batches for the same epoch number.
/// <code>
/// var trainer = new Trainer&lt;Tensor&gt;(model, [optimizer], (x, ctx) =>
/// {
///     var losses = model.losses(x, ctx.kl_weight);
///     losses["loss"].backward();
///     return losses;
/// }) { options = new() { epochs = 10, checkpoint_path = "run.safetensors" } };
/// var history = trainer.fit(epoch => loader.batches(epoch));
/// </code>
/// </summary>
public sealed class Trainer<TBatch>
{
    readonly nn.Module model;
    readonly IReadOnlyList<Optimizer> optimizers;
    readonly Func<TBatch, StepContext, IReadOnlyDictionary<string, Tensor>> train_step;
    readonly List<StepRecord> steps = new();
    readonly List<EpochRecord> epochs = new();
    volatile bool stopRequested;
    bool stopped;
    // The checkpoint last saved or loaded, and its history log, which the next save to that path appends to.
    (string path, HistoryLog log)? lastCheckpoint;

    /// <param name="train_step">Computes the losses of a batch and calls backward on what should be minimised;
    /// returns the losses to record (each a one-element tensor).</param>
    public Trainer(nn.Module model, IReadOnlyList<Optimizer> optimizers, Func<TBatch, StepContext, IReadOnlyDictionary<string, Tensor>> train_step)
    {
        if (optimizers.Count == 0) throw new ArgumentException("the trainer needs at least one optimizer", nameof(optimizers));
        this.model = model;
        this.optimizers = optimizers;
        this.train_step = train_step;
    }

    public TrainerOptions options { get; init; } = new();
    public IReadOnlyList<LRScheduler> schedulers { get; init; } = [];

    /// <summary>The losses of a validation batch, without backward; run in eval mode under no_grad.</summary>
    public Func<TBatch, StepContext, IReadOnlyDictionary<string, Tensor>>? validation_step { get; init; }

    /// <summary>Told about every step, every epoch and every checkpoint, synchronously on the training thread. Settable, so
    /// that a trainer made by a model's trainer() factory can report too (e.g. an <see cref="EpochLog"/>).</summary>
    public IProgress<TrainingProgress>? progress { get; set; }

    public TrainerPosition position { get; private set; } = new(0, 0, 0);

    public TrainingHistory history => new(steps.ToArray(), epochs.ToArray(), stopped);

    /// <summary>Asks the loop to finish its current step, save a checkpoint and return (what Ctrl+C does).</summary>
    public void request_stop() => stopRequested = true;

    public TrainingHistory fit(IEnumerable<TBatch> train_batches, IEnumerable<TBatch>? validation = null, CancellationToken cancellation = default) =>
        fit(_ => train_batches, validation, cancellation);

    /// <summary>
    /// Trains from the current position to options.epochs; train_batches gives the batches of an epoch by its number.
    /// Between steps it stops, with a checkpoint, on <see cref="request_stop"/>, Ctrl+C or <paramref name="cancellation"/>
    /// (returning the history so far) and when the notebook cell running it is interrupted (throwing
    /// OperationCanceledException, so that the rest of the cell does not run).
    /// </summary>
    public TrainingHistory fit(Func<int, IEnumerable<TBatch>> train_batches, IEnumerable<TBatch>? validation = null, CancellationToken cancellation = default)
    {
        if (validation is not null && validation_step is null)
            throw new ArgumentException("a validation set needs a validation_step to score its batches", nameof(validation));
        stopRequested = stopped = false;
        var interrupt = CellInterrupt.Token;
        ConsoleCancelEventHandler onCtrlC = (_, e) =>
        {
            if (stopRequested) return;
            e.Cancel = true;
            stopRequested = true;
        };
        if (options.handle_ctrl_c) Console.CancelKeyPress += onCtrlC;
        try
        {
            var device = model.parameters().Select(p => p.device).DefaultIfEmpty(CPU).First();
            int? steps_per_epoch = null;
            while (position.epoch < options.epochs)
            {
                var source = train_batches(position.epoch);
                steps_per_epoch = source is IReadOnlyCollection<TBatch> collection ? collection.Count : steps_per_epoch;
                var clock = Stopwatch.StartNew();
                using var batches = source.GetEnumerator();
                Skip(batches, position.step_in_epoch);
                model.train();
                while (true)
                {
                    if (stopRequested || cancellation.IsCancellationRequested || interrupt.IsCancellationRequested)
                    {
                        stopped = true;
                        SaveCheckpoint(steps_per_epoch);
                        // An interrupted cell has been given up by the kernel already: the rest of it must not run on
                        // behind the user's next cell. The model and this trainer keep what the steps so far learned.
                        if (interrupt.IsCancellationRequested)
                            throw new OperationCanceledException($"training interrupted after {position.step} steps (epoch {position.epoch + 1}, step {position.step_in_epoch}); " +
                                                                 "the model keeps what it learned, trainer.history its steps, and fit() goes on from there", interrupt);
                        return history;
                    }
                    StepRecord record;
                    using (NewDisposeScope())
                    {
                        if (!batches.MoveNext()) break;
                        record = Step(Devices.move(batches.Current, device));
                    }
                    steps.Add(record);
                    position = position with { step = position.step + 1, step_in_epoch = position.step_in_epoch + 1 };
                    progress?.Report(new TrainingProgress(ProgressKind.Step, position, options.epochs, steps_per_epoch, step: record));
                    if (options.checkpoint_every > 0 && position.step % options.checkpoint_every == 0) SaveCheckpoint(steps_per_epoch);
                }
                var epoch = EndEpoch(validation, device, clock);
                steps_per_epoch = epoch.steps;
                progress?.Report(new TrainingProgress(ProgressKind.Epoch, position, options.epochs, steps_per_epoch, epoch_record: epoch));
            }
            SaveCheckpoint(steps_per_epoch);
            return history;
        }
        finally
        {
            if (options.handle_ctrl_c) Console.CancelKeyPress -= onCtrlC;
        }
    }

    void Skip(IEnumerator<TBatch> batches, int count)
    {
        for (var i = 0; i < count; i++)
        {
            using (NewDisposeScope())
            {
                if (!batches.MoveNext())
                    throw new InvalidOperationException($"epoch {position.epoch} has only {i} batches, but the checkpoint had trained on {count} of them: the batch source must give the same batches again");
            }
        }
    }

    StepRecord Step(TBatch batch)
    {
        foreach (var optimizer in optimizers) optimizer.zero_grad();
        manual_seed(Seed(options.seed, position.step));
        var context = new StepContext(position.epoch, position.step, options.kl_schedule.weight(position.epoch, position.step));
        var losses = train_step(batch, context).ToDictionary(e => e.Key, e => e.Value.ToDouble());
        double? grad_norm = options.clip_grad_norm is { } max_norm
            ? nn.utils.clip_grad_norm_(optimizers.SelectMany(o => o.parameters()), max_norm)
            : null;
        var lr = optimizers.Select(o => o.ParamGroups.First().LearningRate).ToArray();
        foreach (var optimizer in optimizers) optimizer.step();
        if (options.scheduler_interval == SchedulerInterval.Step)
            foreach (var scheduler in schedulers) scheduler.step();
        return new StepRecord(context.step, context.epoch, losses, lr, context.kl_weight, grad_norm);
    }

    EpochRecord EndEpoch(IEnumerable<TBatch>? validation, Device device, Stopwatch clock)
    {
        var epoch = position.epoch;
        var own = steps.Where(s => s.epoch == epoch).ToList();
        var train = Mean(own.Select(s => s.losses));
        var scores = validation is null ? null : Validate(validation, device);
        if (options.scheduler_interval == SchedulerInterval.Epoch)
            foreach (var scheduler in schedulers) scheduler.step();
        var record = new EpochRecord(epoch, own.Count, train, scores, clock.Elapsed.TotalSeconds);
        epochs.Add(record);
        position = position with { epoch = epoch + 1, step_in_epoch = 0 };
        return record;
    }

    Dictionary<string, double> Validate(IEnumerable<TBatch> validation, Device device)
    {
        // A stream of seeds apart from the steps' (negative indices), so validation noise is the same on every run.
        manual_seed(Seed(options.seed, -1 - position.epoch));
        var context = new StepContext(position.epoch, position.step, options.kl_schedule.weight(position.epoch, position.step));
        var results = new List<Dictionary<string, double>>();
        model.eval();
        try
        {
            using (no_grad())
            using (var batches = validation.GetEnumerator())
            {
                while (true)
                {
                    using (NewDisposeScope())
                    {
                        if (!batches.MoveNext()) break;
                        results.Add(validation_step!(Devices.move(batches.Current, device), context).ToDictionary(e => e.Key, e => e.Value.ToDouble()));
                    }
                }
            }
        }
        finally
        {
            model.train();
        }
        return Mean(results);
    }

    static Dictionary<string, double> Mean(IEnumerable<IReadOnlyDictionary<string, double>> records)
    {
        var list = records.ToList();
        return list.SelectMany(r => r.Keys).Distinct()
            .ToDictionary(key => key, key => list.Where(r => r.ContainsKey(key)).Average(r => r[key]));
    }

    /// <summary>SplitMix64 of (seed, index): well-spread generator seeds, different for every step of every run seed.</summary>
    static long Seed(long seed, long index)
    {
        unchecked
        {
            var z = (ulong)seed * 0x9E3779B97F4A7C15UL + (ulong)index;
            z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
            z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
            return (long)(z ^ (z >> 31));
        }
    }

    void SaveCheckpoint(int? steps_per_epoch)
    {
        if (options.checkpoint_path is not { } path) return;
        save_checkpoint(path);
        progress?.Report(new TrainingProgress(ProgressKind.Checkpoint, position, options.epochs, steps_per_epoch, checkpoint: path));
    }

    /// <summary>Writes the run as it stands (see <see cref="Checkpoint"/>), with options.metadata.</summary>
    public void save_checkpoint(string path)
    {
        var full = Path.GetFullPath(path);
        var continuing = lastCheckpoint is { } last && last.path == full ? last.log : null;
        // The live lists, not copies: a save costs the same however long the run has been.
        var log = Checkpoint.save(path, model, optimizers, schedulers, position, new TrainingHistory(steps, epochs, stopped), options.metadata, continuing);
        lastCheckpoint = (full, log);
    }

    /// <summary>Puts a checkpoint's states back and continues its history; the next fit() goes on from where it was saved.</summary>
    public CheckpointContents load_checkpoint(string path)
    {
        var contents = Checkpoint.load(path, model, optimizers, schedulers);
        lastCheckpoint = (Path.GetFullPath(path), contents.history_log);
        position = contents.position;
        steps.Clear();
        steps.AddRange(contents.history.steps);
        epochs.Clear();
        epochs.AddRange(contents.history.epochs);
        return contents;
    }
}
