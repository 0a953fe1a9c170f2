using VaeLab.Data.Images;
using TorchSharp;
using VaeLab.Torch;
using static TorchSharp.torch;

namespace VaeLab.Data.Strokes;

/// <summary>A batch of <see cref="CompletionPairs"/>: partial images y, full images x (both [B, 1, H, W]) and class labels [B].</summary>
public sealed record CompletionBatch(Tensor partial, Tensor full, Tensor labels, int[] indices) : IBatch, IDisposable
{
    /// <summary>The images and labels on <paramref name="device"/>, for a model there.</summary>
    public CompletionBatch to(Device device) => this with { partial = partial.to(device), full = full.to(device), labels = labels.to(device) };

    IBatch IBatch.to(Device device) => to(device);

    public void Dispose()
    {
        partial.Dispose();
        full.Dispose();
        labels.Dispose();
    }
}

/// <summary>
/// Seed 000's data for completing drawings: each drawing drawn whole (the full image x) and with only its first k of
/// n strokes (the partial image y), k = max(floor(n U[0, 1)), 1) drawn anew on every access, so an epoch sees other
/// beginnings of the same drawings than the last. Images are rendered when a batch is asked for, by default as
/// <see cref="RasterOptions.Seed000"/> (64x64, strokes 0 on 1, one erosion). Labels index <see cref="classes"/> by the
/// drawing's word (a QuickDraw category, a Hershey character).
/// </summary>
public sealed class CompletionPairs
{
    /// <param name="classes">The class names in label order; by default the drawings' distinct words in ordinal order.</param>
    public CompletionPairs(IReadOnlyList<Drawing> drawings, IReadOnlyList<string>? classes = null, RasterOptions? options = null)
    {
        classes ??= [.. drawings.Select(d => d.Word).Distinct().Order(StringComparer.Ordinal)];
        var index = classes.Select((name, i) => (name, i)).ToDictionary(p => p.name, p => (long)p.i);
        labels = [.. drawings.Select((d, i) => index.TryGetValue(d.Word, out var label) ? label
            : throw new ArgumentException($"drawing {i} ({d.KeyId}) is a '{d.Word}', which is not one of the classes [{string.Join(", ", classes)}]", nameof(drawings)))];
        var empty = drawings.Select((d, i) => (d, i)).FirstOrDefault(p => p.d.Strokes.Count == 0);
        if (empty.d is not null) throw new ArgumentException($"drawing {empty.i} ({empty.d.KeyId}) has no strokes, so it has no partial image", nameof(drawings));
        this.drawings = drawings;
        this.classes = classes;
        this.options = options ?? RasterOptions.Seed000;
    }

    public IReadOnlyList<Drawing> drawings { get; }
    public IReadOnlyList<long> labels { get; }
    public IReadOnlyList<string> classes { get; }
    public RasterOptions options { get; }
    public int Count => drawings.Count;

    /// <summary>Shuffles the drawings with <paramref name="seed"/> and cuts them into consecutive parts of the given
    /// fractions of the whole (seed 000: 0.7, 0.15, 0.15); the last part takes what rounding leaves.</summary>
    public CompletionPairs[] split(int seed, params double[] fractions)
    {
        if (fractions.Length == 0 || fractions.Any(f => f < 0) || fractions.Sum() > 1 + 1e-9)
            throw new ArgumentException($"fractions must be non-negative and sum to at most 1, got [{string.Join(", ", fractions)}]", nameof(fractions));
        var order = Enumerable.Range(0, Count).ToArray();
        new Random(seed).Shuffle(order);
        var parts = new CompletionPairs[fractions.Length];
        var start = 0;
        for (var p = 0; p < fractions.Length; p++)
        {
            var end = p == fractions.Length - 1 && Math.Abs(fractions.Sum() - 1) < 1e-9 ? Count : start + (int)Math.Round(fractions[p] * Count);
            parts[p] = new CompletionPairs(order[start..Math.Min(end, Count)].Select(i => drawings[i]).ToList(), classes, options);
            start = Math.Min(end, Count);
        }
        return parts;
    }

    /// <summary>The first <paramref name="count"/> drawings (after <see cref="split"/>, a random subset), e.g. to vary the training-set size.</summary>
    public CompletionPairs take(int count)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(count);
        return new CompletionPairs(drawings.Take(count).ToList(), classes, options);
    }

    /// <summary>The drawings at <paramref name="indices"/> rendered as a batch, their first strokes chosen by <paramref name="random"/>.</summary>
    public CompletionBatch batch(IReadOnlyList<int> indices, Random random)
    {
        if (indices.Count == 0) throw new ArgumentException("a batch needs at least one drawing", nameof(indices));
        var partial = indices.Select(i => StrokePrefix.RandomFirstStrokes(drawings[i], random).Strokes).ToList();
        return Render(indices, partial);
    }

    /// <summary>
    /// The batches of epoch <paramref name="epoch"/>: the drawings in an order shuffled by (seed, epoch) when
    /// <paramref name="shuffle"/>, each one's first strokes drawn from a generator seeded by (seed, epoch, index), so the
    /// same epoch gives the same batches again (what Trainer.fit needs to resume) and each epoch new partial images.
    /// Validation keeps one epoch number to score the same pairs every time.
    /// </summary>
    public IEnumerable<CompletionBatch> batches(int epoch, int batch_size, bool shuffle = true, long seed = 0)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(batch_size, 1);
        var order = Enumerable.Range(0, Count).ToArray();
        if (shuffle) new Random(DataLoader.Seed(seed, epoch, -1)).Shuffle(order);
        for (var start = 0; start < order.Length; start += batch_size)
        {
            var indices = order[start..Math.Min(start + batch_size, order.Length)];
            var partial = indices.Select(i => StrokePrefix.RandomFirstStrokes(drawings[i], new Random(DataLoader.Seed(seed, epoch, i))).Strokes).ToList();
            yield return Render(indices, partial);
        }
    }

    CompletionBatch Render(IReadOnlyList<int> indices, List<IReadOnlyList<Stroke>> partial)
    {
        using var scope = NewDisposeScope();
        var y = Raster.ToTensor(partial, options);
        var x = Raster.ToTensor(indices.Select(i => drawings[i].Strokes).ToList(), options);
        var labels = tensor(indices.Select(i => this.labels[i]).ToArray());
        return new CompletionBatch(y.MoveToOuterDisposeScope(), x.MoveToOuterDisposeScope(), labels.MoveToOuterDisposeScope(), [.. indices]);
    }
}
