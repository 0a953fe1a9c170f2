using TorchSharp;
using static TorchSharp.torch;

namespace VaeLab.Metrics;

/// <summary>
/// Counts of (actual, predicted) class pairs, as sklearn's confusion_matrix: rows are the actual class, columns the
/// predicted one. Per-class accuracy is the diagonal over the row (the class's recall); NaN for a class never seen.
/// </summary>
public sealed class ConfusionMatrix
{
    public ConfusionMatrix(int num_classes)
    {
        if (num_classes < 1) throw new ArgumentOutOfRangeException(nameof(num_classes), num_classes, "at least one class");
        counts = new long[num_classes, num_classes];
    }

    public long[,] counts { get; }

    public int num_classes => counts.GetLength(0);

    public long total { get; private set; }

    public void add(int actual, int predicted)
    {
        if ((uint)actual >= num_classes) throw new ArgumentOutOfRangeException(nameof(actual), actual, $"classes are 0..{num_classes - 1}");
        if ((uint)predicted >= num_classes) throw new ArgumentOutOfRangeException(nameof(predicted), predicted, $"classes are 0..{num_classes - 1}");
        counts[actual, predicted]++;
        total++;
    }

    /// <summary>Adds a batch: actual labels [B] and either predicted labels [B] or logits [B, num_classes] (their argmax).</summary>
    public void add(Tensor actual, Tensor predicted)
    {
        using var labels = predicted.dim() == 2 ? predicted.argmax(1) : predicted.alias();
        using var actualLabels = actual.to(ScalarType.Int64, CPU);
        using var predictedLabels = labels.to(ScalarType.Int64, CPU);
        var a = actualLabels.data<long>().ToArray();
        var p = predictedLabels.data<long>().ToArray();
        if (a.Length != p.Length) throw new ArgumentException($"{a.Length} actual labels but {p.Length} predictions", nameof(predicted));
        for (var i = 0; i < a.Length; i++) add((int)a[i], (int)p[i]);
    }

    /// <summary>Share of all samples on the diagonal.</summary>
    public double accuracy => total == 0 ? double.NaN : (double)Enumerable.Range(0, num_classes).Sum(i => counts[i, i]) / total;

    public double[] per_class_accuracy => Enumerable.Range(0, num_classes).Select(i =>
    {
        var row = Enumerable.Range(0, num_classes).Sum(j => counts[i, j]);
        return row == 0 ? double.NaN : (double)counts[i, i] / row;
    }).ToArray();
}
