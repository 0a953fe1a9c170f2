using Spectre.Console;
using VaeLab.Cli;

return await Cli.InvokeAsync(args, AnsiConsole.Console, Console.Error);
