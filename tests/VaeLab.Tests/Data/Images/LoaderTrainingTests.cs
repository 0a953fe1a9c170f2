using VaeLab.Data.Images;
using static TorchSharp.torch.optim;

namespace VaeLab.Tests.Data.Images;

[Collection(TrainingSerial.Name)]
public class LoaderTrainingTests
{
    /// <summary>Seed 004's setting in small: Fashion-MNIST resized, a ConvVae, the Trainer fed by loader.batches(epoch).</summary>
    [Fact]
    public void TrainerFitsAConvVaeOnLoaderBatchesAndResumesTheSameEpoch()
    {
        var data = FashionMnist.Load("train", limit: 48);
        var loader = new DataLoader(data, batch_size: 16, shuffle: true, transform: new Resize(16, 16), seed: 1);
        var folder = Directory.CreateTempSubdirectory("vaelab-loader-").FullName;
        try
        {
            TrainingHistory Fit(int epochs, int? stopAfter = null)
            {
                manual_seed(0);
                using var model = new ConvVae(new ConvVaeConfig { image_channels = 1, image_size = 16, latent_dim = 4, max_filters = 8 });
                using var optimizer = optim.AdamW(model.parameters(), lr: 1e-3);
                Trainer<ImageBatch>? trainer = null;
                trainer = new Trainer<ImageBatch>(model, [optimizer], (batch, ctx) =>
                {
                    Assert.Equal([16L, 1, 16, 16], batch.Images.shape);
                    var losses = model.losses(batch.Images, ctx.kl_weight);
                    losses["loss"].backward();
                    if (trainer!.position.step + 1 == stopAfter) trainer.request_stop();
                    return losses;
                })
                { options = new TrainerOptions { epochs = epochs, handle_ctrl_c = false, checkpoint_path = Path.Combine(folder, "run.safetensors") } };
                if (stopAfter is null && File.Exists(trainer.options.checkpoint_path)) trainer.load_checkpoint(trainer.options.checkpoint_path!);
                return trainer.fit(epoch => loader.batches(epoch));
            }

            var whole = Fit(2);
            Assert.Equal(6, whole.steps.Count);
            Assert.All(whole.epochs, e => Assert.Equal(3, e.steps));
            Assert.All(whole.steps, s => Assert.True(double.IsFinite(s.losses["loss"])));
            File.Delete(Path.Combine(folder, "run.safetensors"));

            // Stopped in the middle of epoch 1 and resumed: the loader gives the same batches, so the same losses.
            Fit(2, stopAfter: 5);
            var resumed = Fit(2);
            Assert.Equal(whole.steps[^1].losses["loss"], resumed.steps[^1].losses["loss"], 1e-5);
        }
        finally { Directory.Delete(folder, recursive: true); }
    }
}
