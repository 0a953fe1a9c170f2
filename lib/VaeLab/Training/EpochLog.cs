using System.Globalization;

namespace VaeLab.Training;

/// <summary>
/// Prints one line per finished epoch, e.g. <c>epoch 2/10: train loss 31.2 mse 25.1 kl 6.1 | validation loss 30.9 ... (4.2 s)</c>,
/// synchronously on the training thread (System.Progress would post to the thread pool, and a notebook cell could
/// end before its lines arrive). The writer is looked up at each report, so a notebook engine that redirects the
/// console per cell gets the lines in the cell that trains.
/// </summary>
/// <param name="keys">The losses to print, in order; by default all of them.</param>
/// <param name="prefix">Text before each line, such as the name of the run.</param>
/// <param name="then">Run after each line, e.g. to keep snapshots of the model's outputs as training goes.</param>
public sealed class EpochLog(IReadOnlyList<string>? keys = null, string prefix = "", TextWriter? writer = null, Action<EpochRecord>? then = null)
    : IProgress<TrainingProgress>
{
    public void Report(TrainingProgress value)
    {
        if (value.kind != ProgressKind.Epoch || value.epoch_record is not { } epoch) return;
        var line = $"{prefix}epoch {epoch.epoch + 1}/{value.epochs}: train {Values(epoch.train)}";
        if (epoch.validation is { } validation) line += $" | validation {Values(validation)}";
        (writer ?? Console.Out).WriteLine(line + $" ({epoch.seconds.ToString("0.0", CultureInfo.InvariantCulture)} s)");
        then?.Invoke(epoch);
    }

    string Values(IReadOnlyDictionary<string, double> losses) =>
        string.Join(" ", (keys ?? [.. losses.Keys]).Where(losses.ContainsKey).Select(k => $"{k} {losses[k].ToString("G4", CultureInfo.InvariantCulture)}"));
}
