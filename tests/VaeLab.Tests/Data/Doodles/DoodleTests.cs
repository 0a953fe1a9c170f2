using VaeLab.Data.Doodles;
using VaeLab.Data.Hershey;
using VaeLab.Data.QuickDraw;

namespace VaeLab.Tests.Data.Doodles;

/// <summary>Synthetic timed doodles and the pen-timing model behind them.</summary>
public class DoodleTests
{
    static readonly Lazy<List<Drawing>> doodles = new(() => SyntheticDoodles.Generate(40, seed: 3));

    static List<Drawing> Doodles => doodles.Value;

    static double Distance(float x0, float y0, float x1, float y1) => Math.Sqrt((x1 - x0) * (x1 - x0) + (y1 - y0) * (y1 - y0));

    /// <summary>Mean speed (units per ms) of the pen from point a to point b of a stroke.</summary>
    static double Speed(Stroke s, int a, int b)
    {
        double path = 0;
        for (var i = a + 1; i <= b; i++) path += Distance(s.X[i - 1], s.Y[i - 1], s.X[i], s.Y[i]);
        return path / (s.T![b] - s.T[a]);
    }

    [Fact]
    public void ASeedAlwaysGivesTheSameDoodlesAndAnotherSeedOthers()
    {
        var first = SyntheticDoodles.Generate(3, seed: 11);
        Assert.Equal(first, SyntheticDoodles.Generate(3, seed: 11));
        var other = SyntheticDoodles.Generate(3, seed: 12);
        Assert.All(first.Zip(other), p => Assert.NotEqual(p.First.Strokes, p.Second.Strokes));
        Assert.Equal(SyntheticDoodles.Draw(DoodleShape.Star, new Random(5)), SyntheticDoodles.Draw(DoodleShape.Star, new Random(5)));
    }

    [Fact]
    public void ClassesComeInOrderNamedAfterTheirShapes()
    {
        Assert.Equal(SyntheticDoodles.Shapes.Count * 40, Doodles.Count);
        Assert.Equal(SyntheticDoodles.Shapes.Select(s => s.ToString().ToLowerInvariant()), Doodles.Select(d => d.Word).Distinct());
        Assert.All(Doodles.GroupBy(d => d.Word), g => Assert.Equal(40, g.Count()));
        var some = SyntheticDoodles.Generate(2, seed: 1, shapes: [DoodleShape.Zigzag, DoodleShape.Circle]);
        Assert.Equal(["zigzag", "zigzag", "circle", "circle"], some.Select(d => d.Word));
    }

    [Fact]
    public void TimestampsAreWholeMillisecondsFromZeroRisingWithinStrokesAndPausingBetweenThem()
    {
        var timing = new DoodleTiming();
        foreach (var d in Doodles)
        {
            Assert.True(d.HasTiming);
            Assert.Equal(0f, d.Strokes[0].T![0]);
            foreach (var s in d.Strokes)
            {
                Assert.All(s.T!, t => Assert.Equal(MathF.Round(t), t));
                for (var i = 1; i < s.Length; i++) Assert.True(s.T![i] > s.T[i - 1], $"{d.Word}: t {s.T[i - 1]} then {s.T[i]}");
                Assert.All(s.X.Concat(s.Y), v => Assert.InRange(v, 0, 255));
            }
            // The pen rests at least PauseMin, then travels to the next start at top speed.
            for (var k = 1; k < d.Strokes.Count; k++)
            {
                var (before, after) = (d.Strokes[k - 1], d.Strokes[k]);
                var travel = Distance(before.X[^1], before.Y[^1], after.X[0], after.Y[0]);
                // Recorded points carry the hand's noise (0.4 px) on top of the path the timing followed.
                Assert.InRange(after.T![0] - before.T![^1], timing.PauseMin + (travel - 4) / timing.Speed - 1, timing.PauseMax + (travel + 4) / timing.Speed + 1);
            }
        }
    }

