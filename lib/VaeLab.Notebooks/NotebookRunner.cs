using System.Collections.Immutable;
using System.Diagnostics;
using System.Runtime.InteropServices;
using System.Text;
using System.Text.Json.Nodes;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Scripting;
using Microsoft.CodeAnalysis.Scripting;

namespace VaeLab.Notebooks;

public sealed class NotebookRunOptions
{
    /// <summary>Receives the cells' console output as it is written (the notebook keeps it too), e.g. to show a training log live.</summary>
    public TextWriter? Echo { get; init; }
}

/// <summary>
/// Executes a notebook's C# cells in order with Roslyn scripting, as the Polyglot C# kernel would: state carries from
/// cell to cell, <c>#r</c>/<c>#load</c> resolve against the notebook's folder, console output and displayed values become
/// the cell's outputs, and the first exception or compilation error stops the run.
/// The host's working directory is left alone: a host that wants notebook-relative file access sets it.
/// </summary>
public static class NotebookRunner
{
    public static readonly ImmutableArray<string> DefaultUsings =
        ["System", "System.Text", "System.Collections", "System.Collections.Generic", "System.Threading.Tasks", "System.Linq"];

    // The whole shared framework, as the kernel offers it; created once so Roslyn reads each assembly's metadata once.
    static readonly Lazy<ImmutableArray<MetadataReference>> FrameworkReferences = new(() =>
        [.. Directory.GetFiles(RuntimeEnvironment.GetRuntimeDirectory(), "*.dll").Order()
            .Select(path => (MetadataReference)MetadataReference.CreateFromFile(path))]);

    /// <summary>Runs the notebook at <paramref name="path"/> (.ipynb or .dib).</summary>
    /// <param name="parameters">Overrides of the parameters cell's variables, as text (<c>epochs</c> → <c>"3"</c>).</param>
    /// <param name="progress">Called when a code cell starts (status Running) and when it ends.</param>
    /// <exception cref="NotebookException">The file cannot be read or the parameters do not fit the notebook.</exception>
    public static Task<NotebookRun> RunAsync(string path, IReadOnlyDictionary<string, string>? parameters = null,
        NotebookRunOptions? options = null, Action<CellRun>? progress = null, CancellationToken cancellationToken = default) =>
        RunAsync(Notebook.Load(path), parameters, options, progress, cancellationToken);

