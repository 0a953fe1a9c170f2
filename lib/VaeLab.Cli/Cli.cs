using System.CommandLine;
using System.CommandLine.Parsing;
using System.Globalization;
using Spectre.Console;
using VaeLab.Cli.Serve;
using VaeLab.Data;
using VaeLab.Notebooks;

namespace VaeLab.Cli;

/// <summary>
/// The `vaelab` command line: demo, run, reproduce, data, runs, serve, and seed 004's train, reconstruct and generate. Exit codes: 0 done, 1 a failed notebook, download or data
/// file (or anything else that went wrong), 2 bad usage. A failure is one line naming the command and what is wrong,
/// never a stack trace unless --verbose asks for it. Output goes to the given console, so tests run it in-process.
/// </summary>
static class Cli
{
    public static async Task<int> InvokeAsync(string[] args, IAnsiConsole console, TextWriter error)
    {
        CultureInfo.CurrentCulture = CultureInfo.InvariantCulture; // numbers print the same everywhere
        var verbose = new Option<bool>("--verbose") { Description = "On failure, print the whole error and where it arose", Recursive = true };
        var root = new RootCommand("VaeLab: variational autoencoders on libtorch from C#")
        {
            DemoCommand(console, error),
            Run(console, error),
            Reproduce(console, error),
            DataCommands.Create(console, error),
            RunsCommands.Create(console),
            ServePage(console),
            verbose,
        };
        foreach (var seedCommand in SeedCommands.Create(console, error)) root.Add(seedCommand);
        root.HelpName = "vaelab";
        var parsed = root.Parse(args);
        var command = CommandLine(parsed.CommandResult);
        if (parsed.Errors.Count > 0)
        {
            foreach (var e in parsed.Errors) error.WriteLine(e.Message);
            error.WriteLine($"see: {command} --help");
            return 2;
        }
        try
        {
            // No termination timeout: Ctrl+C goes to the code that handles it (the trainer finishes its step and stops).
            return await parsed.InvokeAsync(new InvocationConfiguration
            {
                Output = console.Profile.Out.Writer, Error = error, ProcessTerminationTimeout = null, EnableDefaultExceptionHandler = false,
            });
        }
        catch (Exception e)
        {
            error.WriteLine(parsed.GetValue(verbose) ? $"{command}: {e}" : $"{command}: {OneLine(e)}");
            return e is UsageException or NotebookException or ArgumentException ? 2 : 1;
        }
    }

    /// <summary>"vaelab data get": the command as typed, for messages.</summary>
    static string CommandLine(CommandResult result) =>
        result.Parent is CommandResult parent ? $"{CommandLine(parent)} {result.Command.Name}" : "vaelab";

    /// <summary>What went wrong, in a line: the message of the errors users cause, the type too for those that are bugs.</summary>
    static string OneLine(Exception e)
    {
        var expected = e is UsageException or NotebookException or ArgumentException or DataFormatException or IOException
            or UnauthorizedAccessException or InvalidDataException or DownloadException or OperationCanceledException;
        var message = (e is ArgumentException argument ? Reason(argument) : e.Message).ReplaceLineEndings(" ");
        return expected ? message : $"unexpected {e.GetType().Name}: {message} (--verbose shows where)";
    }

    /// <summary>An ArgumentException's message without the " (Parameter 'x')" it appends: a library's parameter means nothing on a command line.</summary>
    internal static string Reason(ArgumentException e) => e.ParamName is null ? e.Message : e.Message.Replace($" (Parameter '{e.ParamName}')", "");

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
        command.SetAction((result, _) => RunCommand.RunAsync(new RunCommand.Options(result.GetValue(notebook)!,
            result.GetValue(parameters) ?? [], result.GetValue(preset), result.GetValue(html), result.GetValue(ipynb), result.GetValue(echo)), console, error));
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
        command.SetAction((result, _) => ReproduceCommand.RunAsync(
            new ReproduceCommand.Options(result.GetValue(notebooks) ?? [], result.GetValue(root), result.GetValue(echo)), console, error));
        return command;
    }

    static Command ServePage(IAnsiConsole console)
    {
        var port = new Option<int>("--port") { Description = "Port to listen on (0: any free one)", DefaultValueFactory = _ => ServeCommand.DefaultPort };
        var host = new Option<string>("--host") { Description = "Address to bind: 127.0.0.1 keeps the page on this machine", DefaultValueFactory = _ => "127.0.0.1" };
        var experiments = new Option<string?>("--experiments")
        {
            Description = "Folder of the runs (default: $VAELAB_EXPERIMENTS, else the nearest experiments/ at or above the current folder)",
        };
        var command = new Command("serve", "Open a drawing page where the trained models of your runs complete, classify and draw sketches")
        {
            port, host, experiments,
        };
        command.SetAction((result, cancellation) => ServeCommand.RunAsync(
            new ServeCommand.Options(result.GetValue(host)!, result.GetValue(port), result.GetValue(experiments)), console.Profile.Out.Writer, cancellation));
        return command;
    }

    internal static Option<bool> EchoOption() => new("--echo") { Description = "Print the cells' console output as they write it" };

    /// <summary>A positive integer option; without a default value it is required.</summary>
    internal static Option<int> PositiveOption(string name, string description, int? defaultValue)
    {
        var option = new Option<int>(name)
        {
            Description = description,
            Required = defaultValue is null,
            CustomParser = result =>
            {
                var text = string.Join(' ', result.Tokens.Select(t => t.Value));
                if (int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var value) && value > 0) return value;
                result.AddError($"{name} must be a positive integer, not '{text}'");
                return 0;
            },
        };
        if (defaultValue is { } value) option.DefaultValueFactory = _ => value;
        return option;
    }
}
