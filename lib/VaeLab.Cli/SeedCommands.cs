using System.CommandLine;
using Spectre.Console;
using VaeLab.Data.Images;
using VaeLab.Display;
using VaeLab.Models;
using TorchSharp;
using static TorchSharp.torch;
using Reduction = TorchSharp.torch.nn.Reduction;

namespace VaeLab.Cli;

/// <summary>
/// Seed 004's three scripts as commands with its flag names, so that its README's examples run with `vaelab` in front:
/// `train` runs notebooks/conv-vae.ipynb, `reconstruct` and `generate` use a model file (the seed's .pth or safetensors).
/// </summary>
static class SeedCommands
{
    public static IEnumerable<Command> Create(IAnsiConsole console, TextWriter error) =>
        [Train(console, error), Reconstruct(console), Generate(console)];

    // The seed's defaults: train.py's batch size 32, 100 epochs, AdamW lr 3e-4, 128 filters, seed 0; generate.py's 8 samples.
    static Option<bool> Cpu() => new("--cpu") { Description = "Use the CPU even where a GPU (CUDA) is available" };
    static Option<int> LatentDims() => Cli.PositiveOption("--latent_dims", "Number of latent dimensions (positive integer)", null);

    static Option<int?> MaxFilters()
    {
        var option = new Option<int?>("--max_filters") { Description = "Maximum number of filters in the convolutional layers (default: the model file's; the seed's have 128)" };
        option.Validators.Add(result =>
        {
            if (result.GetValueOrDefault<int?>() is <= 0 and var value) result.AddError($"--max_filters must be a positive integer, not '{value}'");
        });
        return option;
    }

    static Option<long> Seed() => new("--seed") { Description = "Random seed", DefaultValueFactory = _ => 0 };

    static Option<string> Model() => new("--model")
    {
        Description = "Model: the seed's *.pth, a state_dict or VaeLab model as .safetensors, or a run id or run folder (its models/model.safetensors)",
        Required = true,
    };

    static Option<string> OutDir(string what) => new("--outdir") { Description = $"Output directory for the {what}", Required = true };
    static Option<string?> DataDir() => new("--data_dir") { Description = "The dataset's folder (default: data/<dataset>; Fashion-MNIST: Debian's)" };

    static Option<string> Dataset()
    {
        var dataset = new Option<string>("--dataset")
        {
            Description = $"Select the dataset to use ({string.Join(", ", SeedData.Names)})", DefaultValueFactory = _ => "mnist",
        };
        dataset.AcceptOnlyFromAmong(SeedData.Names);
        return dataset;
    }

    static Command Reconstruct(IAnsiConsole console)
    {
        var (cpu, model, dataset, latent, filters, outdir, seed, dataDir) = (Cpu(), Model(), Dataset(), LatentDims(), MaxFilters(), OutDir("reconstructions"), Seed(), DataDir());
        var testData = new Option<bool>("--rec_testdata") { Description = "Reconstruct test split instead of training split" };
        var limit = new Option<int>("--limit") { Description = "Reconstruct only the split's first N images (0: all)", DefaultValueFactory = _ => 0 };
        var images = new Option<int>("--images") { Description = "How many original | reconstruction images to write", DefaultValueFactory = _ => 64 };
        var command = new Command("reconstruct", "Reconstruct a dataset's images with a model, write original | reconstruction images, print the mean loss per image")
        {
            cpu, model, testData, dataset, latent, filters, outdir, limit, images, seed, dataDir,
        };
        command.SetAction(result => ReconstructCommand.Run(new ReconstructCommand.Options(result.GetValue(model)!, result.GetValue(dataset)!,
            result.GetValue(testData), result.GetValue(latent), result.GetValue(filters), result.GetValue(outdir)!, result.GetValue(limit),
            result.GetValue(images), result.GetValue(seed), result.GetValue(dataDir), DeviceFor(result.GetValue(cpu))), console.Profile.Out.Writer));
        return command;
    }

