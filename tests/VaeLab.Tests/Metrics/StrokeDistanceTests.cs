namespace VaeLab.Tests.Metrics;

public class StrokeDistanceTests
{
    static double[] Uniform(int n, double low, double high, int seed)
    {
        var random = new Random(seed);
        return Enumerable.Range(0, n).Select(_ => low + (high - low) * random.NextDouble()).ToArray();
    }

    [Fact]
    public void IdenticalSamplesAreAtDistanceZero()
    {
        var a = Uniform(500, -2, 3, 0);
        Assert.Equal(0, StrokeDistances.jensen_shannon(a, a), 12);
        Assert.Equal(0, StrokeDistances.wasserstein(a, a.Reverse().ToArray()), 12);
    }

    [Fact]
    public void DisjointHistogramsHaveTheLargestDivergence()
    {
        Assert.Equal(1, StrokeDistances.jensen_shannon(Uniform(300, 0, 1, 1), Uniform(200, 5, 6, 2)), 12);
    }

    [Fact]
    public void ShiftingASampleMovesItByTheShift()
    {
        var a = Uniform(250, -1, 1, 3);
        Assert.Equal(0.7, StrokeDistances.wasserstein(a, a.Select(v => v + 0.7).ToArray()), 12);
        Assert.Equal(0.7, StrokeDistances.wasserstein(a.Select(v => v - 0.7).ToArray(), a), 12);
    }

    [Theory]
    [InlineData("distances_normal")]
    [InlineData("distances_ties")]
    public void DistancesMatchScipy(string name)
    {
        var c = RecordedFixture.Load("sketch.json", name);
        using var a = c.Input("a");
        using var b = c.Input("b");
        var (x, y) = (a.data<double>().ToArray(), b.data<double>().ToArray());
        Assert.Equal(c.Output("jensen_shannon").ToDouble(), StrokeDistances.jensen_shannon(x, y, (int)c.Arg("bins")), 12);
        Assert.Equal(c.Output("wasserstein").ToDouble(), StrokeDistances.wasserstein(x, y), 12);
    }

    [Fact]
    public void HistogramsShareTheirRangeAndCountEveryValue()
    {
        var (a, b, edges) = StrokeDistances.histograms([0, 1, 2, 3, 4], [2, 2, 6], 3);
        Assert.Equal([0.0, 2, 4, 6], edges);
        Assert.Equal([2.0, 2, 1], a);
        Assert.Equal([0.0, 2, 1], b);
        var (single, _, around) = StrokeDistances.histograms([5.0], [5.0], 2);
        Assert.Equal([4.5, 5, 5.5], around);
        Assert.Equal(1, single.Sum());
    }

    [Fact]
    public void CompareMeasuresDtOnlyForStroke6()
    {
        var real = SketchTesting.TimedSketches(6, seed: 1);
        var generated = SketchTesting.TimedSketches(6, seed: 2);
        var timed = StrokeDistances.compare(real, generated);
        Assert.Equal(["dx", "dy", "dt"], timed.Keys);
        var dt = (real.SelectMany(s => Enumerable.Range(0, s.Length).Select(r => (double)s[r, 2])).ToArray(),
            generated.SelectMany(s => Enumerable.Range(0, s.Length).Select(r => (double)s[r, 2])).ToArray());
        Assert.Equal(StrokeDistances.wasserstein(dt.Item1, dt.Item2), timed["dt"].wasserstein);
        var plain = StrokeDistances.compare(SketchTesting.Sketches(3), SketchTesting.Sketches(3, seed: 5));
        Assert.Equal(["dx", "dy"], plain.Keys);
    }
}
