using VaeLab.Training;

namespace VaeLab.Display;

/// <summary>Loss curves of <see cref="Trainer{TBatch}"/> runs as Plotly figures: <c>TrainingCurves.Of(history, "loss")</c>.</summary>
public static class TrainingCurves
{
    /// <summary>A figure of one loss over the optimizer steps of a run (see <see cref="Add"/>).</summary>
    public static Figure Of(TrainingHistory history, string key = "loss", string? title = null, string? ylabel = null) =>
        new Figure(title ?? key, "step", ylabel ?? key).Add(history, key);

    /// <summary>
    /// Adds a run's curves for one loss: its value at every step, and its validation mean (markers) at the step that
    /// ended each epoch (when the run validated). With a <paramref name="name"/>, several runs share one figure.
    /// </summary>
    public static Figure Add(this Figure figure, TrainingHistory history, string key = "loss", string? name = null)
    {
        var label = name is null ? "" : name + " ";
        var steps = history.steps.Where(s => s.losses.ContainsKey(key)).ToList();
        if (steps.Count == 0) throw new ArgumentException($"the run recorded no '{key}' (it has {string.Join(", ", history.steps.SelectMany(s => s.losses.Keys).Distinct())})", nameof(key));
        figure.Line(steps.Select(s => s.losses[key]), steps.Select(s => (double)s.step + 1), $"{label}train");
        var ends = history.epochs.Select((e, i) => (epoch: e, step: history.epochs.Take(i + 1).Sum(p => p.steps)))
            .Where(p => p.epoch.validation?.ContainsKey(key) == true).ToList();
        // Markers: a run of one epoch has a single validation point, which a line would not show.
        if (ends.Count > 0) figure.Scatter(ends.Select(p => (double)p.step), ends.Select(p => p.epoch.validation![key]), $"{label}validation");
        return figure;
    }
}
