using System.Diagnostics;
using System.Text.Json.Nodes;
using Microsoft.DotNet.Interactive.Events;

namespace VaeLab.Notebooks;

public sealed class NotebookRunOptions
{
    /// <summary>Receives the cells' console output as it is written (the notebook keeps it too), e.g. to show a training log live.</summary>
    public TextWriter? Echo { get; init; }
}

/// <summary>
/// Executes a notebook's C# cells in order on .NET Interactive's C# kernel, in process, as VS Code and Jupyter run them:
/// state carries from cell to cell, magic commands work, console output and displayed values become the cell's outputs
/// as the kernel formats them, and the first failure stops the run.
/// While a run goes on, the working directory is the notebook's folder, as the kernel has it in VS Code: relative
/// #r, #load and file paths resolve against it. Since that is process-wide, runs in one process take turns.
/// </summary>
public static class NotebookRunner
{
    static readonly SemaphoreSlim OneRun = new(1, 1);

    /// <summary>Runs the notebook at <paramref name="path"/> (.ipynb or .dib).</summary>
    /// <param name="parameters">Overrides of the parameters cell's variables, as text (<c>epochs</c> → <c>"3"</c>).</param>
    /// <param name="progress">Called when a code cell starts (status Running) and when it ends.</param>
    /// <param name="cancellationToken">Cancels the running cell as the kernel's Cancel command does: the run ends at once
    /// with an <see cref="OperationCanceledException"/>, and the cell's code sees
    /// <c>KernelInvocationContext.Current.CancellationToken</c> cancelled. Code that watches that token stops; other
    /// code runs on in the background until it ends by itself, and meanwhile the kernel's console redirection drops
    /// what the rest of the process writes to the console.</param>
    /// <exception cref="NotebookException">The file cannot be read or the parameters do not fit the notebook.</exception>
    public static Task<NotebookRun> RunAsync(string path, IReadOnlyDictionary<string, string>? parameters = null,
        NotebookRunOptions? options = null, Action<CellRun>? progress = null, CancellationToken cancellationToken = default) =>
        RunAsync(NotebookDocument.Load(path), parameters, options, progress, cancellationToken);

    public static async Task<NotebookRun> RunAsync(NotebookDocument notebook, IReadOnlyDictionary<string, string>? parameters = null,
        NotebookRunOptions? options = null, Action<CellRun>? progress = null, CancellationToken cancellationToken = default)
    {
        var run = Prepare(notebook, parameters ?? new Dictionary<string, string>());
        await OneRun.WaitAsync(cancellationToken);
        run.Started = DateTimeOffset.UtcNow;
        var clock = Stopwatch.StartNew();
        var folder = Environment.CurrentDirectory;
        try
        {
            if (run.Cells.FirstOrDefault(c => c.Cell.Kind == CellKind.Code && OtherKernel(c.Cell) is not null) is { } foreign)
            {
                var problem = $"it is a {OtherKernel(foreign.Cell)} cell (the engine has a C# kernel only)";
                Fail(run, foreign, "UnsupportedKernel", problem, $"{Capitalize(foreign.Label)}: {problem}", []);
                return run;
            }

            Environment.CurrentDirectory = notebook.Directory;
            using var kernel = new NotebookKernel();
            using var outputs = new KernelOutputs(kernel.Root, options?.Echo);
            using var metrics = new LibraryMetrics(kernel.Root, run);
            var executionCount = 0;
            foreach (var cell in run.Cells.Where(c => c.Cell.Kind == CellKind.Code && !IsMarkdown(c.Cell)))
            {
                cell.ExecutionCount = ++executionCount;
                cell.Status = CellStatus.Running;
                cell.Started = DateTimeOffset.UtcNow;
                progress?.Invoke(cell);
                var cellClock = Stopwatch.StartNew();
                outputs.Cell = cell;
                try
                {
                    var result = await kernel.SubmitAsync(cell.Cell.Source, cancellationToken);
                    cancellationToken.ThrowIfCancellationRequested();
                    if (result.Events.OfType<CommandFailed>().FirstOrDefault() is { } failure) Fail(run, cell, failure, result.Events, kernel);
                    else cell.Status = CellStatus.Succeeded;
                }
                finally
                {
                    outputs.Cell = null;    // so the progress callback's own console output stays out of the notebook
                    cell.Duration = cellClock.Elapsed;
                    progress?.Invoke(cell);
                }
                if (cell.Status == CellStatus.Failed) break;
            }
            if (run.Error is null) run.Status = RunStatus.Succeeded;
            return run;
        }
        finally
        {
            run.Duration = clock.Elapsed;
            Environment.CurrentDirectory = folder;
            OneRun.Release();
        }
    }

    /// <summary>Runs two trivial cells, paying the kernel's start-up (a few seconds) up front.</summary>
    public static Task WarmUpAsync() =>
        RunAsync(new NotebookDocument([NotebookCell.Code("var warm = 1;"), NotebookCell.Code("warm + 1")], Path.Combine(Path.GetTempPath(), "warm-up.ipynb")));

    /// <summary>The variables the notebook's parameters cell declares (none when it has no such cell).</summary>
    public static IReadOnlyList<NotebookParameters.Declaration> Parameters(NotebookDocument notebook) =>
        notebook.Cells.FirstOrDefault(IsParametersCell) is { } cell ? NotebookParameters.Parse(cell.Source) : [];