    static Command Generate(IAnsiConsole console)
    {
        var (cpu, model, latent, filters, outdir, seed) = (Cpu(), Model(), LatentDims(), MaxFilters(), OutDir("generated samples"), Seed());
        var samples = Cli.PositiveOption("--nsamples", "Number of samples to generate", 8);
        var channels = new Option<int?>("--nimg_channels") { Description = "Number of image channels (1 for grayscale, 3 for RGB); default: the model file's" };
        var command = new Command("generate", "Decode samples of N(0, I) with a model and write them as PNGs")
        {
            cpu, seed, model, latent, filters, samples, outdir, channels,
        };
        command.SetAction(result => GenerateCommand.Run(new GenerateCommand.Options(result.GetValue(model)!, result.GetValue(latent), result.GetValue(filters),
            result.GetValue(samples), result.GetValue(outdir)!, result.GetValue(channels), result.GetValue(seed), DeviceFor(result.GetValue(cpu))),
            console.Profile.Out.Writer));
        return command;
    }

    static Command Train(IAnsiConsole console, TextWriter error)
    {
        var (cpu, seed, dataset, latent, dataDir) = (Cpu(), Seed(), Dataset(), LatentDims(), DataDir());
        var filters = Cli.PositiveOption("--max_filters", "Maximum number of filters in the convolutional layers", 128);
        var batchSize = Cli.PositiveOption("--batchsize", "Batch size for training", 32);
        var epochs = Cli.PositiveOption("--epochs", "Number of training epochs", 100);
        var lr = new Option<double>("--lr") { Description = "Learning rate", DefaultValueFactory = _ => 3e-4 };
        var limit = new Option<int>("--limit") { Description = "Train on the first N training images and score the first N test images (0: all)", DefaultValueFactory = _ => 0 };
        var echo = Cli.EchoOption();
        var command = new Command("train", "Train seed 004's VAE: runs notebooks/conv-vae.ipynb with these settings and says where the run and its model went")
        {
            cpu, seed, batchSize, filters, epochs, lr, dataset, latent, dataDir, limit, echo,
        };
        command.SetAction((result, _) => TrainCommand.RunAsync(new TrainCommand.Options(result.GetValue(dataset)!, result.GetValue(latent), result.GetValue(filters),
            result.GetValue(batchSize), result.GetValue(epochs), result.GetValue(lr), result.GetValue(seed), result.GetValue(limit), result.GetValue(dataDir),
            DeviceFor(result.GetValue(cpu)).type == DeviceType.CUDA ? "cuda" : "cpu", result.GetValue(echo)), console, error));
        return command;
    }

    /// <summary>As the seed's scripts: the GPU when there is one, unless --cpu.</summary>
    static Device DeviceFor(bool cpu) => !cpu && cuda.is_available() ? CUDA : CPU;
}

/// <summary>`vaelab reconstruct`: seed 004's reconstruct.py, which also prints the loss it leaves out.</summary>
static class ReconstructCommand
{
    public sealed record Options(string Model, string Dataset, bool TestData, int LatentDims, int? MaxFilters, string OutDir, int Limit, int Images,
        long Seed, string? DataDir, Device Device);

    const int BatchSize = 32;

