using VaeLab.Data;
using static TorchSharp.torch.optim;

namespace VaeLab.Tests.Training;

[Collection(TrainingSerial.Name)]
public sealed class TrainerTests : IDisposable
{
    readonly string folder = Directory.CreateTempSubdirectory("vaelab-training-").FullName;

    public void Dispose() => Directory.Delete(folder, recursive: true);

    static ConvVaeConfig Small => new() { image_channels = 1, image_size = 16, latent_dim = 4, max_filters = 8 };

    /// <summary>A small ConvVae run: AdamW, StepLR per epoch, clipping, a KL warm-up, three batches per epoch in an epoch-dependent order.</summary>
    sealed class Run : IDisposable
    {
        public readonly ConvVae model;
        public readonly Optimizer optimizer;
        public readonly Trainer<Tensor> trainer;
        public readonly List<Tensor> batches;
        public readonly Tensor validation;

        public Run(long init_seed, TrainerOptions options, IProgress<TrainingProgress>? progress = null)
        {
            manual_seed(init_seed);
            model = new ConvVae(Small);
            optimizer = optim.AdamW(model.parameters(), lr: 1e-3);
            var scheduler = optim.lr_scheduler.StepLR(optimizer, step_size: 1, gamma: 0.5);
            batches = Enumerable.Range(0, 3).Select(i => ModelTesting.Shapes(4, 1, 16, seed: i)).ToList();
            validation = ModelTesting.Shapes(2, 1, 16, seed: 3);
            trainer = new Trainer<Tensor>(model, [optimizer], (x, ctx) =>
            {
                var losses = model.losses(x, ctx.kl_weight);
                losses["loss"].backward();
                return losses;
            })
            {
                options = options,
                schedulers = [scheduler],
                validation_step = (x, ctx) => model.losses(x, ctx.kl_weight),
                progress = progress,
            };
        }

        public IEnumerable<Tensor> Epoch(int epoch) => Enumerable.Range(0, 3).Select(i => batches[(i + epoch) % 3]);

        public TrainingHistory Fit(CancellationToken token = default) => trainer.fit(Epoch, [validation], token);

        public void Dispose()
        {
            model.Dispose();
            optimizer.Dispose();
            foreach (var b in batches) b.Dispose();
            validation.Dispose();
        }
    }

    TrainerOptions Options(string name) => new()
    {
        epochs = 3,
        seed = 11,
        clip_grad_norm = 5,
        kl_schedule = new LinearKlWarmup(2),
        checkpoint_path = Path.Combine(folder, name),
        metadata = new Dictionary<string, string> { ["normaliser"] = "{\"mean\": 0.5}" },
    };

    [Fact]
    public void AResumedRunContinuesBitForBitLikeAnUninterruptedOne()
    {
        TrainingHistory whole;
        Dictionary<string, Tensor> finalWeights;
        using (var run = new Run(1, Options("whole.safetensors")))
        {
            whole = run.Fit();
            finalWeights = run.model.state_dict().ToDictionary(e => e.Key, e => e.Value.clone());
        }
        Assert.Equal(9, whole.steps.Count);
        Assert.False(whole.stopped);

        // Stopped after its fifth step (the second of epoch 1), as Ctrl+C would: the step finishes, a checkpoint is written.
        var path = Path.Combine(folder, "stopped.safetensors");
        using (var cancel = new CancellationTokenSource())
        using (var run = new Run(1, Options("stopped.safetensors"), new StopAt(5, cancel.Cancel)))
        {
            var partial = run.Fit(cancel.Token);
            Assert.True(partial.stopped);
            Assert.Equal(5, partial.steps.Count);
            Assert.Equal(new TrainerPosition(5, 1, 2), run.trainer.position);
        }

        // A fresh process would build the run with other initial weights; the checkpoint replaces them all.
        using (var run = new Run(99, Options("resumed.safetensors")))
        {
            var contents = run.trainer.load_checkpoint(path);
            Assert.Equal("{\"mean\": 0.5}", contents.metadata["normaliser"]);
            var resumed = run.Fit();
            Assert.False(resumed.stopped);
            Assert.Equal(whole.steps.Count, resumed.steps.Count);
            for (var i = 0; i < whole.steps.Count; i++)
            {
                Assert.Equal(whole.steps[i].losses, resumed.steps[i].losses);
                Assert.Equal(whole.steps[i].lr, resumed.steps[i].lr);
                Assert.Equal(whole.steps[i].grad_norm, resumed.steps[i].grad_norm);
            }
            for (var e = 0; e < whole.epochs.Count; e++)
            {
                Assert.Equal(whole.epochs[e].train, resumed.epochs[e].train);
                Assert.Equal(whole.epochs[e].validation, resumed.epochs[e].validation);
            }
            foreach (var (key, value) in run.model.state_dict())
                Assert.True(finalWeights[key].Equals(value), $"{key} differs after resuming");
        }
        foreach (var t in finalWeights.Values) t.Dispose();
    }