    static bool IsParametersCell(NotebookCell cell) =>
        cell.Kind == CellKind.Code && cell.HasTag(NotebookParameters.ParametersTag) && !cell.HasTag(NotebookParameters.InjectedTag);

    /// <summary>The cells to execute: the notebook's own, with a cell assigning the overrides right after the parameters cell.</summary>
    static NotebookRun Prepare(NotebookDocument notebook, IReadOnlyDictionary<string, string> overrides)
    {
        // A notebook written by an earlier run carries its injected cell; this run's overrides replace it, as in papermill.
        var cells = notebook.Cells.Select((cell, i) => new CellRun(cell, i + 1))
            .Where(c => !c.Cell.HasTag(NotebookParameters.InjectedTag)).ToList();
        var parametersAt = cells.FindIndex(c => IsParametersCell(c.Cell));
        var declarations = Parameters(notebook);

        var literals = new Dictionary<string, string>();
        if (overrides.Count > 0)
        {
            if (parametersAt < 0)
                throw new NotebookException($"{notebook.Path}: the notebook has no cell tagged '{NotebookParameters.ParametersTag}', " +
                                            $"so it takes no parameters (given: {string.Join(", ", overrides.Keys)})");
            try
            {
                foreach (var (name, value) in overrides) literals[name] = NotebookParameters.Literal(declarations, name, value);
            }
            catch (NotebookException e) { throw new NotebookException($"{notebook.Path}: {e.Message}"); }

            var ids = notebook.Cells.Select(c => c.Id).ToHashSet();
            var id = NotebookParameters.InjectedTag;
            for (var n = 2; ids.Contains(id); n++) id = $"{NotebookParameters.InjectedTag}-{n}";
            var injected = new NotebookCell(CellKind.Code, NotebookParameters.InjectedSource(literals), id,
                new JsonObject { ["tags"] = new JsonArray(NotebookParameters.InjectedTag) });
            cells.Insert(parametersAt + 1, new CellRun(injected, null));
        }

        var parameters = declarations.Select(d => literals.TryGetValue(d.Name, out var literal)
            ? new NotebookParameter(d.Name, d.TypeText, d.DefaultValue, literal, true)
            : new NotebookParameter(d.Name, d.TypeText, d.DefaultValue, d.DefaultValue, false)).ToList();
        return new NotebookRun(notebook, cells, parameters) { Status = RunStatus.Failed };
    }

    /// <summary>A code cell of the markdown kernel: one whose metadata names it, or whose first line is #!markdown.</summary>
    static bool IsMarkdown(NotebookCell cell) =>
        KernelName(cell) == "markdown" || cell.Source.TrimStart().StartsWith("#!markdown", StringComparison.Ordinal);

    /// <summary>The kernel a code cell's metadata names when it is neither C# nor markdown; null otherwise.</summary>
    static string? OtherKernel(NotebookCell cell) => KernelName(cell) is { } name and not ("csharp" or "markdown") ? name : null;

    static string? KernelName(NotebookCell cell) =>
        (cell.Metadata["polyglot_notebook"]?["kernelName"] ?? cell.Metadata["dotnet_interactive"]?["language"])?.GetValue<string>();

    static void Fail(NotebookRun run, CellRun cell, string name, string value, string summary, IEnumerable<string> details)
    {
        cell.Status = CellStatus.Failed;
        cell.Add(new ErrorOutput(name, value, [summary, .. details]));
        run.Error = summary;
    }

    /// <summary>Records why the kernel failed the cell: its compilation errors (or a magic command it does not know), the
    /// exception the code threw, or the kernel's own message.</summary>
    static void Fail(NotebookRun run, CellRun cell, CommandFailed failure, IEnumerable<KernelEvent> events, NotebookKernel kernel)
    {
        var label = Capitalize(cell.Label);
        var errors = events.OfType<DiagnosticsProduced>().SelectMany(d => d.Diagnostics)
            .Where(d => d.Severity == Microsoft.CodeAnalysis.DiagnosticSeverity.Error).ToList();
        if (errors.Count > 0)
        {
            var described = errors.Select(d => $"{label}, line {d.LinePositionSpan.Start.Line + 1}: error {d.Code}: {d.Message}").ToList();
            Fail(run, cell, "CompilationError", errors[0].Message, described[0], described.Skip(1));
        }
        else if (failure.Exception is { } e)
        {
            var where = kernel.LineOf(e, cell.Cell.Source) is { } line ? $"{label}, line {line}" : label;
            // The summary is one line: libtorch's messages go on with its C++ backtrace, which the traceback keeps.
            var headline = e.Message.Split('\n')[0].TrimEnd('\r');
            Fail(run, cell, e.GetType().Name, e.Message, $"{where}: {e.GetType().Name}: {headline}", StackTrace(e));
        }
        else Fail(run, cell, "KernelError", failure.Message, $"{label}: {failure.Message}", []);
    }

    /// <summary>The exception as .NET prints it, without the scripting engine's and kernel's own frames below the cell.</summary>
    static IEnumerable<string> StackTrace(Exception exception)
    {
        var lines = exception.ToString().Split('\n').Select(l => l.TrimEnd('\r')).Skip(1).ToList();
        var end = lines.FindIndex(l => l.Contains("Microsoft.CodeAnalysis.Scripting"));
        if (end < 0) return lines;
        if (end > 0 && lines[end - 1].Contains("--- End of stack trace")) end--;
        return lines.Take(end);
    }

    static string Capitalize(string label) => char.ToUpperInvariant(label[0]) + label[1..];
}
