using Microsoft.DotNet.Interactive;
using Microsoft.DotNet.Interactive.Events;
using Microsoft.DotNet.Interactive.Formatting;

namespace VaeLab.Notebooks;

/// <summary>
/// Turns the kernel's events into the outputs of the cell that is running, as a notebook front end does: console
/// text as streams, displayed and returned values with the representations the kernel's formatter gave them, and
/// updates of a displayed value in place. Events while no cell runs (a background thread's, a progress callback's)
/// belong to no cell and are dropped.
/// </summary>
sealed class KernelOutputs : IDisposable
{
    readonly IDisposable subscription;
    readonly TextWriter? echo;
    readonly Dictionary<string, (CellRun Cell, DisplayOutput Output)> displayed = [];
    volatile CellRun? cell;

    public KernelOutputs(Kernel kernel, TextWriter? echo)
    {
        this.echo = echo;
        subscription = kernel.KernelEvents.Subscribe(On);
    }

    /// <summary>The cell being executed; outputs produced by code from earlier cells (callbacks, helpers) go there too.</summary>
    public CellRun? Cell { get => cell; set => cell = value; }

    void On(KernelEvent e)
    {
        if (cell is not { } current) return;
        switch (e)
        {
            case StandardOutputValueProduced output:
                Write(current, "stdout", output);
                break;
            case StandardErrorValueProduced output:
                Write(current, "stderr", output);
                break;
            case ReturnValueProduced result:
                current.Show(Data(result), result.Value, isResult: true);
                break;
            case DisplayedValueProduced shown:
                var added = current.Show(Data(shown), shown.Value, isResult: false);
                if (shown.ValueId is { } id) lock (displayed) displayed[id] = (current, added);
                break;
            // An update names the value it replaces; one this run did not show stays unshown, as in VS Code.
            case DisplayedValueUpdated updated:
                (CellRun Cell, DisplayOutput Output) target;
                lock (displayed)
                    if (!displayed.TryGetValue(updated.ValueId, out target)) return;
                target.Cell.Update(target.Output, Data(updated), updated.Value);
                break;
        }
    }

    void Write(CellRun current, string stream, DisplayEvent e)
    {
        var text = string.Concat(e.FormattedValues.Select(v => v.Value));
        current.Write(stream, text);
        echo?.Write(text);
    }

    static Dictionary<string, string> Data(DisplayEvent e) =>
        e.FormattedValues.Where(v => !v.SuppressDisplay).ToDictionary(v => v.MimeType, v => v.Value);

    public void Dispose() => subscription.Dispose();
}
