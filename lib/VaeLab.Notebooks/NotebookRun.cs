namespace VaeLab.Notebooks;

public enum CellStatus { NotRun, Running, Succeeded, Failed }

public enum RunStatus { Succeeded, Failed }

/// <summary>One cell of a run with what executing it produced. Markdown and raw cells stay <see cref="CellStatus.NotRun"/>.</summary>
public sealed class CellRun
{
    readonly List<CellOutput> outputs = [];

    internal CellRun(NotebookCell cell, int? number)
    {
        Cell = cell;
        Number = number;
    }

    public NotebookCell Cell { get; }
    /// <summary>1-based position in the notebook file; null for the injected parameters cell, which the file does not have.</summary>
    public int? Number { get; }
    public string Label => Number is { } n ? $"cell {n}" : "injected parameters cell";

    public CellStatus Status { get; internal set; }
    public int? ExecutionCount { get; internal set; }
    public DateTimeOffset? Started { get; internal set; }
    public TimeSpan? Duration { get; internal set; }

    public IReadOnlyList<CellOutput> Outputs { get { lock (outputs) return outputs.ToArray(); } }

    internal void Add(CellOutput output) { lock (outputs) outputs.Add(output); }

    internal void Write(string stream, string text)
    {
        lock (outputs)
        {
            if (outputs.LastOrDefault() is not StreamOutput last || last.Name != stream)
                outputs.Add(last = new StreamOutput(stream));
            last.Append(text);
        }
    }
}

/// <summary>A parameter declared in the notebook's parameters cell, with the value this run used (C# source text).</summary>
public sealed record NotebookParameter(string Name, string Type, string DefaultValue, string Value, bool Overridden);

/// <summary>The result of running a notebook: every cell (the injected parameters cell included) with its outputs.</summary>
public sealed class NotebookRun
{
    internal NotebookRun(Notebook notebook, IReadOnlyList<CellRun> cells, IReadOnlyList<NotebookParameter> parameters)
    {
        Notebook = notebook;
        Cells = cells;
        Parameters = parameters;
    }

    public Notebook Notebook { get; }
    public IReadOnlyList<CellRun> Cells { get; }
    public IReadOnlyList<NotebookParameter> Parameters { get; }
    /// <summary>Headline numbers (double) and texts (string) the notebook passed to <c>report</c>, in first-report order;
    /// a name reported again keeps its last value.</summary>
    public IReadOnlyDictionary<string, object> Metrics => metrics;
    internal readonly OrderedDictionary<string, object> metrics = [];

    public RunStatus Status { get; internal set; }
    public bool Succeeded => Status == RunStatus.Succeeded;
    /// <summary>Why the run failed, naming the cell (and line) at fault; null when it succeeded.</summary>
    public string? Error { get; internal set; }
    public DateTimeOffset Started { get; internal set; }
    public TimeSpan Duration { get; internal set; }
}
