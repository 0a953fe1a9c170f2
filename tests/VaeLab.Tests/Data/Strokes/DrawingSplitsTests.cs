using VaeLab.Data.Doodles;
using VaeLab.Data.QuickDraw;

namespace VaeLab.Tests.Data.Strokes;

/// <summary>Labelled drawings split three ways, read from sketch-rnn and QuickDraw files, and turned into model rows.</summary>
public class DrawingSplitsTests
{
    static Drawing Line(string word, int id, params float[] xs) =>
        new($"{word}{id}", word, "", true, null, [new Stroke(xs, xs.Select(x => x / 2).ToArray())]);

    static List<Drawing> Labelled(int perClass, params string[] words) =>
        words.SelectMany(w => Enumerable.Range(0, perClass).Select(i => Line(w, i, 0, i + 1, 2 * i + 3))).ToList();

    [Fact]
    public void EachClassIsSplitByTheSharesAndLabelledInOrderOfAppearance()
    {
        var drawings = Labelled(20, "sun", "cat", "dog");
        var splits = DrawingSplits.Split(drawings, trainShare: 0.7, validShare: 0.2, seed: 4);

        Assert.Equal(["sun", "cat", "dog"], splits.Classes);
        foreach (var (split, count) in new[] { (splits.Train, 14), (splits.Valid, 4), (splits.Test, 2) })
            Assert.All(Enumerable.Range(0, 3), label => Assert.Equal(count, split.Count(e => e.Label == label)));
        var all = splits.Train.Concat(splits.Valid).Concat(splits.Test).ToList();
        Assert.Equal(drawings.Select(d => d.KeyId).Order(), all.Select(e => e.Drawing.KeyId).Order());
        Assert.All(all, e => Assert.Equal(splits.Classes[e.Label], e.Drawing.Word));
    }

    [Fact]
    public void TheShuffleFollowsTheSeedAndPerClassTakesTheFirstDrawings()
    {
        var drawings = Labelled(30, "a", "b");
        static IEnumerable<string> Keys(DrawingSplits s) => s.Train.Select(e => e.Drawing.KeyId);

        Assert.Equal(Keys(DrawingSplits.Split(drawings, seed: 1)), Keys(DrawingSplits.Split(drawings, seed: 1)));
        Assert.NotEqual(Keys(DrawingSplits.Split(drawings, seed: 1)), Keys(DrawingSplits.Split(drawings, seed: 2)));
        var capped = DrawingSplits.Split(drawings, seed: 1, perClass: 10);
        var kept = capped.Train.Concat(capped.Valid).Concat(capped.Test).Select(e => e.Drawing.KeyId).Order();
        Assert.Equal(Enumerable.Range(0, 10).SelectMany(i => new[] { $"a{i}", $"b{i}" }).Order(), kept);
        Assert.Throws<ArgumentOutOfRangeException>(() => DrawingSplits.Split(drawings, trainShare: 0.9, validShare: 0.2));
    }

    [Fact]
    public void AnNpzKeepsItsSplitsAndIsNamedAfterItsFile()
    {
        var file = DataFixtures.PathOf("sketchrnn_p3.npz");
        var splits = DrawingSplits.Read(file);
        var npz = SketchRnnNpz.Read(file);

        Assert.Equal(["sketchrnn_p3"], splits.Classes);
        foreach (var (mine, theirs) in new[] { (splits.Train, npz.Train), (splits.Valid, npz.Valid), (splits.Test, npz.Test) })
            Assert.Equal(theirs.Select(s => s.Data), mine.Select(e => Stroke3.FromStrokes(e.Drawing.Strokes).Data));
        var capped = DrawingSplits.Read(file, trainShare: 0.5, validShare: 0.25, perClass: 4);
        Assert.Equal([2, 1, 1], new[] { capped.Train.Count, capped.Valid.Count, capped.Test.Count });
    }

