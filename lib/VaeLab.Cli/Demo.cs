using System.Diagnostics;
using VaeLab.Torch;
using F = VaeLab.Torch.torch.nn.functional;

namespace VaeLab.Cli;

/// <summary>
/// `vaelab demo`: trains DemoVae on Fashion-MNIST for a few hundred steps and compares its held-out
/// reconstruction error with that of always predicting the mean training image.
/// </summary>
static class Demo
{
    public sealed record Options(int Steps, int BatchSize, int Latent, long Seed, string DataFolder);

    const double LearningRate = 1e-3;

    public static void Run(Options options)
    {
        torch.manual_seed(options.Seed);
        using var train = FashionMnist.Images(options.DataFolder, "train");
        using var test = FashionMnist.Images(options.DataFolder, "t10k");
        var model = new DemoVae(options.Latent);
        var optimizer = new Adam(model.Parameters, LearningRate);
        var count = train.size(0);
        if (options.BatchSize > count) throw new ArgumentException($"--batch-size {options.BatchSize} exceeds the {count} training images");
        Console.WriteLine($"Fashion-MNIST: {count} training and {test.size(0)} held-out images (28x28, padded to 32x32)");
        Console.WriteLine($"training a convolutional VAE (latent {options.Latent}) for {options.Steps} steps of batch {options.BatchSize}, "
            + $"Adam lr {LearningRate}, loss MSE(sum) + KL(sum), {torch.get_num_threads()} intra-op thread(s)");

        var clock = Stopwatch.StartNew();
        var logEvery = Math.Max(1, options.Steps / 10);
        var order = torch.randperm(count);
        long next = 0;
        double recentLoss = 0, recentKl = 0;
        for (var step = 1; step <= options.Steps; step++)
        {
            if (next + options.BatchSize > count)
            {
                order.Dispose();
                order = torch.randperm(count);
                next = 0;
            }
            using (torch.NewDisposeScope())
            {
                var x = Pixels(train.index_select(0, order.narrow(0, next, options.BatchSize)));
                next += options.BatchSize;
                optimizer.zero_grad();
                var (reconstruction, kl) = model.forward(x);
                var loss = F.mse_loss(reconstruction, x, torch.nn.Reduction.sum) + kl;
                loss.backward();
                optimizer.step();
                recentLoss += loss.item() / options.BatchSize;
                recentKl += kl.item() / options.BatchSize;
            }
            if (step % logEvery == 0 || step == options.Steps)
            {
                var n = step % logEvery == 0 ? logEvery : step % logEvery;
                Console.WriteLine($"step {step,5}  epoch {(double)step * options.BatchSize / count,5:F2}  "
                    + $"loss/image {recentLoss / n,7:F2}  (KL {recentKl / n,5:F2})  {clock.Elapsed.TotalSeconds,5:F1} s");
                recentLoss = recentKl = 0;
            }
        }
        order.Dispose();

        var (modelMse, meanMse) = HeldOutErrors(model, train, test);
        Console.WriteLine($"held-out reconstruction MSE per pixel: {modelMse:F4}; "
            + $"predicting the mean training image instead: {meanMse:F4} ({meanMse / modelMse:F1}x the model's)");
    }

    // Bytes [N, 1, 28, 28] to floats in [0, 1], padded to 32x32 so that three stride-2 convs halve evenly.
    static Tensor Pixels(Tensor images) => F.pad(images.to(torch.float32) / 255, [2, 2, 2, 2]);

    static (double model, double mean) HeldOutErrors(DemoVae model, Tensor train, Tensor test)
    {
        using var scope = torch.NewDisposeScope();
        using var noGrad = torch.no_grad();
        var meanImage = (train.to(torch.float32) / 255).mean(0, keepdim: true);
        double modelError = 0, meanError = 0;
        foreach (var chunk in test.split(1000))
        {
            var x = chunk.to(torch.float32) / 255;
            var reconstruction = model.reconstruct(F.pad(x, [2, 2, 2, 2])).narrow(2, 2, 28).narrow(3, 2, 28);
            modelError += F.mse_loss(reconstruction, x, torch.nn.Reduction.sum).item();
            meanError += F.mse_loss(meanImage.expand_as(x), x, torch.nn.Reduction.sum).item();
        }
        var pixels = (double)test.numel();
        return (modelError / pixels, meanError / pixels);
    }
}
