namespace VaeLab.Tests.Data.Strokes;

public class StrokePrefixTests
{
    [Fact]
    public void FirstStrokesKeepsTheDrawingsMetadata()
    {
        var drawing = DataFixtures.ExpectedDrawings("raw").First(d => d.Strokes.Count >= 2);
        var prefix = StrokePrefix.FirstStrokes(drawing, 1);
        Assert.Equal(drawing with { Strokes = [drawing.Strokes[0]] }, prefix);
        Assert.Throws<ArgumentOutOfRangeException>(() => StrokePrefix.FirstStrokes(drawing, drawing.Strokes.Count + 1));
    }

    [Fact]
    public void RandomFirstStrokesDrawsKFromOneToNMinusOne()
    {
        var strokes = Enumerable.Range(0, 5).Select(i => new Stroke([i], [i])).ToList();
        var drawing = new Drawing("1", "cat", "US", true, null, strokes);
        var random = new Random(7);
        var counts = Enumerable.Range(0, 500).Select(_ => StrokePrefix.RandomFirstStrokes(drawing, random).Strokes.Count).ToList();
        // k = max(floor(5 U), 1): 1 (U < 0.4) twice as often as 2, 3 or 4; never 5.
        Assert.Equal([1, 2, 3, 4], counts.Distinct().Order());
        Assert.InRange(counts.Count(k => k == 1) / 500.0, 0.32, 0.48);
    }

    [Fact]
    public void RandomCutKeepsBetweenRoundedLOneMinusFAndLRows()
    {
        var strokes = new Stroke3(Enumerable.Range(0, 30).Select(i => (float)i).ToArray()); // 10 rows
        var random = new Random(8);
        var lengths = Enumerable.Range(0, 300).Select(_ => StrokePrefix.RandomCut(strokes, 0.45, random)).ToList();
        // round(10 * 0.55) = round(5.5) = 6 (half to even): rows 6..10, both ends reached.
        Assert.Equal([6, 7, 8, 9, 10], lengths.Select(s => s.Length).Distinct().Order());
        Assert.All(lengths, s => Assert.Equal(strokes.Data[..s.Data.Length], s.Data));
        Assert.Equal(strokes.Data, StrokePrefix.RandomCut(strokes, 0, random).Data);
        Assert.Equal(1, StrokePrefix.RandomCut(new Stroke3([1, 2, 1]), 1, random).Length);
    }
}
