using System.CommandLine;
using System.Globalization;
using Spectre.Console;
using VaeLab.Data;
using VaeLab.Notebooks;

namespace VaeLab.Cli;

/// <summary>
/// The `vaelab` command line: demo, run and reproduce. Exit codes: 0 done, 1 a failed notebook (or a missing or
/// damaged data file for the demo), 2 bad usage. Output goes to the given console, so tests run it in-process.
/// </summary>
static class Cli
{
    public static Task<int> InvokeAsync(string[] args, IAnsiConsole console, TextWriter error)
    {
        CultureInfo.CurrentCulture = CultureInfo.InvariantCulture; // numbers print the same everywhere
        var root = new RootCommand("VaeLab: variational autoencoders on libtorch from C#")
        {
            DemoCommand(console, error),
            Run(console, error),
            Reproduce(console, error),
            DataCommands.Create(console, error),
        };
        root.HelpName = "vaelab";
        var parsed = root.Parse(args);
        if (parsed.Errors.Count > 0)
        {
            foreach (var e in parsed.Errors) error.WriteLine(e.Message);
            error.WriteLine($"see: vaelab {parsed.CommandResult.Command.Name} --help");
            return Task.FromResult(2);
        }
        // No termination timeout: Ctrl+C goes to the code that handles it (the trainer finishes its step and stops).
        return parsed.InvokeAsync(new InvocationConfiguration { Output = console.Profile.Out.Writer, Error = error, ProcessTerminationTimeout = null });
    }

    static Command DemoCommand(IAnsiConsole console, TextWriter error)
    {
        var steps = PositiveOption("--steps", "Training steps", 500);
        var batchSize = PositiveOption("--batch-size", "Images per training step", 64);
        var latent = PositiveOption("--latent", "Size of the latent code", 16);
        var seed = new Option<long>("--seed") { Description = "Random seed (torch.manual_seed)", DefaultValueFactory = _ => 0 };
        var data = new Option<string>("--data")
        {
            Description = "Folder holding Fashion-MNIST's IDX files (gzipped or not)",
            DefaultValueFactory = _ => Data.Images.FashionMnist.DefaultDirectory,
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
                    result.GetValue(data)!), console.Profile.Out.Writer);
                return 0;
            }
            catch (Exception e) when (e is FileNotFoundException or DataFormatException or ArgumentException)
            {
                error.WriteLine($"vaelab demo: {e.Message}");
                return e is ArgumentException ? 2 : 1;
            }
        });
        return demo;
    }

    static Command Run(IAnsiConsole console, TextWriter error)
    {
        var notebook = new Argument<string>("notebook") { Description = "The notebook to run (.ipynb or .dib)" };
        var parameters = new Option<string[]>("--parameter", "-p")
        {
            Description = "Set a parameter of the notebook's parameters cell: -p name=value (repeatable; wins over --preset)",
            Arity = ArgumentArity.ZeroOrMore,
        };
        var preset = new Option<string?>("--preset") { Description = "Take parameter values from experiments/<notebook>/<NAME>.json" };
        var html = new Option<string?>("--html")
        {
            Description = "Where to write the HTML report (default: analysis/<notebook>.html, the figure to analysis/figures/); " +
                          "a figure goes beside it as <name>.figure.svg or .png; outside analysis/ the report inlines plotly.js",
        };
        var ipynb = new Option<string?>("--ipynb") { Description = "Where to write the executed notebook (default: analysis/<notebook>.ipynb)" };
        var echo = EchoOption();
        var command = new Command("run", "Run a notebook headless and write its executed .ipynb and HTML report")
        {
            notebook, parameters, preset, html, ipynb, echo,
        };
        command.SetAction((result, _) => Guarded("run", error, () => RunCommand.RunAsync(new RunCommand.Options(result.GetValue(notebook)!,
            result.GetValue(parameters) ?? [], result.GetValue(preset), result.GetValue(html), result.GetValue(ipynb), result.GetValue(echo)), console, error)));
        return command;
    }

    static Command Reproduce(IAnsiConsole console, TextWriter error)
    {
        var notebooks = new Argument<string[]>("notebooks")
        {
            Description = "Notebooks of notebooks/ to run, by name (default: all of them)",
            Arity = ArgumentArity.ZeroOrMore,
        };
        var root = new Option<string?>("--root") { Description = "The repository root (default: the folder holding Polyglot.sln above the current one)" };
        var echo = EchoOption();
        var command = new Command("reproduce", "Run the notebooks with their defaults and write analysis/: a report per notebook and index.html")
        {
            notebooks, root, echo,
        };
        command.SetAction((result, _) => Guarded("reproduce", error, () => ReproduceCommand.RunAsync(
            new ReproduceCommand.Options(result.GetValue(notebooks) ?? [], result.GetValue(root), result.GetValue(echo)), console, error)));
        return command;
    }

    static Option<bool> EchoOption() => new("--echo") { Description = "Print the cells' console output as they write it" };

    /// <summary>Runs a command, turning a request that cannot be carried out into its message and exit code 2.</summary>
    static async Task<int> Guarded(string command, TextWriter error, Func<Task<int>> action)
    {
        try
        {
            return await action();
        }
        catch (Exception e) when (e is UsageException or NotebookException)
        {
            error.WriteLine($"vaelab {command}: {e.Message}");
            return 2;
        }
    }

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
}
