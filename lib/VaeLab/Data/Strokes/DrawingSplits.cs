using VaeLab.Data.QuickDraw;
namespace VaeLab.Data.Strokes;

/// <summary>
/// Labelled drawings in train, validation and test splits, the starting point of the sketch notebooks. A label indexes
/// <see cref="Classes"/>, the words (categories) in the order they first appear. Sources without splits of their own
/// are split class by class after a seeded shuffle, so that every class has the same shares in every split.
/// </summary>
public sealed record DrawingSplits(IReadOnlyList<(Drawing Drawing, int Label)> Train, IReadOnlyList<(Drawing Drawing, int Label)> Valid,
    IReadOnlyList<(Drawing Drawing, int Label)> Test, IReadOnlyList<string> Classes)
{
    /// <summary>
    /// Splits drawings by their <see cref="Drawing.Word"/>: the first <paramref name="perClass"/> of each class (all when
    /// null) are shuffled, then the first round(n * trainShare) go to Train, the next round(n * validShare) to Valid and
    /// the rest to Test.
    /// </summary>
    public static DrawingSplits Split(IEnumerable<Drawing> drawings, double trainShare = 0.8, double validShare = 0.1, int seed = 0, int? perClass = null)
    {
        CheckShares(trainShare, validShare);
        if (perClass is < 1) throw new ArgumentOutOfRangeException(nameof(perClass), perClass, "must be 1 or more");
        var random = new Random(seed);
        var classes = new List<string>();
        List<(Drawing, int)> train = [], valid = [], test = [];
        foreach (var group in drawings.GroupBy(d => d.Word))
        {
            var label = classes.Count;
            classes.Add(group.Key);
            var members = group.Take(perClass ?? int.MaxValue).ToArray();
            random.Shuffle(members);
            var trainCount = (int)Math.Round(members.Length * trainShare);
            var validCount = Math.Min((int)Math.Round(members.Length * validShare), members.Length - trainCount);
            train.AddRange(members[..trainCount].Select(d => (d, label)));
            valid.AddRange(members[trainCount..(trainCount + validCount)].Select(d => (d, label)));
            test.AddRange(members[(trainCount + validCount)..].Select(d => (d, label)));
        }
        if (classes.Count == 0) throw new ArgumentException("there are no drawings to split", nameof(drawings));
        return new DrawingSplits(train, valid, test, classes);
    }

    /// <summary>
    /// Reads one or more data files, separated by commas, each holding one category: a sketch-rnn .npz keeps its own
    /// train/valid/test splits (its word is the file name up to the first dot; <paramref name="perClass"/> caps each split
    /// at its share of perClass), and a QuickDraw .ndjson (raw or simplified, optionally gzip-compressed) has its first
    /// <paramref name="perClass"/> recognised drawings split as <see cref="Split"/> does.
    /// </summary>
    public static DrawingSplits Read(string paths, double trainShare = 0.8, double validShare = 0.1, int seed = 0, int? perClass = null)
    {
        CheckShares(trainShare, validShare);
        var files = paths.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        if (files.Length == 0) throw new ArgumentException("no data file was given", nameof(paths));
        return Merge(files.Select(file =>
        {
            var name = Path.GetFileName(file).ToLowerInvariant();
            if (name.EndsWith(".npz") || name.EndsWith(".npz.gz")) return ReadNpz(file, trainShare, validShare, perClass);
            if (name.EndsWith(".ndjson") || name.EndsWith(".ndjson.gz"))
                return Split(QuickDrawNdjson.Read(file).Where(d => d.Recognized).Take(perClass ?? int.MaxValue).ToList(), trainShare, validShare, seed);
            throw new ArgumentException($"{file}: expected a sketch-rnn .npz or a QuickDraw .ndjson file", nameof(paths));
        }).ToList());
    }

    static DrawingSplits ReadNpz(string file, double trainShare, double validShare, int? perClass)
    {
        var data = SketchRnnNpz.Read(file);
        var word = Path.GetFileName(file).Split('.')[0];
        List<(Drawing, int)> Drawings(IReadOnlyList<Stroke3> sketches, string split, double share) =>
            sketches.Take(perClass is { } n ? (int)Math.Round(n * share) : int.MaxValue)
                .Select((s, i) => (new Drawing($"{word}/{split}/{i}", word, "", true, null, s.ToStrokes()), 0)).ToList();
        return new DrawingSplits(Drawings(data.Train, "train", trainShare), Drawings(data.Valid, "valid", validShare),
            Drawings(data.Test, "test", 1 - trainShare - validShare), [word]);
    }

    /// <summary>The splits of several sources together, labels renumbered so that a word keeps one label.</summary>
    static DrawingSplits Merge(IReadOnlyList<DrawingSplits> parts)
    {
        var classes = parts.SelectMany(p => p.Classes).Distinct().ToList();
        List<(Drawing, int)> Join(Func<DrawingSplits, IReadOnlyList<(Drawing Drawing, int Label)>> split) =>
            parts.SelectMany(p => split(p).Select(e => (e.Drawing, classes.IndexOf(p.Classes[e.Label])))).ToList();
        return new DrawingSplits(Join(p => p.Train), Join(p => p.Valid), Join(p => p.Test), classes);
    }

    static void CheckShares(double trainShare, double validShare)
    {
        if (!(trainShare > 0 && validShare >= 0 && trainShare + validShare <= 1))
            throw new ArgumentOutOfRangeException(nameof(trainShare), $"shares need 0 < train ({trainShare}), 0 <= valid ({validShare}) and train + valid <= 1");
    }

    /// <summary>Stroke-3 sketches of every split (timing dropped), prepared as <paramref name="options"/> say and normalised by the training split's scale.</summary>
    public SketchSplits<Stroke3> ToStroke3(SketchPreprocessing? options = null) =>
        Convert(options, d => Stroke3.FromStrokes(d.Strokes), StrokeScale.Fit);

    /// <summary>Stroke-6 sketches (seed 001's timing-aware rows), dx, dy and dt normalised by the training split's scale; every drawing needs timing.</summary>
    public SketchSplits<Stroke6> ToStroke6(SketchPreprocessing? options = null) =>
        Convert(options, d => d.HasTiming ? Stroke6.FromStrokes(d.Strokes)
            : throw new ArgumentException($"drawing {d.KeyId} ({d.Word}) has no timing: stroke-6 needs QuickDraw raw data or timed doodles"), StrokeScale.Fit);

    SketchSplits<T> Convert<T>(SketchPreprocessing? options, Func<Drawing, T> rows, Func<IReadOnlyList<T>, StrokeScale> fit) where T : StrokeRows
    {
        var o = options ?? new SketchPreprocessing();
        List<(T Sketch, int Label)> Prepare(IEnumerable<(Drawing Drawing, int Label)> split) => split
            .Select(e => (Sketch: rows(o.Epsilon > 0 ? StrokeSimplifier.Rdp(e.Drawing, o.Epsilon) : e.Drawing), e.Label))
            .Where(e => e.Sketch.Length >= o.MinLength && e.Sketch.Length <= o.MaxLength)
            .Select(e => (o.Limit(e.Sketch), e.Label)).ToList();
        var (train, valid, test) = (Prepare(Train), Prepare(Valid), Prepare(Test));
        if (train.Count == 0)
            throw new InvalidOperationException($"none of the {Train.Count} training drawings has {o.MinLength} to {o.MaxLength} rows: change MinLength or MaxLength");
        var scale = fit(train.Select(e => e.Sketch).ToList());
        List<(T, int)> Normalize(List<(T Sketch, int Label)> split) => split.Select(e => (scale.Normalize(e.Sketch), e.Label)).ToList();
        return new SketchSplits<T>(Normalize(train), Normalize(valid), Normalize(test), Classes, scale);
    }
}

/// <summary>How drawings become model sequences: simplification, the lengths kept, and the bound on offsets.</summary>
public sealed record SketchPreprocessing
{
    /// <summary>Longest sequence kept, in rows (magenta 250, seed 003 200, seed 001 250 in its README and 169 in its config).</summary>
    public int MaxLength { get; init; } = 250;

    /// <summary>Shortest sequence kept, in rows (seed 003 keeps 10 and more).</summary>
    public int MinLength { get; init; } = 1;

    /// <summary>Ramer-Douglas-Peucker epsilon applied to every stroke first (seed 001: 1.0 on raw data; Google simplified at 2.0); 0 keeps every point.</summary>
    public double Epsilon { get; init; }

    /// <summary>dx and dy are clamped to +-Clamp before normalising, as magenta's and seed 003's loaders do with 1000.</summary>
    public double Clamp { get; init; } = 1000;

    internal T Limit<T>(T sketch) where T : StrokeRows
    {
        var data = (float[])sketch.Data.Clone();
        for (var i = 0; i < data.Length; i++)
            if (i % sketch.Width < 2) data[i] = (float)Math.Clamp(data[i], -Clamp, Clamp);
        return (T)sketch.WithData(data);
    }
}
