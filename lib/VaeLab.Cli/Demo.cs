using System.Diagnostics;
using VaeLab.Data.Images;
using VaeLab.Models;
using VaeLab.Training;
using TorchSharp;
using static TorchSharp.torch;
using Reduction = TorchSharp.torch.nn.Reduction;

namespace VaeLab.Cli;

/// <summary>
/// `vaelab demo`: trains a small <see cref="ConvVae"/> on Fashion-MNIST for a few hundred steps and compares its
/// held-out reconstruction error with that of always predicting the mean training image.
/// </summary>
static class Demo
{
    public sealed record Options(int Steps, int BatchSize, int Latent, long Seed, string DataFolder);

    const double LearningRate = 1e-3;
    const int Side = 28, Padded = 32;

    // A crop larger than the image pads it: 28x28 becomes 32x32 with a 2-pixel zero border, so three stride-2 convs halve evenly.
    static readonly CenterCrop Pad = new(Padded);

    public static void Run(Options options, TextWriter output)
    {
        var train = FashionMnist.Load("train", directory: options.DataFolder);
        var test = FashionMnist.Load("test", directory: options.DataFolder);
        if (options.BatchSize > train.Count)
            throw new ArgumentException($"--batch-size {options.BatchSize} exceeds the {train.Count} training images");

        torch.manual_seed(options.Seed);
        // Seed 004's network at a quarter of its width: 16-32-64 filters down to 64 x 4 x 4.
        using var model = new ConvVae(new ConvVaeConfig { image_channels = 1, image_size = Padded, latent_dim = options.Latent, max_filters = 64 });
        var optimizer = torch.optim.Adam(model.parameters(), lr: LearningRate);
        output.WriteLine($"Fashion-MNIST: {train.Count} training and {test.Count} held-out images ({Side}x{Side}, padded to {Padded}x{Padded})");
        output.WriteLine($"training a convolutional VAE (latent {options.Latent}) for {options.Steps} steps of batch {options.BatchSize}, "
            + $"Adam lr {LearningRate}, loss MSE(sum) + KL(sum), {torch.get_num_threads()} intra-op thread(s)");

        var loader = new DataLoader(train, options.BatchSize, shuffle: true, drop_last: true, transform: Pad, seed: options.Seed);
        var trainer = new Trainer<ImageBatch>(model, [optimizer], (batch, _) =>
        {
            var losses = model.losses(batch.Images);
            losses["loss"].backward();
            return losses;
        })
        {
            options = new TrainerOptions { epochs = 1, seed = options.Seed },
            progress = new Log(options, train.Count, output),
        };
        // One trainer epoch of exactly Steps batches, drawn from as many passes over the data as that takes.
        var history = trainer.fit(Batches(loader).Take(options.Steps));
        if (history.stopped) output.WriteLine($"stopped after {history.steps.Count} steps");

        var (modelMse, meanMse) = HeldOutErrors(model, train, test);
        output.WriteLine($"held-out reconstruction MSE per pixel: {modelMse:F4}; "
            + $"predicting the mean training image instead: {meanMse:F4} ({meanMse / modelMse:F1}x the model's)");
    }

    static IEnumerable<ImageBatch> Batches(DataLoader loader)
    {
        for (var epoch = 0; ; epoch++)
            foreach (var batch in loader.batches(epoch)) yield return batch;
    }

    /// <summary>Prints the loss per image and its KL part, averaged over the steps since the last line, ten times a run.</summary>
    sealed class Log(Options options, int images, TextWriter output) : IProgress<TrainingProgress>
    {
        readonly Stopwatch clock = Stopwatch.StartNew();
        readonly int every = Math.Max(1, options.Steps / 10);
        double loss, kl;
        int count;

        public void Report(TrainingProgress value)
        {
            if (value is not { kind: ProgressKind.Step, step: { } step }) return;
            loss += step.losses["loss"] / options.BatchSize;
            kl += step.losses["kl"] / options.BatchSize;
            count++;
            var done = value.position.step;
            if (done % every != 0 && done != options.Steps) return;
            output.WriteLine($"step {done,5}  epoch {(double)done * options.BatchSize / images,5:F2}  "
                + $"loss/image {loss / count,7:F2}  (KL {kl / count,5:F2})  {clock.Elapsed.TotalSeconds,5:F1} s");
            loss = kl = count = 0;
        }
    }

    /// <summary>Squared error per pixel over the test set, on the original 28x28 pixels (the padding left out), of the
    /// model's reconstruction from the posterior mean and of the mean training image.</summary>
    static (double model, double mean) HeldOutErrors(ConvVae model, ImageArray train, ImageArray test)
    {
        using var noGrad = torch.no_grad();
        model.eval();
        using var meanImage = torch.zeros(1, 1, Padded, Padded);
        foreach (var batch in new DataLoader(train, 1000, transform: Pad))
            using (batch)
            using (torch.NewDisposeScope())
                meanImage.add_(batch.Images.sum([0], keepdim: true));
        meanImage.div_(train.Count);

        double modelError = 0, meanError = 0;
        foreach (var batch in new DataLoader(test, 1000, transform: Pad))
        {
            using (batch)
            using (torch.NewDisposeScope())
            {
                var x = batch.Images;
                var reconstruction = model.decoder.call(model.encoder.call(x).mu);
                modelError += Losses.mse(Unpad(reconstruction), Unpad(x), Reduction.Sum).ToDouble();
                meanError += Losses.mse(Unpad(meanImage.expand_as(x)), Unpad(x), Reduction.Sum).ToDouble();
            }
        }
        var pixels = (double)test.Count * Side * Side;
        return (modelError / pixels, meanError / pixels);
    }

    static Tensor Unpad(Tensor images)
    {
        const int border = (Padded - Side) / 2;
        return images.narrow(2, border, Side).narrow(3, border, Side);
    }
}