    [Fact]
    public void EachShapeHasItsOwnStrokesAndCorners()
    {
        // Ramer-Douglas-Peucker at 4 px strips the hand's wobble and leaves a polygon's corners (closed shapes end
        // where they start): square 4 + 1, triangle 3 + 1, pentagram 5 + 1, zigzag 7, cross two bars, house a
        // closed body and a roof. Curves keep many points.
        var expected = new Dictionary<string, int[]>
        {
            ["square"] = [5], ["triangle"] = [4], ["star"] = [6], ["zigzag"] = [7], ["cross"] = [2, 2], ["house"] = [5, 3],
        };
        foreach (var d in Doodles)
        {
            var corners = d.Strokes.Select(s => StrokeSimplifier.Rdp(s, 4).Length).ToArray();
            if (expected.TryGetValue(d.Word, out var counts)) Assert.Equal(counts, corners);
            else Assert.True(Assert.Single(corners) > 8, $"{d.Word} simplifies to {corners[0]} points");
        }
    }

    [Fact]
    public void CirclesStayNearOneRadiusAndSpiralsWindOutwards()
    {
        foreach (var d in Doodles)
        {
            var points = d.Strokes.SelectMany(s => s.X.Zip(s.Y)).ToList();
            double cx = (points.Min(p => p.First) + points.Max(p => p.First)) / 2, cy = (points.Min(p => p.Second) + points.Max(p => p.Second)) / 2;
            var radii = points.Select(p => Distance((float)cx, (float)cy, p.First, p.Second)).ToList();
            // A circle stretched by up to 10% each way (an ellipse of axes within 1.22) with a 2% wobble stays within
            // 1.3 of its smallest radius; a square's corners are already sqrt(2) from its centre.
            if (d.Word == "circle") Assert.InRange(radii.Max() / radii.Min(), 1, 1.3);
            if (d.Word is "square" or "triangle" or "star") Assert.True(radii.Max() / radii.Min() > 1.35, $"{d.Word}: {radii.Max() / radii.Min()}");
            if (d.Word == "spiral")
            {
                // The spiral starts near its centre: the last third of its points is far further from the start than the first third.
                var third = points.Count / 3;
                var fromStart = points.Select(p => Distance(points[0].First, points[0].Second, p.First, p.Second)).ToList();
                Assert.True(fromStart.TakeLast(third).Average() > 2 * fromStart.Take(third).Average());
            }
        }
    }

    [Fact]
    public void ThePenIsSlowAtTheEndsOfStrokesAndAtCorners()
    {
        foreach (var d in Doodles)
            foreach (var s in d.Strokes)
            {
                var peak = Enumerable.Range(1, s.Length - 1).Max(i => Speed(s, i - 1, i));
                // Measured at most 0.24 of the peak over the first and last three intervals.
                Assert.True(Speed(s, 0, 3) < 0.4 * peak, $"{d.Word} starts at {Speed(s, 0, 3) / peak} of its peak");
                Assert.True(Speed(s, s.Length - 4, s.Length - 1) < 0.4 * peak, $"{d.Word} ends at {Speed(s, s.Length - 4, s.Length - 1) / peak} of its peak");
                if (d.Word is not ("square" or "triangle" or "star" or "zigzag")) continue;
                // Near a corner (within 4 px of an interior vertex of the simplified polygon) the pen moves at most
                // 0.2 of its speed on the sides, 15 px or more from corners and ends (measured on these doodles).
                var polygon = StrokeSimplifier.Rdp(s, 4);
                var corners = Enumerable.Range(1, polygon.Length - 2).Select(i => (polygon.X[i], polygon.Y[i])).ToList();
                List<double> near = [], far = [];
                for (var i = 1; i < s.Length; i++)
                {
                    float mx = (s.X[i] + s.X[i - 1]) / 2, my = (s.Y[i] + s.Y[i - 1]) / 2;
                    var toCorner = corners.Min(c => Distance(mx, my, c.Item1, c.Item2));
                    var toEnd = Math.Min(Distance(mx, my, s.X[0], s.Y[0]), Distance(mx, my, s.X[^1], s.Y[^1]));
                    if (toCorner < 4) near.Add(Speed(s, i - 1, i));
                    else if (toCorner > 15 && toEnd > 15) far.Add(Speed(s, i - 1, i));
                }
                Assert.True(near.Average() < 0.4 * far.Average(), $"{d.Word}: {near.Average()} at corners, {far.Average()} on the sides");
            }
    }

