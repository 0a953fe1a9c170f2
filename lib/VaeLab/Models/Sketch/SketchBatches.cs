using TorchSharp;
using VaeLab.Data.Strokes;
using static TorchSharp.torch;

namespace VaeLab.Models.Sketch;

/// <summary>
/// Training batches for the Sketch-RNN models, from normalised sequences (see <see cref="StrokeScale"/>): stroke-3 or
/// stroke-5 for the plain model, stroke-6 for the timing-aware one. Each epoch shuffles the data with a Random seeded
/// by (seed, epoch), so the trainer's resumption gets the same batches again.
/// </summary>
public static class SketchBatches
{
    /// <summary>
    /// The batches of one epoch as magenta's DataLoader makes them: each sketch scaled by random_scale_factor and, when
    /// augment_stroke_prob > 0, with segments merged (both only with augment; turn it off for validation and test data),
    /// padded to max_seq_len rows; batch_size sketches a batch, the last batch holding the rest.
    /// </summary>
    public static IEnumerable<StrokeBatch> epoch<T>(IReadOnlyList<T> sketches, SketchRnnConfig config, int epoch, long seed = 0,
        bool augment = true) where T : StrokeRows
    {
        var random = EpochRandom(seed, epoch);
        foreach (var indices in Shuffled(sketches.Count, config.batch_size, random))
        {
            var chosen = indices.Select(i =>
            {
                StrokeRows s = sketches[i];
                if (!augment) return s;
                s = StrokeAugment.RandomScale(s, config.random_scale_factor, random);
                return config.augment_stroke_prob > 0 ? StrokeAugment.MergeSegments(s, config.augment_stroke_prob, random) : s;
            }).ToList();
            yield return to_batch(chosen, config.timing, config.max_seq_len);
        }
    }

    /// <summary>
    /// Labelled batches for <see cref="SketchClassifier"/>: each sketch cut at random as seed 003's forget_ratio does
    /// (<see cref="StrokePrefix.RandomCut"/>: the first idx rows, idx uniform in [round(L (1 - f)), L]).
    /// </summary>
    public static IEnumerable<(StrokeBatch strokes, Tensor labels)> prefixes<T>(IReadOnlyList<(T sketch, int label)> data,
        SketchClassifierConfig config, int epoch, long seed = 0) where T : StrokeRows
    {
        var random = EpochRandom(seed, epoch);
        foreach (var indices in Shuffled(data.Count, config.batch_size, random))
        {
            var cut = indices.Select(i => (StrokeRows)StrokePrefix.RandomCut(model_rows(data[i].sketch, config.timing), config.forget_ratio, random)).ToList();
            yield return (to_batch(cut, config.timing), tensor(indices.Select(i => (long)data[i].label).ToArray()));
        }
    }

    /// <summary>
    /// Sketches as a padded batch for a model: stroke-5 rows after [0,0,1,0,0] (from stroke-3 or stroke-5 sketches),
    /// or with timing stroke-6 rows after the zero row; nmax defaults to the longest sketch.
    /// </summary>
    public static StrokeBatch to_batch(IReadOnlyList<StrokeRows> sketches, bool timing, int? nmax = null)
    {
        if (sketches.Count == 0) throw new ArgumentException("a batch needs at least one sketch", nameof(sketches));
        var longest = sketches.Max(s => s.Length);
        if (nmax is { } limit && longest > limit)
            throw new ArgumentException($"a sketch has {longest} rows, more than max_seq_len = {limit}: filter or cut the data first", nameof(sketches));
        if (sketches.Any(s => s.Length == 0)) throw new ArgumentException("a sketch has no rows", nameof(sketches));
        return timing
            ? StrokeBatch.FromStroke6(sketches.Select(s => (Stroke6)model_rows(s, timing: true)).ToList(), nmax)
            : StrokeBatch.FromStroke3(sketches.Select(Stroke3Of).ToList(), nmax);
    }

    /// <summary>The sketch in a model's row format (stroke-5, or stroke-6 with timing), up to its first end-of-drawing row.</summary>
    public static StrokeRows model_rows(StrokeRows sketch, bool timing) => (sketch, timing) switch
    {
        (Stroke6 s, true) => StrokePrefix.FirstRows(s, s.ToStroke3().Length),
        (Stroke3 or Stroke5, false) => Stroke3Of(sketch).ToStroke5(),
        _ => throw new ArgumentException(timing
            ? $"the timing-aware model reads stroke-6 sketches, got {sketch.GetType().Name}"
            : $"the model reads stroke-3 or stroke-5 sketches, got {sketch.GetType().Name}", nameof(sketch)),
    };

    static Stroke3 Stroke3Of(StrokeRows sketch) => sketch switch
    {
        Stroke3 s => s,
        Stroke5 s => s.ToStroke3(),
        _ => throw new ArgumentException($"the model reads stroke-3 or stroke-5 sketches, got {sketch.GetType().Name}", nameof(sketch)),
    };

    /// <summary>A generator per (seed, epoch), mixed by SplitMix64 so that neighbouring seeds and epochs give unrelated streams.</summary>
    static Random EpochRandom(long seed, int epoch)
    {
        unchecked
        {
            var z = (ulong)seed * 0x9E3779B97F4A7C15UL + (ulong)epoch;
            z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
            z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
            return new Random((int)(z ^ (z >> 31)));
        }
    }

    static IEnumerable<int[]> Shuffled(int count, int batch_size, Random random)
    {
        var order = Enumerable.Range(0, count).ToArray();
        random.Shuffle(order);
        return order.Chunk(batch_size);
    }
}
