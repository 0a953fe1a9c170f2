using System.Globalization;


namespace VaeLab.Training;

/// <summary>
/// A trainer's progress as one console line per epoch (a notebook's training log): the mean training losses, the
/// validation losses when there are any, and the epoch's duration, e.g.
/// <c>epoch 3/10  loss 1.234  recon 0.9876 | valid loss 1.301  recon 1.012 | 4.2 s</c>.
/// Lines are written synchronously on the training thread (System.Progress would post them to the thread pool, and a
/// notebook cell could end before they arrive).
/// </summary>
/// <param name="losses">The losses to show, in this order; none shows every loss the step function returns.</param>
public sealed class EpochLog(params string[] losses) : IProgress<TrainingProgress>
{
    /// <summary>Where the lines go; null writes to Console.Out as it is when each epoch ends (a notebook cell's output).</summary>
    public TextWriter? Writer { get; init; }

    /// <summary>Text before each line, such as the name of the run when several train side by side.</summary>
    public string Prefix { get; init; } = "";

    /// <summary>Run after each line, e.g. to keep snapshots of the model's outputs as training goes.</summary>
    public Action<EpochRecord>? Then { get; init; }

    public void Report(TrainingProgress value)
    {
        if (value is not { kind: ProgressKind.Epoch, epoch_record: { } epoch }) return;
        var line = $"{Prefix}epoch {epoch.epoch + 1}/{value.epochs}  {Losses(epoch.train)}";
        if (epoch.validation is { Count: > 0 } validation) line += $" | valid {Losses(validation)}";
        (Writer ?? Console.Out).WriteLine($"{line} | {epoch.seconds.ToString("0.0", CultureInfo.InvariantCulture)} s");
        Then?.Invoke(epoch);
    }

    string Losses(IReadOnlyDictionary<string, double> values) =>
        string.Join("  ", (losses.Length == 0 ? values.Keys : losses.Where(values.ContainsKey)).Select(name => $"{name} {Display.NumberFormat.General(values[name], 4)}"));
}
