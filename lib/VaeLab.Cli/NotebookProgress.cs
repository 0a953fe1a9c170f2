using System.Diagnostics;
using System.Globalization;
using System.Text;
using Spectre.Console;
using VaeLab.Notebooks;

namespace VaeLab.Cli;

/// <summary>
/// Runs a notebook with the engine and shows its progress: a line per finished cell, and on a terminal a live status of the running cell (its
/// number, first line of code, elapsed time and latest console line). With <c>echo</c> the cells' console
/// output is printed as it is written.
/// </summary>
sealed class NotebookProgress(IAnsiConsole console, bool echo)
{
    public async Task<NotebookRun> RunAsync(NotebookDocument notebook, IReadOnlyDictionary<string, string> parameters)
    {
        var total = notebook.Cells.Count(c => c.Kind == CellKind.Code && !c.HasTag(NotebookParameters.InjectedTag)) + (parameters.Count > 0 ? 1 : 0);
        var echoWriter = echo ? new LineWriter(console) : null;
        CellRun? running = null;
        var clock = new Stopwatch();
        void Progress(CellRun cell)
        {
            if (cell.Status == CellStatus.Running)
            {
                running = cell;
                clock.Restart();
                return;
            }
            running = null;
            echoWriter?.EndLine();
            var status = cell.Status == CellStatus.Succeeded ? "[green]ok[/]    " : "[red]failed[/]";
            var line = $"{cell.ExecutionCount}/{total}  {Name(cell)}  {Duration(cell.Duration)}  ";
            var code = Shorten(FirstLine(cell.Cell), Math.Max(20, console.Profile.Width - line.Length - 8));
            console.MarkupLine($"{status} {Markup.Escape(line)}[grey]{Markup.Escape(code)}[/]");
        }

        var options = new NotebookRunOptions { Echo = echoWriter };
        // The engine runs cells on the calling thread until one awaits, so it gets a thread of its own while the status refreshes.
        Task<NotebookRun> Start() => Task.Run(() => NotebookRunner.RunAsync(notebook, parameters, options, Progress));
        if (!console.Profile.Capabilities.Interactive || !console.Profile.Capabilities.Ansi) return await Start();
        return await console.Status().StartAsync($"starting {Markup.Escape(notebook.FileName)}", async context =>
        {
            var run = Start();
            while (!run.IsCompleted)
            {
                if (running is { } cell)
                {
                    // One line: the code takes up to half of what the spinner and the numbers leave, the cell's latest output the rest.
                    var head = $"{cell.ExecutionCount}/{total}  {Name(cell)}  {Duration(clock.Elapsed)}  ";
                    var room = console.Profile.Width - head.Length - 6;
                    var code = Shorten(FirstLine(cell.Cell), Math.Max(20, room / 2));
                    var output = Shorten(LastOutputLine(cell), Math.Max(10, room - code.Length - 2));
                    context.Status($"{Markup.Escape(head)}[grey]{Markup.Escape(code)}[/]  {Markup.Escape(output)}");
                }
                await Task.WhenAny(run, Task.Delay(200));
            }
            return await run;
        });
    }

    /// <summary>The code cells of the run with their status and duration.</summary>
    public static Table CellTable(NotebookRun run, int width)
    {
        var rows = run.Cells.Where(c => c.Cell.Kind == CellKind.Code).Select(cell => new[]
        {
            cell.ExecutionCount?.ToString(CultureInfo.InvariantCulture) ?? "",
            Name(cell),
            cell.Status switch { CellStatus.Succeeded => "ok", CellStatus.Failed => "failed", _ => "not run" },
            Duration(cell.Duration),
            FirstLine(cell.Cell),
        }).ToList();
        string[] headers = ["#", "cell", "status", "time", "code"];
        // The code gets what the other columns (each padded by a space on both sides, with a separator) leave of the
        // console's width, so that every cell keeps to one row.
        var others = Enumerable.Range(0, 4).Sum(i => rows.Select(r => r[i].Length).Append(headers[i].Length).Max() + 3);
        var codeWidth = Math.Max(20, width - others - 4);
        var table = new Table().Border(TableBorder.Simple)
            .AddColumns(headers[0], headers[1], headers[2]).AddColumn(new TableColumn(headers[3]).RightAligned()).AddColumn(headers[4]);
        foreach (var row in rows)
        {
            var colour = row[2] switch { "ok" => "green", "failed" => "red", _ => "grey" };
            table.AddRow(row[0], Markup.Escape(row[1]), $"[{colour}]{row[2]}[/]", row[3], Markup.Escape(Shorten(row[4], codeWidth)));
        }
        return table;
    }

    /// <summary>The cell's label, short for the cell the engine injects (it has no number in the file).</summary>
    static string Name(CellRun cell) => cell.Number is null ? "injected" : cell.Label;

    /// <summary>The first line of code of a cell (not blank, not a comment, not a #! line), else its first non-blank line.</summary>
    public static string FirstLine(NotebookCell cell)
    {
        var lines = cell.Source.Split('\n').Select(l => l.Trim()).Where(l => l.Length > 0).ToList();
        return lines.FirstOrDefault(l => !l.StartsWith("//") && !l.StartsWith("#!")) ?? lines.FirstOrDefault() ?? "";
    }

    public static string Duration(TimeSpan? duration) => duration switch
    {
        null => "",
        { TotalSeconds: < 60 } d => d.TotalSeconds.ToString("0.00", CultureInfo.InvariantCulture) + " s",
        { TotalHours: < 1 } d => $"{(int)d.TotalMinutes} min {d.Seconds:00} s",
        { } d => $"{(int)d.TotalHours} h {d.Minutes:00} min",
    };

    static string Shorten(string text, int length) => text.Length <= length ? text : text[..(length - 1)] + "…";

    static string LastOutputLine(CellRun cell) =>
        cell.Outputs.OfType<StreamOutput>().LastOrDefault()?.Text.TrimEnd().Split('\n')[^1].Trim() ?? "";

    /// <summary>Cell output handed to the console a line at a time, so that it lands above a live status instead of inside it;
    /// a carriage return starts the line again, as a progress bar redraws itself.</summary>
    sealed class LineWriter(IAnsiConsole console) : TextWriter
    {
        readonly StringBuilder line = new();
        bool carriageReturn;

        public override Encoding Encoding => Encoding.UTF8;

        public override void Write(char value)
        {
            lock (line)
            {
                if (value == '\n')
                {
                    console.WriteLine(line.ToString());
                    line.Clear();
                }
                else
                {
                    if (carriageReturn) line.Clear();
                    if (value != '\r') line.Append(value);
                }
                carriageReturn = value == '\r';
            }
        }

        /// <summary>Prints what is left of the last line, when the cell that wrote it has ended.</summary>
        public void EndLine()
        {
            lock (line)
            {
                if (line.Length > 0) console.WriteLine(line.ToString());
                line.Clear();
                carriageReturn = false;
            }
        }
    }
}