    [Fact]
    public void HistoryRecordsTheScheduleTheWarmUpAndTheEpochMeans()
    {
        using var run = new Run(1, Options("history.safetensors") with { checkpoint_path = null });
        var history = run.Fit();
        Assert.Equal([1e-3, 1e-3, 1e-3, 5e-4, 5e-4, 5e-4, 2.5e-4, 2.5e-4, 2.5e-4], history.steps.Select(s => s.lr[0]));
        Assert.Equal([0, 0, 0, 0.5, 0.5, 0.5, 1, 1, 1], history.steps.Select(s => s.kl_weight));
        Assert.Equal(Enumerable.Range(0, 9).Select(i => (long)i), history.steps.Select(s => s.step));
        Assert.Equal(3, history.epochs.Count);
        Assert.Equal(history.steps.Take(3).Average(s => s.losses["mse"]), history.epochs[0].train["mse"], 10);
        Assert.Equal(["loss", "mse", "kl"], history.epochs[2].validation!.Keys);
        Assert.All(history.steps, s => Assert.NotNull(s.grad_norm));
    }

    [Fact]
    public void ValidationRunsInEvalModeWithoutGradients()
    {
        using var run = new Run(1, Options("eval.safetensors") with { checkpoint_path = null, epochs = 1 });
        var seen = new List<(bool training, bool grad)>();
        var trainer = new Trainer<Tensor>(run.model, [run.optimizer], (x, ctx) =>
        {
            seen.Add((run.model.training, is_grad_enabled()));
            var losses = run.model.losses(x);
            losses["loss"].backward();
            return losses;
        })
        {
            validation_step = (x, ctx) =>
            {
                seen.Add((run.model.training, is_grad_enabled()));
                return run.model.losses(x);
            },
        };
        trainer.fit(run.Epoch, [run.validation]);
        Assert.Equal([(true, true), (true, true), (true, true), (false, false)], seen);
        Assert.True(run.model.training, "training mode comes back after validation");
        Assert.Throws<ArgumentException>(() => new Trainer<Tensor>(run.model, [run.optimizer], (x, _) => run.model.losses(x)).fit(run.Epoch, [run.validation]));
    }

    [Fact]
    public void ClippingBoundsTheUpdateAndStepSchedulersMoveEveryStep()
    {
        manual_seed(3);
        using var model = new ConvVae(Small);
        using var optimizer = optim.SGD(model.parameters(), learningRate: 1);
        var scheduler = optim.lr_scheduler.ExponentialLR(optimizer, gamma: 0.5);
        using var x = ModelTesting.Shapes(4, 1, 16);
        var before = model.parameters().Select(p => p.clone()).ToList();
        var trainer = new Trainer<Tensor>(model, [optimizer], (batch, _) =>
        {
            var losses = model.losses(batch);
            losses["loss"].backward();
            return losses;
        })
        {
            options = new TrainerOptions { clip_grad_norm = 1e-3, scheduler_interval = SchedulerInterval.Step },
            schedulers = [scheduler],
        };
        var history = trainer.fit([x]);
        Assert.True(history.steps[0].grad_norm > 1e-3, "the raw gradient is larger than the bound");
        using var moved = stack(model.parameters().Zip(before, (p, b) => (p - b).square().sum()).ToList()).sum().sqrt();
        Assert.True(moved.ToDouble() <= 1e-3 * (1 + 1e-4), $"an SGD step of lr 1 moved the weights by {moved.ToDouble()}");
        Assert.Equal(0.5, optimizer.ParamGroups.Single().LearningRate);
        foreach (var b in before) b.Dispose();
    }