    public static int Run(Options options, TextWriter output)
    {
        if (options.Limit < 0) throw new UsageException($"--limit must be 0 (all) or a number of images, not {options.Limit}");
        if (options.Images < 0) throw new UsageException($"--images must be 0 or more, not {options.Images}");
        using var model = SeedModel.Load(options.Model, options.LatentDims, options.MaxFilters);
        var config = model.config;
        var split = options.TestData ? "test" : "train";
        var data = SeedData.Load(options.Dataset, split, options.Limit, options.DataDir);
        if (data.Channels != config.image_channels)
            throw new UsageException($"{options.Model} takes {config.image_channels}-channel images, and {options.Dataset} has {data.Channels}-channel ones");
        output.WriteLine($"loaded {options.Model}: {config.image_channels}x{config.image_size}x{config.image_size} images, " +
                         $"--latent_dims {config.latent_dim} --max_filters {config.max_filters}; reconstructing {data.Images.Count} {split} images of {options.Dataset} on {options.Device}");

        model.to(options.Device).eval();
        torch.manual_seed(options.Seed);
        // The seed's transforms.Resize((64, 64)), to the model's size, and the training loader unshuffled so that file names follow the dataset.
        var loader = new DataLoader(data.Images, BatchSize, transform: new Resize(config.image_size, config.image_size));
        double squaredError = 0, kl = 0;
        var count = 0;
        var pairs = new List<Image>();
        using (no_grad())
            foreach (var batch in loader)
                using (batch)
                using (NewDisposeScope())
                {
                    var x = batch.Images.to(options.Device);
                    var (mu, log_var) = model.encode(x);
                    var x_hat = model.decode(Gaussian.reparameterize(mu, log_var));
                    squaredError += Losses.mse(x_hat, x, Reduction.Sum).to(float64).item<double>();
                    kl += Losses.gaussian_kl(mu, log_var, Reduction.Sum).to(float64).item<double>();
                    count += (int)x.size(0);
                    var wanted = Math.Min(options.Images - pairs.Count, (int)x.size(0));
                    if (wanted > 0) pairs.AddRange(Image.FromBatch(cat([x, x_hat], 3).narrow(0, 0, wanted)));
                }
        if (count == 0) throw new UsageException($"{options.Dataset} has no {split} images to reconstruct");

        output.WriteLine($"mean loss per image over {count} {split} images: {(squaredError + kl) / count:F4} " +
                         $"(squared error {squaredError / count:F4} + KL {kl / count:F4})");
        if (pairs.Count == 0) return 0;
        var folder = Path.Combine(options.OutDir, $"{options.Dataset}_{split}", $"{config.latent_dim:0000}_latent_dims");
        Directory.CreateDirectory(folder);
        for (var i = 0; i < pairs.Count; i++) pairs[i].WithScale(1).Save(Path.Combine(folder, $"img_{i:00000000}.png"));
        GenerateCommand.SaveGrid(pairs, Path.Combine(folder, "all.png"));
        output.WriteLine($"wrote {pairs.Count} original | reconstruction images and all.png to {folder}");
        return 0;
    }
}

/// <summary>`vaelab generate`: seed 004's generate.py.</summary>
static class GenerateCommand
{
    public sealed record Options(string Model, int LatentDims, int? MaxFilters, int Samples, string OutDir, int? Channels, long Seed, Device Device);

    const int BatchSize = 256, GridColumns = 8;

    public static int Run(Options options, TextWriter output)
    {
        using var model = SeedModel.Load(options.Model, options.LatentDims, options.MaxFilters);
        if (options.Channels is { } channels && channels != model.config.image_channels)
            throw new UsageException($"--nimg_channels {channels}, but {options.Model} makes {model.config.image_channels}-channel images");
        output.WriteLine($"loaded {options.Model}: --latent_dims {model.config.latent_dim} --max_filters {model.config.max_filters}, " +
                         $"{model.config.image_channels}x{model.config.image_size}x{model.config.image_size} images");
        model.to(options.Device).eval();
        torch.manual_seed(options.Seed);
        Directory.CreateDirectory(options.OutDir);
        var samples = new List<Image>();
        using (no_grad())
            for (var done = 0; done < options.Samples; done += BatchSize)
                using (NewDisposeScope())
                    samples.AddRange(Image.FromBatch(model.sample(Math.Min(BatchSize, options.Samples - done))));
        for (var i = 0; i < samples.Count; i++) samples[i].WithScale(1).Save(Path.Combine(options.OutDir, $"img_{i:000000}.png"));
        SaveGrid(samples, Path.Combine(options.OutDir, "all.png"));
        output.WriteLine($"wrote {samples.Count} samples and all.png to {options.OutDir}");
        return 0;
    }

    /// <summary>The images 8 to a row with 2 white pixels around each, as the seed's torchvision.utils.save_image writes all.png.</summary>
    public static void SaveGrid(IEnumerable<Image> images, string path) =>
        new ImageGrid(images, GridColumns).ToImage(padding: 2, border: 255).WithScale(1).Save(path);
}