    [Fact]
    public void NdjsonFilesAreClassesOfRecognisedDrawingsMergedByWord()
    {
        var folder = Directory.CreateTempSubdirectory("vaelab-splits").FullName;
        try
        {
            var cats = Labelled(10, "cat");
            cats[0] = cats[0] with { Recognized = false };
            QuickDrawNdjson.Write(Path.Combine(folder, "cat.ndjson"), cats);
            QuickDrawNdjson.Write(Path.Combine(folder, "sun.ndjson.gz"), Labelled(10, "sun"), gzip: true);
            QuickDrawNdjson.Write(Path.Combine(folder, "more-cats.ndjson"), Labelled(5, "cat").Select(d => d with { KeyId = "more" + d.KeyId }));

            var splits = DrawingSplits.Read(string.Join(" , ", new[] { "cat.ndjson", "sun.ndjson.gz", "more-cats.ndjson" }.Select(f => Path.Combine(folder, f))),
                trainShare: 0.6, validShare: 0.2, perClass: 5);

            Assert.Equal(["cat", "sun"], splits.Classes);
            var all = splits.Train.Concat(splits.Valid).Concat(splits.Test).ToList();
            Assert.Equal(["cat1", "cat2", "cat3", "cat4", "cat5", "morecat0", "morecat1", "morecat2", "morecat3", "morecat4"],
                all.Where(e => e.Label == 0).Select(e => e.Drawing.KeyId).Order());
            Assert.Equal(5, all.Count(e => e.Label == 1));
            Assert.Equal(6, splits.Train.Count(e => e.Label == 0));
            var wrong = Assert.Throws<ArgumentException>(() => DrawingSplits.Read(Path.Combine(folder, "cat.png")));
            Assert.Contains("cat.png", wrong.Message);
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    [Fact]
    public void SketchesAreFilteredClampedAndNormalisedByTheTrainingScale()
    {
        Drawing Far(int id) => Line("far", id, 3000, 3000 + id, 3000 + 2 * id);
        var drawings = new DrawingSplits(
            Train: [(Line("a", 0, 0, 10, 30), 0), (Line("a", 1, 5, 5, 25, 45, 50, 60), 0), (Far(2), 1)],
            Valid: [(Line("a", 3, 1, 2), 0)],
            Test: [(Line("a", 4, 0, 4, 8, 12, 16, 20, 24), 0), (Far(5), 1)],
            Classes: ["a", "far"]);

        var sketches = drawings.ToStroke3(new SketchPreprocessing { MinLength = 3, MaxLength = 6, Clamp = 1000 });

        Assert.Equal([3, 6, 3], sketches.Train.Select(e => e.Sketch.Length));
        Assert.Empty(sketches.Valid);
        Assert.Equal([1], sketches.Test.Select(e => e.Label));
        var raw = drawings.Train.Select(e => Stroke3.FromStrokes(e.Drawing.Strokes)).ToList();
        var clamped = new Stroke3([.. raw[2].Data.Select((v, i) => i % 3 == 2 ? v : Math.Clamp(v, -1000, 1000))]);
        Assert.Equal([1000f, 1000, 0, 2, 1, 0, 2, 1, 1], clamped.Data);
        var scale = StrokeScale.Fit([raw[0], raw[1], clamped]);
        Assert.Equal(scale, sketches.Scale);
        Assert.Equal(scale.Normalize(clamped).Data, sketches.Train[2].Sketch.Data);
        Assert.Equal(6, sketches.LongestSketch);
        Assert.Equal([1], sketches.OfClass(1).Train.Select(e => e.Label));
        Assert.Empty(sketches.OfClass(1).Valid);
        Assert.Throws<InvalidOperationException>(() => drawings.ToStroke3(new SketchPreprocessing { MinLength = 7 }));
    }

    [Fact]
    public void Stroke6SplitsNeedTimingAndScaleDtSeparately()
    {
        var timed = DrawingSplits.Split(SyntheticDoodles.Generate(10, seed: 2, shapes: [DoodleShape.Square, DoodleShape.Cross]), seed: 1);
        var sketches = timed.ToStroke6(new SketchPreprocessing { Epsilon = 1 });

        var train = timed.Train.Select(e => Stroke6.FromStrokes(StrokeSimplifier.Rdp(e.Drawing, 1).Strokes)).ToList();
        Assert.Equal(StrokeScale.Fit(train), sketches.Scale);
        Assert.NotNull(sketches.Scale.Dt);
        Assert.Equal(train.Select(s => sketches.Scale.Normalize(s).Data), sketches.TrainSketches.Select(s => s.Data));
        var untimed = DrawingSplits.Split(Labelled(5, "a"));
        Assert.Matches(@"^drawing a\d \(a\) has no timing", Assert.Throws<ArgumentException>(() => untimed.ToStroke6()).Message);
    }
}
