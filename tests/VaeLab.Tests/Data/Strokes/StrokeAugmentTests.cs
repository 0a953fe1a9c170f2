namespace VaeLab.Tests.Data.Strokes;

public class StrokeAugmentTests
{
    [Fact]
    public void RandomScaleStretchesXAndYByFactorsWithinTheRange()
    {
        var random = new Random(4);
        var strokes = Stroke6.FromStrokes(StrokeTestData.RandomStrokes(random, timing: true));
        var factors = new List<double>();
        for (var i = 0; i < 200; i++)
        {
            var scaled = StrokeAugment.RandomScale(strokes, 0.15, random);
            for (var axis = 0; axis < 2; axis++)
            {
                var row = Enumerable.Range(0, strokes.Length).First(r => strokes[r, axis] != 0);
                var factor = (double)scaled[row, axis] / strokes[row, axis];
                Assert.InRange(factor, 0.85 - 1e-6, 1.15 + 1e-6);
                for (var r = 0; r < strokes.Length; r++) Assert.Equal(strokes[r, axis] * factor, scaled[r, axis], tolerance: 1e-3);
                factors.Add(factor);
            }
            for (var r = 0; r < strokes.Length; r++)
                for (var c = 2; c < 6; c++) Assert.Equal(strokes[r, c], scaled[r, c]);
        }
        // The factors spread over the range rather than sitting at one value.
        Assert.True(factors.Min() < 0.88 && factors.Max() > 1.12);
    }

    [Fact]
    public void MergingWithProbabilityOneJoinsEverySegmentAfterTheThirdPoint()
    {
        // One stroke of ten points: rows 3..8 merge into row 2, row 9 (pen lifted) stays.
        var xs = Enumerable.Range(0, 10).Select(i => (float)(i * i)).ToArray();
        var strokes = Stroke3.FromStrokes([new Stroke(xs, new float[10])]);
        var merged = StrokeAugment.MergeSegments(strokes, 1, new Random(5));
        Assert.Equal([0, 0, 0, 1, 0, 0, 63, 0, 0, 17, 0, 1], merged.Data);
        Assert.Equal(strokes.Data, StrokeAugment.MergeSegments(strokes, 0, new Random(5)).Data);
    }

    [Fact]
    public void MergingKeepsStrokesEndpointsAndTimingTotals()
    {
        var random = new Random(6);
        var dropped = 0;
        for (var trial = 0; trial < 100; trial++)
        {
            var strokes = Stroke6.FromStrokes(StrokeTestData.RandomStrokes(random, timing: true));
            var merged = StrokeAugment.MergeSegments(strokes, 0.3, random);
            dropped += strokes.Length - merged.Length;
            var before = StrokeTestData.Positions(strokes);
            var after = StrokeTestData.Positions(merged);
            // Every remaining point is an original point, in order; pen lifts and their positions are all kept.
            var j = 0;
            foreach (var p in after)
            {
                while (j < before.Count && before[j] != p) j++;
                Assert.True(j < before.Count, "a merged point is not one of the original points");
                j++;
            }
            Assert.Equal(Lifts(strokes), Lifts(merged));
            Assert.Equal(strokes.ToStrokes().Select(s => s.T![^1]), merged.ToStrokes().Select(s => s.T![^1]));
            Assert.Equal(strokes.ToStrokes().Select(s => s.T![0]), merged.ToStrokes().Select(s => s.T![0]));
        }
        Assert.True(dropped > 0);
    }

    static List<(float, float)> Lifts(StrokeRows strokes) =>
        StrokeTestData.Positions(strokes).Where((_, i) => !strokes.PenDown(i)).ToList();
}