    public static async Task<NotebookRun> RunAsync(Notebook notebook, IReadOnlyDictionary<string, string>? parameters = null,
        NotebookRunOptions? options = null, Action<CellRun>? progress = null, CancellationToken cancellationToken = default)
    {
        var run = Prepare(notebook, parameters ?? new Dictionary<string, string>());
        var globals = new NotebookGlobals(run);
        ConsoleCapture.Capture(globals, options?.Echo);
        using var metrics = new LibraryMetrics(globals);
        run.Started = DateTimeOffset.UtcNow;
        var clock = Stopwatch.StartNew();
        try
        {
            var sources = run.Cells.Select(c => c.Cell.Kind == CellKind.Code ? CellSource.Of(c.Cell) : null).ToList();
            var unsupported = run.Cells.Zip(sources).FirstOrDefault(p => p.Second?.Problem is not null);
            if (unsupported is (CellRun offending, { Problem: { } problem } source))
            {
                Fail(run, offending, source.ErrorName!, problem, $"{Capitalize(offending.Label)}{source.Where}: {problem}", []);
                return run;
            }

            var scriptOptions = ScriptOptionsFor(notebook);
            ScriptState<object>? state = null;
            var executionCount = 0;
            for (var i = 0; i < run.Cells.Count; i++)
            {
                if (sources[i] is not { IsMarkdown: false, Code: { } code }) continue;
                var cell = run.Cells[i];
                cell.ExecutionCount = ++executionCount;
                cell.Status = CellStatus.Running;
                cell.Started = DateTimeOffset.UtcNow;
                progress?.Invoke(cell);
                var cellClock = Stopwatch.StartNew();
                var cellPath = Path.Combine(notebook.Directory, $"{notebook.FileName}, {cell.Label}");
                globals.Cell = cell;
                try
                {
                    var cellOptions = scriptOptions.WithFilePath(cellPath);
                    state = state is null
                        ? await CSharpScript.RunAsync(code, cellOptions, globals, typeof(NotebookGlobals), cancellationToken)
                        : await state.ContinueWithAsync(code, cellOptions, cancellationToken);
                    if (state.ReturnValue is { } value and not DisplayedValue)
                        cell.Show(value, [], isResult: true);
                    cell.Status = CellStatus.Succeeded;
                }
                catch (CompilationErrorException e)
                {
                    var errors = e.Diagnostics.Where(d => d.Severity == DiagnosticSeverity.Error).DefaultIfEmpty(e.Diagnostics[0]).ToList();
                    var described = errors.Select(d => Describe(d, cell, cellPath)).ToList();
                    Fail(run, cell, "CompilationError", errors[0].GetMessage(), described[0], described.Skip(1));
                }
                catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
                {
                    throw;
                }
                catch (Exception e)
                {
                    var where = LineOf(e, cellPath) is { } line ? $"{Capitalize(cell.Label)}, line {line}" : Capitalize(cell.Label);
                    // The summary is one line: libtorch's messages go on with its C++ backtrace, which the traceback keeps.
                    var headline = e.Message.Split('\n')[0].TrimEnd('\r');
                    Fail(run, cell, e.GetType().Name, e.Message, $"{where}: {e.GetType().Name}: {headline}", StackTrace(e));
                }
                finally
                {
                    globals.Cell = null;    // so the progress callback's own console output stays out of the notebook
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
        }
    }

    /// <summary>Compiles and runs a trivial cell, paying Roslyn's first-compilation cost (a second or two) up front.</summary>
    public static Task WarmUpAsync() =>
        RunAsync(new Notebook([NotebookCell.Code("var warm = 1;")], Path.Combine(Path.GetTempPath(), "warm-up.ipynb")));

    /// <summary>The variables the notebook's parameters cell declares (none when it has no such cell).</summary>
    public static IReadOnlyList<NotebookParameters.Declaration> Parameters(Notebook notebook) =>
        notebook.Cells.FirstOrDefault(IsParametersCell) is { } cell ? NotebookParameters.Parse(CellSource.Of(cell).Code ?? "") : [];

    static bool IsParametersCell(NotebookCell cell) =>
        cell.Kind == CellKind.Code && cell.HasTag(NotebookParameters.ParametersTag) && !cell.HasTag(NotebookParameters.InjectedTag);

    /// <summary>The cells to execute: the notebook's own, with a cell assigning the overrides right after the parameters cell.</summary>
    static NotebookRun Prepare(Notebook notebook, IReadOnlyDictionary<string, string> overrides)
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

    static ScriptOptions ScriptOptionsFor(Notebook notebook) => ScriptOptions.Default
        .WithReferences(FrameworkReferences.Value)
        .WithImports(DefaultUsings)
        .WithLanguageVersion(LanguageVersion.Latest)
        .WithMetadataResolver(ScriptMetadataResolver.Default.WithBaseDirectory(notebook.Directory))
        .WithSourceResolver(new SourceFileResolver(ImmutableArray<string>.Empty, notebook.Directory))
        .WithOptimizationLevel(OptimizationLevel.Release)
        // Line numbers in stack traces: the runtime reads the in-memory PDB of each submission.
        .WithEmitDebugInformation(true)
        .WithFileEncoding(Encoding.UTF8);

    static void Fail(NotebookRun run, CellRun cell, string name, string value, string summary, IEnumerable<string> details)
    {
        cell.Status = CellStatus.Failed;
        cell.Add(new ErrorOutput(name, value, [summary, .. details]));
        run.Error = summary;
    }

    static string Describe(Diagnostic diagnostic, CellRun cell, string cellPath)
    {
        var span = diagnostic.Location.GetMappedLineSpan();
        var where = !span.IsValid ? Capitalize(cell.Label)
            : span.Path == cellPath ? $"{Capitalize(cell.Label)}, line {span.StartLinePosition.Line + 1}"
            : $"{Capitalize(cell.Label)}, in {span.Path}({span.StartLinePosition.Line + 1},{span.StartLinePosition.Character + 1})";
        return $"{where}: error {diagnostic.Id}: {diagnostic.GetMessage()}";
    }

    /// <summary>The line of the cell where the exception left it, from the frames carrying the cell's file name.</summary>
    static int? LineOf(Exception exception, string cellPath) =>
        new StackTrace(exception, fNeedFileInfo: true).GetFrames()
            .FirstOrDefault(f => f.GetFileName() == cellPath && f.GetFileLineNumber() > 0)?.GetFileLineNumber();

    /// <summary>The exception as .NET prints it, without the scripting engine's own frames below the cell.</summary>
    static IEnumerable<string> StackTrace(Exception exception)
    {
        var lines = exception.ToString().Split('\n').Select(l => l.TrimEnd('\r')).Skip(1).ToList();
        var end = lines.FindIndex(l => l.Contains("Microsoft.CodeAnalysis.Scripting"));
        if (end < 0) return lines;
        if (end > 0 && lines[end - 1].Contains("--- End of stack trace")) end--;
        return lines.Take(end);
    }

    static string Capitalize(string label) => char.ToUpperInvariant(label[0]) + label[1..];

    /// <summary>A code cell's text as submitted to Roslyn, which rejects '#!' lines except a first-line shebang: a
    /// <c>#!csharp</c> line becomes blank (line numbers stay), a <c>#!markdown</c> line at the top makes the cell
    /// markdown, and any other magic command, like a cell of another kernel, is reported rather than run.</summary>
    sealed record CellSource(string? Code, bool IsMarkdown, string? Problem = null, string? ErrorName = null, string Where = "")
    {
        public static CellSource Of(NotebookCell cell)
        {
            var kernel = (cell.Metadata["polyglot_notebook"]?["kernelName"] ?? cell.Metadata["dotnet_interactive"]?["language"])?.GetValue<string>();
            if (kernel == "markdown") return new(null, true);
            if (kernel is not null and not "csharp")
                return new(null, false, $"it is a {kernel} cell (the engine runs C# cells only)", "UnsupportedKernel");

            var lines = cell.Source.Split('\n');
            var atTop = true;
            for (var i = 0; i < lines.Length; i++)
            {
                var line = lines[i].Trim();
                if (line.StartsWith("#!"))
                {
                    var magic = line.Split((char[])[' ', '\t'], 2)[0];
                    if (magic == "#!markdown" && atTop) return new(null, true);
                    if (magic != "#!csharp")
                        return new(null, false, $"the magic command {magic} is not supported (the engine runs C# cells only)",
                            "UnsupportedMagicCommand", $", line {i + 1}");
                    lines[i] = "";
                }
                else if (line.Length > 0) atTop = false;
            }
            return new(string.Join('\n', lines), false);
        }
    }
}