    [Fact]
    public void CheckpointsAreWrittenEveryNStepsAndReadableForTheModelAlone()
    {
        var reports = new List<TrainingProgress>();
        using var run = new Run(1, Options("every.safetensors") with { checkpoint_every = 4, epochs = 2 }, new Progress(reports));
        run.Fit();
        Assert.Equal([4L, 6L], reports.Where(r => r.kind == ProgressKind.Checkpoint).Select(r => r.position.step));
        Assert.Equal([3, 3], reports.Where(r => r.kind == ProgressKind.Epoch).Select(r => r.steps_per_epoch!.Value));

        manual_seed(50);
        using var copy = new ConvVae(Small);
        var metadata = Checkpoint.load_model(Path.Combine(folder, "every.safetensors"), copy);
        Assert.Equal("{\"mean\": 0.5}", metadata["normaliser"]);
        var copied = copy.state_dict();
        foreach (var (key, value) in run.model.state_dict()) Assert.True(value.Equals(copied[key]), key);
    }

    sealed class Progress(List<TrainingProgress> reports, Action<TrainingProgress>? also = null) : IProgress<TrainingProgress>
    {
        public void Report(TrainingProgress value)
        {
            reports.Add(value);
            also?.Invoke(value);
        }
    }

    [Fact]
    public void LoadingSomethingElseNamesTheFile()
    {
        var path = Path.Combine(folder, "weights.safetensors");
        using var model = new ConvVae(Small);
        model.save(path);  // TorchSharp's own format, not safetensors
        var e = Assert.Throws<DataFormatException>(() => Checkpoint.load_model(path, model));
        Assert.Contains(path, e.Message);
    }

    [Fact]
    public void ASaveAppendsWhatEndedSinceTheLastToTheHistoryLogAndTheCheckpointDoesNotGrow()
    {
        var path = Path.Combine(folder, "long.safetensors");
        var saves = new List<(long checkpoint, byte[] log)>();
        var progress = new Progress(new List<TrainingProgress>(), report =>
        {
            if (report.kind == ProgressKind.Checkpoint)
                saves.Add((new FileInfo(path).Length, File.ReadAllBytes(Directory.GetFiles(folder, "long.safetensors.*.history").Single())));
        });
        using var run = new Run(1, Options("long.safetensors") with { epochs = 1, checkpoint_every = 1 }, progress);
        run.trainer.fit(_ => Enumerable.Range(0, 12).Select(i => run.batches[i % 3]));

        Assert.Equal(13, saves.Count); // every step, and at the end, after the epoch
        for (var i = 1; i < saves.Count; i++)
        {
            var (before, after) = (saves[i - 1].log, saves[i].log);
            Assert.Equal(before, after[..before.Length]);
            // A line for the step (or at the end the epoch); its length varies with its numbers' digits, not with the step count.
            var added = System.Text.Encoding.UTF8.GetString(after[before.Length..]);
            Assert.StartsWith(i < 12 ? "{\"step\":" : "{\"epoch\":", added);
            Assert.InRange(added.Length, 100, 400);
        }
        // The checkpoint changes size only as its counters gain digits.
        Assert.InRange(saves.Max(s => s.checkpoint) - saves[0].checkpoint, 0, 64);
    }

