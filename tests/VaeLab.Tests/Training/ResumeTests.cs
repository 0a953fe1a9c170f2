using static TorchSharp.torch.optim;

namespace VaeLab.Tests.Training;

/// <summary>
/// Each image model, trained as its notebook trains it, stops after a step (as on Ctrl+C, writing a checkpoint);
/// a run built from other initial weights loads that checkpoint and continues with the same step losses as a run
/// that never stopped. The split VAE's two optimizers and schedulers are both in the checkpoint.
/// </summary>
[Collection(TrainingSerial.Name)]
public sealed class ResumeTests : IDisposable
{
    readonly string folder = Directory.CreateTempSubdirectory("vaelab-resume-").FullName;

    public void Dispose() => Directory.Delete(folder, recursive: true);

    /// <summary>A model and the trainer its notebook builds, from an initial seed, on fixed batches.</summary>
    sealed record Run<TBatch>(nn.Module model, Trainer<TBatch> trainer, List<TBatch> batches) : IDisposable
    {
        public TrainingHistory Fit(CancellationToken token = default) =>
            trainer.fit(epoch => Enumerable.Range(0, batches.Count).Select(i => batches[(i + epoch) % batches.Count]), null, token);

        public void Dispose() => model.Dispose();
    }

    TrainerOptions Options(string name) => new() { epochs = 2, seed = 3, checkpoint_path = Path.Combine(folder, name) };

    void AssertResumesExactly<TBatch>(Func<long, TrainerOptions, IProgress<TrainingProgress>?, Run<TBatch>> build)
    {
        TrainingHistory whole;
        using (var run = build(1, Options("whole.safetensors"), null)) whole = run.Fit();

        using (var stop = new CancellationTokenSource())
        using (var run = build(1, Options("stopped.safetensors"), new StopAt(3, stop.Cancel)))
            Assert.True(run.Fit(stop.Token).stopped);

        using (var run = build(42, Options("resumed.safetensors"), null))
        {
            run.trainer.load_checkpoint(Path.Combine(folder, "stopped.safetensors"));
            var resumed = run.Fit();
            Assert.Equal(whole.steps.Count, resumed.steps.Count);
            Assert.All(Enumerable.Range(0, whole.steps.Count), i => Assert.Equal(whole.steps[i].losses, resumed.steps[i].losses));
        }
    }

    [Fact]
    public void TheCompletionCvaeResumesExactly()
    {
        AssertResumesExactly((seed, options, progress) =>
        {
            manual_seed(seed);
            var model = new Cvae(new CvaeConfig { image_size = 16, latent_dim = 4, encoder_channels = [4, 4, 8], decoder_channels = [4, 4] });
            var optimizer = optim.Adam(model.parameters(), lr: 1e-3, weight_decay: 1e-9);
            var batches = Enumerable.Range(0, 3)
                .Select(i => (full: ModelTesting.Shapes(4, 1, 16, seed: i), partial: ModelTesting.Shapes(4, 1, 16, seed: 10 + i)))
                .ToList();
            var trainer = new Trainer<(Tensor full, Tensor partial)>(model, [optimizer], (batch, step) =>
            {
                var losses = model.losses(batch.full, batch.partial, step.kl_weight);
                losses["loss"].backward();
                return losses;
            })
            {
                options = options with { clip_grad_norm = 0.01, kl_schedule = new LinearKlWarmup(1) },
                schedulers = [optim.lr_scheduler.StepLR(optimizer, 1, 0.5)],
                progress = progress,
            };
            return new Run<(Tensor full, Tensor partial)>(model, trainer, batches);
        });
    }

    [Fact]
    public void TheSplitVaeResumesExactlyWithBothOptimizers()
    {
        AssertResumesExactly((seed, options, progress) =>
        {
            manual_seed(seed);
            var model = new SplitVae(new SplitVaeConfig
            {
                image_channels = 1, image_size = 16, latent_dim = 4, encoder_channels = [4, 8, 8], fc_size = 16, decoder_channels = [8, 4, 4],
            });
            var encoder_optimizer = optim.RMSProp(model.encoder.parameters(), lr: 1e-3, alpha: 0.9, eps: 1e-8);
            var decoder_optimizer = optim.RMSProp(model.decoder.parameters(), lr: 1e-3, alpha: 0.9, eps: 1e-8);
            var batches = Enumerable.Range(0, 3).Select(i => ModelTesting.Shapes(4, 1, 16, low: -1, seed: i)).ToList();
            var trainer = new Trainer<Tensor>(model, [encoder_optimizer, decoder_optimizer], (x, _) =>
            {
                var losses = model.losses(x);
                model.backward(losses);
                return losses;
            })
            {
                options = options,
                schedulers = [optim.lr_scheduler.ExponentialLR(encoder_optimizer, 0.75), optim.lr_scheduler.ExponentialLR(decoder_optimizer, 0.75)],
                progress = progress,
            };
            return new Run<Tensor>(model, trainer, batches);
        });
    }
}
