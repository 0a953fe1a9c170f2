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

    /// <summary>Why a value this cell showed could not become the notebook's figure; the first such reason.</summary>
    internal string? FigureError { get; private set; }

    internal void Add(CellOutput output) { lock (outputs) outputs.Add(output); }

    /// <summary>Adds the output of a displayed value (or of the trailing expression): its representations as the kernel formatted them.</summary>
    internal DisplayOutput Show(IReadOnlyDictionary<string, string> data, object? value, bool isResult)
    {
        var output = new DisplayOutput(data, isResult);
        Picture(output, value);
        Add(output);
        return output;
    }

    /// <summary>Shows another value in place of an output's.</summary>
    internal void Update(DisplayOutput output, IReadOnlyDictionary<string, string> data, object? value)
    {
        output.Data = data;
        Picture(output, value);
    }

    void Picture(DisplayOutput output, object? value)
    {
        if (!Cell.HasTag(NotebookFigure.Tag)) return;
        try
        {
            output.Figure = NotebookFigure.Of(value, output.Data);
        }
        catch (Exception e)
        {
            // The figure is an extra of the run: a value that cannot be drawn leaves the cell and the run as they are.
            output.Figure = null;
            FigureError ??= $"{Label} (tagged {NotebookFigure.Tag}): its {value!.GetType().Name} could not be drawn: {e.Message}";
        }
    }

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
    internal NotebookRun(NotebookDocument notebook, IReadOnlyList<CellRun> cells, IReadOnlyList<NotebookParameter> parameters)
    {
        Notebook = notebook;
        Cells = cells;
        Parameters = parameters;
    }

    public NotebookDocument Notebook { get; }
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

    /// <summary>The notebook's figure: the first value shown by a code cell tagged <see cref="NotebookFigure.Tag"/> that
    /// renders as SVG or PNG; null when no cell is tagged or none showed such a value (<see cref="FigureProblem"/> says which).</summary>
    public NotebookFigure? Figure => FigureCells.SelectMany(c => c.Outputs).OfType<DisplayOutput>().Select(o => o.Figure).FirstOrDefault(f => f is not null);

    /// <summary>Why a notebook that tags a cell <see cref="NotebookFigure.Tag"/> has no figure; null when it has one or tags no cell.</summary>
    public string? FigureProblem
    {
        get
        {
            var tagged = FigureCells.ToList();
            if (tagged.Count == 0 || Figure is not null) return null;
            var ran = tagged.Where(c => c.Status != CellStatus.NotRun).ToList();
            if (ran.Count == 0) return $"{tagged[0].Label} (tagged {NotebookFigure.Tag}) did not run";
            return ran.Select(c => c.FigureError).FirstOrDefault(e => e is not null)
                ?? $"{string.Join(", ", ran.Select(c => c.Label))} (tagged {NotebookFigure.Tag}) showed nothing that renders as SVG or PNG " +
                   "(an image, an image grid or a stroke drawing does; a Plotly figure or a table does not)";
        }
    }

    IEnumerable<CellRun> FigureCells => Cells.Where(c => c.Cell.Kind == CellKind.Code && c.Cell.HasTag(NotebookFigure.Tag));
}
