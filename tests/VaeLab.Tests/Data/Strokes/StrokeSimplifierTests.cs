namespace VaeLab.Tests.Data.Strokes;

public class StrokeSimplifierTests
{
    [Fact]
    public void KeepsEndpointsAndEveryDroppedPointIsWithinEpsilonOfTheKeptPolyline()
    {
        var random = new Random(3);
        for (var trial = 0; trial < 200; trial++)
        {
            var stroke = StrokeTestData.RandomStrokes(random, timing: true, maxStrokes: 1, maxPoints: 60)[0];
            var epsilon = random.NextDouble() * 40;
            var simple = StrokeSimplifier.Rdp(stroke, epsilon);
            // Kept points are a subsequence of the original: match them up in order.
            var kept = new List<int>();
            for (int i = 0, k = 0; i < stroke.Length && k < simple.Length; i++)
                if (stroke.X[i] == simple.X[k] && stroke.Y[i] == simple.Y[k] && stroke.T![i] == simple.T![k]) { kept.Add(i); k++; }
            Assert.Equal(simple.Length, kept.Count);
            Assert.Equal(0, kept[0]);
            Assert.Equal(stroke.Length - 1, kept[^1]);
            for (var k = 0; k + 1 < kept.Count; k++)
                for (var i = kept[k] + 1; i < kept[k + 1]; i++)
                    Assert.True(DistanceToSegment(stroke, i, kept[k], kept[k + 1]) <= epsilon + 1e-9);
        }
    }

    // Written independently of the library: the closest point of the segment by projection.
    static double DistanceToSegment(Stroke s, int i, int a, int b)
    {
        var (ax, ay, bx, by, px, py) = ((double)s.X[a], (double)s.Y[a], (double)s.X[b], (double)s.Y[b], (double)s.X[i], (double)s.Y[i]);
        var l2 = (bx - ax) * (bx - ax) + (by - ay) * (by - ay);
        var t = l2 == 0 ? 0 : Math.Max(0, Math.Min(1, ((px - ax) * (bx - ax) + (py - ay) * (by - ay)) / l2));
        return Math.Sqrt(Math.Pow(px - (ax + t * (bx - ax)), 2) + Math.Pow(py - (ay + t * (by - ay)), 2));
    }

    [Fact]
    public void CollinearPointsCollapseToTheEndpointsAndACornerStays()
    {
        var line = new Stroke([0, 1, 2, 3, 10], [0, 1, 2, 3, 10]);
        Assert.Equal(new Stroke([0, 10], [0, 10]), StrokeSimplifier.Rdp(line, 0.01));
        var corner = new Stroke([0, 5, 10, 10, 10], [0, 0, 0, 5, 10]);
        Assert.Equal(new Stroke([0, 10, 10], [0, 0, 10]), StrokeSimplifier.Rdp(corner, 1));
        // With a large epsilon the corner goes too.
        Assert.Equal(new Stroke([0, 10], [0, 10]), StrokeSimplifier.Rdp(corner, 8));
    }

    [Fact]
    public void APointBeyondTheSegmentEndIsKeptThoughItLiesOnTheLine()
    {
        // The stroke doubles back along one line: line distance would drop x = 20, segment distance keeps it.
        var back = new Stroke([0, 20, 10], [0, 0, 0]);
        Assert.Equal(back, StrokeSimplifier.Rdp(back, 1));
    }

    [Fact]
    public void SimplifiesEveryStrokeOfADrawing()
    {
        var drawing = DataFixtures.ExpectedDrawings("raw")[0];
        var simple = StrokeSimplifier.Rdp(drawing, 2);
        Assert.Equal(drawing.Strokes.Select(s => StrokeSimplifier.Rdp(s, 2)), simple.Strokes);
        Assert.Equal(drawing.KeyId, simple.KeyId);
        Assert.Throws<ArgumentOutOfRangeException>(() => StrokeSimplifier.Rdp(drawing, -1));
    }
}
