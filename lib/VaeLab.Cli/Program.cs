using System.CommandLine;
using System.Globalization;
using VaeLab.Cli;

// The `vaelab` command line. Exit codes: 0 done, 1 a missing or unreadable data file, 2 bad usage.
CultureInfo.CurrentCulture = CultureInfo.InvariantCulture; // numbers print the same everywhere
var steps = PositiveOption("--steps", "Training steps", 500);
var batchSize = PositiveOption("--batch-size", "Images per training step", 64);
var latent = PositiveOption("--latent", "Size of the latent code", 16);
var seed = new Option<long>("--seed") { Description = "Random seed (torch.manual_seed)", DefaultValueFactory = _ => 0 };
var data = new Option<string>("--data")
{
    Description = "Folder holding Fashion-MNIST's IDX files (gzipped or not)",
    DefaultValueFactory = _ => FashionMnist.DefaultFolder,
};

var demo = new Command("demo", "Train a small convolutional VAE on Fashion-MNIST for about a minute and report its held-out reconstruction error")
{
    steps, batchSize, latent, seed, data,
};
demo.SetAction(result =>
{
    try
    {
        Demo.Run(new Demo.Options(result.GetValue(steps), result.GetValue(batchSize), result.GetValue(latent), result.GetValue(seed),
            result.GetValue(data)!));
        return 0;
    }
    catch (Exception e) when (e is FileNotFoundException or InvalidDataException or ArgumentException)
    {
        Console.Error.WriteLine($"vaelab demo: {e.Message}");
        return e is ArgumentException ? 2 : 1;
    }
});

var root = new RootCommand("VaeLab: variational autoencoders on libtorch from C#") { demo };
root.Subcommands.Add(DataCommands.Create(Spectre.Console.AnsiConsole.Console, Console.Error));
var parsed = root.Parse(args);
return parsed.Errors.Count > 0 ? Usage(parsed) : parsed.Invoke();

static Option<int> PositiveOption(string name, string description, int defaultValue) => new(name)
{
    Description = description,
    DefaultValueFactory = _ => defaultValue,
    CustomParser = result =>
    {
        var text = string.Join(' ', result.Tokens.Select(t => t.Value));
        if (int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var value) && value > 0) return value;
        result.AddError($"{name} must be a positive integer, not '{text}'");
        return defaultValue;
    },
};

static int Usage(ParseResult parsed)
{
    foreach (var error in parsed.Errors) Console.Error.WriteLine(error.Message);
    Console.Error.WriteLine("see: vaelab demo --help");
    return 2;
}