    [Fact]
    public void LeftoversOfKilledSavesGoAndARunContinuedInPlaceResumesExactly()
    {
        TrainingHistory whole;
        using (var run = new Run(1, Options("whole.safetensors"))) whole = run.Fit();
        var path = Path.Combine(folder, "stopped.safetensors");
        using (var cancel = new CancellationTokenSource())
        using (var run = new Run(1, Options("stopped.safetensors"), new StopAt(5, cancel.Cancel)))
            run.Fit(cancel.Token);

        // What kill -9 leaves: a save's temporary file, a history log a rewrite did not finish, records a save appended
        // to the checkpoint's log before it was killed (the checkpoint counts the log's bytes, so they are not its own).
        var log = Directory.GetFiles(folder, "stopped.safetensors.*.history").Single();
        var temporary = Path.Combine(folder, $".stopped.safetensors.{Guid.NewGuid():N}.tmp");
        var orphanLog = Path.Combine(folder, $"stopped.safetensors.{Guid.NewGuid():N}.history");
        File.WriteAllBytes(temporary, new byte[100]);
        File.WriteAllText(orphanLog, "{}\n");
        var logLength = new FileInfo(log).Length;
        File.AppendAllText(log, "{\"step\": 5, \"cut\": \"mid-");

        using (var run = new Run(99, Options("stopped.safetensors")))
        {
            var contents = run.trainer.load_checkpoint(path);
            Assert.False(File.Exists(temporary), "loading removes the temporary file of a killed save");
            Assert.Equal(5, contents.history.steps.Count);
            Assert.Equal(logLength, contents.history_log.bytes);
            var resumed = run.Fit();
            Assert.False(File.Exists(orphanLog), "saving removes the history logs the checkpoint does not use");
            Assert.Equal(log, Directory.GetFiles(folder, "stopped.safetensors.*.history").Single());
            Assert.Equal(whole.steps.Select(s => s.losses), resumed.steps.Select(s => s.losses));
        }
        using (var run = new Run(99, Options("stopped.safetensors")))
        {
            var reloaded = run.trainer.load_checkpoint(path).history;
            Assert.Equal(whole.steps.Select(s => s.losses), reloaded.steps.Select(s => s.losses));
            Assert.Equal(whole.epochs.Select(e => e.validation), reloaded.epochs.Select(e => e.validation));
        }
    }

    [Fact]
    public void ADamagedHistoryLogFailsNamingTheLogAndThePlace()
    {
        using (var run = new Run(1, Options("damaged.safetensors") with { epochs = 1 })) run.Fit();
        var log = Directory.GetFiles(folder, "damaged.safetensors.*.history").Single();
        var text = File.ReadAllText(log);
        using var again = new Run(1, Options("damaged.safetensors"));
        File.WriteAllText(log, text[..(text.Length / 2)]);
        var truncated = Assert.Throws<DataFormatException>(() => again.trainer.load_checkpoint(Path.Combine(folder, "damaged.safetensors")));
        Assert.Equal((log, $"byte {text.Length / 2}"), (truncated.File, truncated.Location));
        File.WriteAllText(log, text.Replace("\"losses\"", "\"lossez\""));
        var changed = Assert.Throws<DataFormatException>(() => again.trainer.load_checkpoint(Path.Combine(folder, "damaged.safetensors")));
        Assert.Equal(log, changed.File);
        Assert.Contains("CRC-32", changed.Reason);
    }

    [Fact]
    public void KlSchedulesFollowTheirFormulas()
    {
        var linear = new LinearKlWarmup(10);
        Assert.Equal([0.0, 0.5, 1.0, 1.0], new[] { 0, 5, 10, 20 }.Select(e => linear.weight(e, 0)));
        var sketch = new ExponentialKlWarmup(0.01, 0.5, 0.99995);
        Assert.Equal(0.01, sketch.weight(0, 0), 15);
        Assert.Equal(0.5 - 0.49 * Math.Pow(0.99995, 1000), sketch.weight(0, 1000), 15);
        Assert.Equal(0.5, sketch.weight(0, 2_000_000), 9);
        Assert.Equal(0.3, new ConstantKl(0.3).weight(4, 400));
    }
}

/// <summary>Stops a run after the given step, as Ctrl+C would: the trainer finishes that step and writes its checkpoint.</summary>
sealed class StopAt(long step, Action stop) : IProgress<TrainingProgress>
{
    public void Report(TrainingProgress value)
    {
        if (value.kind == ProgressKind.Step && value.position.step == step) stop();
    }
}
