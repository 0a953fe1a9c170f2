namespace VaeLab.Tests.Data.Strokes;

public class CompletionPairsTests
{
    // 16x16 pixel coordinates, aliased one-pixel lines, ink 0 on 1: stroke j of a drawing is row 1 + 2j, so the
    // inked rows of an image say how many strokes it shows.
    static readonly RasterOptions Options = new() { Width = 16, Height = 16, Scale = RasterScale.Pixels, AntiAlias = false, Background = 1, Ink = 0 };

    static Drawing Glyph(int id, string word, int strokes) => new($"{id}", word, "", true, null,
        [.. Enumerable.Range(0, strokes).Select(j => new Stroke([1 + id % 5, 10 + id % 5], [1 + 2 * j, 1 + 2 * j]))]);

    static readonly List<Drawing> Drawings = [.. Enumerable.Range(0, 20).Select(i => Glyph(i, i % 3 == 0 ? "cat" : "bee", 1 + i % 5))];

    static float[] Pixels(Tensor images, int i) => images.select(0, i).flatten().data<float>().ToArray();

    static int InkedRows(float[] image) => Enumerable.Range(0, 16).Count(r => image.AsSpan(r * 16, 16).IndexOf(0f) >= 0);

    [Fact]
    public void ABatchHoldsEachDrawingWholeAndItsFirstKStrokes()
    {
        using var scope = NewDisposeScope();
        var pairs = new CompletionPairs(Drawings, options: Options);
        foreach (var batch in pairs.batches(0, batch_size: 6, seed: 3))
        {
            Assert.Equal([batch.indices.Length, 1, 16, 16], batch.full.shape);
            Assert.Equal(batch.full.shape, batch.partial.shape);
            for (var b = 0; b < batch.indices.Length; b++)
            {
                var drawing = Drawings[batch.indices[b]];
                Assert.Equal(Raster.Draw(drawing, Options), Pixels(batch.full, b));
                var k = InkedRows(Pixels(batch.partial, b));
                Assert.InRange(k, 1, Math.Max(1, drawing.Strokes.Count - 1));
                Assert.Equal(Raster.Draw(drawing.Strokes.Take(k).ToList(), Options), Pixels(batch.partial, b));
                Assert.Equal(drawing.Word == "bee" ? 0 : 1, batch.labels[b].item<long>());
            }
        }
    }

    [Fact]
    public void AnEpochGivesTheSameBatchesAgainAndAnotherEpochOthers()
    {
        using var scope = NewDisposeScope();
        var pairs = new CompletionPairs(Drawings, options: Options);
        var first = pairs.batches(4, 8, seed: 1).ToList();
        var again = pairs.batches(4, 8, seed: 1).ToList();
        var next = pairs.batches(5, 8, seed: 1).ToList();

        Assert.Equal([8, 8, 4], first.Select(b => b.indices.Length));
        Assert.Equal(Enumerable.Range(0, 20), first.SelectMany(b => b.indices).Order());
        Assert.Equal(first.SelectMany(b => b.indices), again.SelectMany(b => b.indices));
        Assert.All(first.Zip(again), p => Assert.True(p.First.partial.Equals(p.Second.partial)));
        Assert.NotEqual(first.SelectMany(b => b.indices), next.SelectMany(b => b.indices));
        Assert.Equal(Enumerable.Range(0, 20), pairs.batches(0, 8, shuffle: false).SelectMany(b => b.indices));
    }

    [Fact]
    public void PartialImagesAreDrawnAnewWithKNeverTheWholeDrawing()
    {
        using var scope = NewDisposeScope();
        var fourStrokes = new CompletionPairs([Glyph(0, "cat", 4)], options: Options);
        var ks = Enumerable.Range(0, 200).Select(epoch =>
        {
            using var batch = fourStrokes.batches(epoch, 1).Single();
            return InkedRows(Pixels(batch.partial, 0));
        }).ToList();

        // k = max(floor(4 U), 1): 1 half of the time, 2 and 3 a quarter each, 4 never.
        Assert.Equal([1, 2, 3], ks.Distinct().Order());
        Assert.InRange(ks.Count(k => k == 1), 70, 130);
        using var seeded = fourStrokes.batch([0], new Random(9));
        using var same = fourStrokes.batch([0], new Random(9));
        Assert.True(seeded.partial.Equals(same.partial));
    }

    [Fact]
    public void SplitCutsAShuffledPartitionAndTakeKeepsTheFirstDrawings()
    {
        var pairs = new CompletionPairs(Drawings, ["cat", "bee"], Options);
        var parts = pairs.split(11, 0.7, 0.15, 0.15);

        Assert.Equal([14, 3, 3], parts.Select(p => p.Count));
        Assert.Equal(Drawings.Select(d => d.KeyId).Order(), parts.SelectMany(p => p.drawings).Select(d => d.KeyId).Order());
        Assert.NotEqual(Drawings.Take(14), parts[0].drawings);
        Assert.Equal(parts[0].drawings, pairs.split(11, 0.7, 0.15, 0.15)[0].drawings);
        Assert.NotEqual(parts[0].drawings, pairs.split(12, 0.7, 0.15, 0.15)[0].drawings);
        Assert.All(parts, p => Assert.Equal(["cat", "bee"], p.classes));
        Assert.Equal(parts[0].drawings.Take(5), parts[0].take(5).drawings);
        Assert.Equal(parts[0].drawings.Select(d => d.Word == "cat" ? 0L : 1L), parts[0].labels);
        Assert.Equal([10, 5], pairs.split(0, 0.5, 0.25).Select(p => p.Count));
    }

    [Fact]
    public void ClassesDefaultToTheSortedWordsAndBadDrawingsAreNamed()
    {
        Assert.Equal(["bee", "cat"], new CompletionPairs(Drawings).classes);
        Assert.Equal(RasterOptions.Seed000, new CompletionPairs(Drawings).options);
        var unknown = Assert.Throws<ArgumentException>(() => new CompletionPairs(Drawings, ["cat"]));
        Assert.Contains("drawing 1 (1) is a 'bee'", unknown.Message);
        var empty = Assert.Throws<ArgumentException>(() => new CompletionPairs([Glyph(0, "cat", 0)]));
        Assert.Contains("has no strokes", empty.Message);
        Assert.Throws<ArgumentException>(() => new CompletionPairs(Drawings).split(0, 0.7, 0.7));
    }
}
