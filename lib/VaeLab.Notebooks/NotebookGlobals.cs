namespace VaeLab.Notebooks;

/// <summary>A value shown by <c>display</c>; <see cref="Update"/> replaces what its output shows, as the kernel's DisplayedValue does.</summary>
public sealed class DisplayedValue
{
    readonly CellRun cell;
    readonly DisplayOutput output;
    readonly string[] mimeTypes;

    internal DisplayedValue(CellRun cell, DisplayOutput output, string[] mimeTypes)
    {
        this.cell = cell;
        this.output = output;
        this.mimeTypes = mimeTypes;
    }

    public void Update(object? value) => cell.Update(output, value, mimeTypes);
}

/// <summary>
/// What a cell sees as globals: the names and signatures of the .NET Interactive C# kernel's
/// (<c>display</c>, <c>HTML</c>, <c>CSS</c>, <c>Javascript</c>). Headline metrics come from the library's
/// <c>report</c> (see <see cref="LibraryMetrics"/>), so notebooks run unchanged in VS Code.
/// </summary>
public sealed class NotebookGlobals
{
    readonly NotebookRun run;

    internal NotebookGlobals(NotebookRun run) => this.run = run;

    /// <summary>The cell being executed; outputs produced by code from earlier cells (callbacks, helpers) go there too.</summary>
    internal CellRun? Cell { get; set; }

    CellRun Current => Cell ?? throw new InvalidOperationException("display is available while a cell runs");

    public DisplayedValue display(object? value, params string[] mimeTypes)
    {
        var cell = Current;
        return new DisplayedValue(cell, cell.Show(value, mimeTypes, isResult: false), mimeTypes);
    }

    public HtmlString HTML(string content) => new(content);

    public void CSS(string content) => display(new HtmlString($"<style>{content}</style>"));

    public void Javascript(string scriptContent) => display(new HtmlString($"<script type=\"text/javascript\">{scriptContent}</script>"));

    /// <summary>Records a headline number of the run (final loss, accuracy, ...), shown in the report and the .ipynb metadata.</summary>
    internal void Record(string name, double value)
    {
        lock (run.metrics) run.metrics[name] = value;
    }
}