    [Fact]
    public void DoodlesConvertToStroke6WithTheirPauses()
    {
        var d = Doodles.First(x => x.Word == "house");
        var rows = Stroke6.FromStrokes(d.Strokes);
        Assert.Equal(d.Strokes.Sum(s => s.Length), rows.Length);
        Assert.Equal(d.Strokes[^1].T![^1], Enumerable.Range(0, rows.Length).Sum(i => rows[i, 2]), 1e-2);
        // The row starting the roof carries the pause after the body.
        var roof = d.Strokes[0].Length;
        Assert.Equal(d.Strokes[1].T![0] - d.Strokes[0].T![^1], rows[roof, 2]);
        Assert.Equal(1f, rows[roof - 1, 4]);
    }

    [Fact]
    public void TimingFollowsAStraightPathAtTopSpeedInTheMiddle()
    {
        var timing = new DoodleTiming();
        var timed = timing.Apply([new Stroke([0, 200], [10, 10]), new Stroke([50], [60])], new Random(1));
        var line = timed[0];
        Assert.All(line.Y, y => Assert.Equal(10f, y));
        Assert.Equal((0f, 200f), (line.X[0], line.X[^1]));
        Assert.True(line.X.Zip(line.X.Skip(1)).All(p => p.Second > p.First));
        // Away from the ends (20 units of easing) the pen runs at Speed; whole-ms times leave a few percent of error.
        var middle = Enumerable.Range(1, line.Length - 1).Where(i => line.X[i - 1] > 40 && line.X[i] < 160).ToList();
        Assert.NotEmpty(middle);
        Assert.Equal(timing.Speed, middle.Sum(i => line.X[i] - line.X[i - 1]) / middle.Sum(i => line.T![i] - line.T[i - 1]), 0.02);
        Assert.True(line.T![^1] > 200 / timing.Speed);
        // A one-point path stays a dot, after a pause and the travel.
        var dot = timed[1];
        Assert.Equal(new Stroke([50], [60], dot.T), dot);
        Assert.InRange(dot.T![0] - line.T[^1], timing.PauseMin + Distance(200, 10, 50, 60) / timing.Speed - 1, timing.PauseMax + Distance(200, 10, 50, 60) / timing.Speed + 1);
    }

    [Fact]
    public void HersheyGlyphsCanBeTimedToo()
    {
        var glyph = QuickDrawCanvas.Fit(HersheyFont.Load("futural")['A'].Strokes);
        var timed = new DoodleTiming().Apply(glyph, new Random(2));
        Assert.Equal(3, timed.Count);
        // Every recorded point lies on the glyph's stroke it follows, and its ends are kept.
        foreach (var (path, stroke) in glyph.Zip(timed))
        {
            Assert.Equal((path.X[0], path.Y[0], path.X[^1], path.Y[^1]), (stroke.X[0], stroke.Y[0], stroke.X[^1], stroke.Y[^1]));
            for (var i = 0; i < stroke.Length; i++)
                Assert.Equal(0, Enumerable.Range(1, path.Length - 1).Min(k => DistanceToSegment(stroke.X[i], stroke.Y[i], path, k - 1, k)), 1e-3);
        }
        Assert.Equal(timed.Sum(s => s.Length), Stroke6.FromStrokes(timed).Length);
    }

    static double DistanceToSegment(float px, float py, Stroke s, int a, int b)
    {
        double dx = s.X[b] - s.X[a], dy = s.Y[b] - s.Y[a];
        var t = Math.Clamp(((px - s.X[a]) * dx + (py - s.Y[a]) * dy) / (dx * dx + dy * dy), 0, 1);
        return Math.Sqrt(Math.Pow(px - s.X[a] - t * dx, 2) + Math.Pow(py - s.Y[a] - t * dy, 2));
    }

    [Fact]
    public void ImpossibleTimingsAreRefused()
    {
        Stroke[] path = [new([0, 10], [0, 0])];
        Assert.Throws<InvalidOperationException>(() => new DoodleTiming(SlowSpeed: 0).Apply(path, new Random(1)));
        Assert.Throws<InvalidOperationException>(() => new DoodleTiming(Speed: 0.01, SlowSpeed: 0.1).Apply(path, new Random(1)));
        Assert.Throws<InvalidOperationException>(() => new DoodleTiming(SampleInterval: 1).Apply(path, new Random(1)));
        Assert.Throws<InvalidOperationException>(() => new DoodleTiming(PauseMin: 500, PauseMax: 100).Apply(path, new Random(1)));
        Assert.Throws<ArgumentOutOfRangeException>(() => SyntheticDoodles.Generate(-1, seed: 0));
    }
}
