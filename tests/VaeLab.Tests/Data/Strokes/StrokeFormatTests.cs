namespace VaeLab.Tests.Data.Strokes;

public class StrokeFormatTests
{
    [Fact]
    public void Stroke3StartsFromTheOriginAndLiftsThePenAtTheEndOfEachStroke()
    {
        var strokes = new[] { new Stroke([1, 4], [2, 6]), new Stroke([10], [10]) };
        Assert.Equal([1, 2, 0, 3, 4, 1, 6, 4, 1], Stroke3.FromStrokes(strokes).Data);
    }

    [Fact]
    public void Stroke3MatchesSketchRnnsLinesToStrokes()
    {
        var drawings = DataFixtures.ExpectedDrawings("simplified");
        var expected = StrokeTestData.Rows(StrokeTestData.Expected.GetProperty("stroke3"));
        Assert.Equal(expected, drawings.Select(d => Stroke3.FromStrokes(d.Strokes).Data));
    }

    [Fact]
    public void Stroke3RoundTripsAbsoluteStrokesWithoutTiming()
    {
        var random = new Random(1);
        for (var i = 0; i < 50; i++)
        {
            var strokes = StrokeTestData.RandomStrokes(random, timing: false);
            Assert.Equal(strokes, Stroke3.FromStrokes(strokes).ToStrokes());
        }
        foreach (var drawing in DataFixtures.ExpectedDrawings("raw"))
            Assert.Equal(drawing.Strokes.Select(s => new Stroke(s.X, s.Y)), Stroke3.FromStrokes(drawing.Strokes).ToStrokes());
    }

    [Fact]
    public void Stroke3ToStrokesKeepsPointsAfterTheLastLiftAsAFinalStroke()
    {
        var cut = new Stroke3([1, 1, 0, 1, 1, 1, 5, 5, 0, 1, 0, 0]);
        Assert.Equal([new Stroke([1, 2], [1, 2]), new Stroke([7, 8], [7, 7])], cut.ToStrokes());
    }

    [Fact]
    public void Stroke5MatchesToBigStrokesAndComesBackAsStroke3()
    {
        var stroke3 = StrokeTestData.Rows(StrokeTestData.Expected.GetProperty("stroke3"));
        var padded = StrokeTestData.Rows(StrokeTestData.Expected.GetProperty("stroke5_padded"));
        for (var i = 0; i < stroke3.Length; i++)
        {
            var sequence = new Stroke3(stroke3[i]);
            var stroke5 = sequence.ToStroke5(sequence.Length + 3);
            Assert.Equal(padded[i], stroke5.Data);
            Assert.Equal(sequence.Data, stroke5.ToStroke3().Data);
            Assert.Equal(sequence.Data, sequence.ToStroke5().ToStroke3().Data);
            Assert.Equal(sequence.Length, sequence.ToStroke5().Length);
        }
        Assert.Throws<ArgumentOutOfRangeException>(() => new Stroke3(stroke3[0]).ToStroke5(1));
    }

    [Fact]
    public void Stroke5StopsAtTheFirstEndRow()
    {
        // A sampled sequence: two rows, an end row, then rows after the end that mean nothing.
        var sampled = new Stroke5([3, 4, 1, 0, 0, 5, 6, 0, 1, 0, 0, 0, 0, 0, 1, 9, 9, 1, 0, 0]);
        Assert.Equal([3, 4, 0, 5, 6, 1], sampled.ToStroke3().Data);
    }

    [Fact]
    public void Stroke6HoldsTimeOffsetsAndRoundTripsRawDrawings()
    {
        var drawings = DataFixtures.ExpectedDrawings("raw");
        var expected = StrokeTestData.Rows(StrokeTestData.Expected.GetProperty("stroke6"));
        for (var i = 0; i < drawings.Count; i++)
        {
            var stroke6 = Stroke6.FromStrokes(drawings[i].Strokes);
            Assert.Equal(expected[i], stroke6.Data);
            Assert.Equal(drawings[i].Strokes, stroke6.ToStrokes());
            Assert.Equal(Stroke3.FromStrokes(drawings[i].Strokes).Data, stroke6.ToStroke3().Data);
        }
        var random = new Random(2);
        for (var i = 0; i < 50; i++)
        {
            var strokes = StrokeTestData.RandomStrokes(random, timing: true);
            Assert.Equal(strokes, Stroke6.FromStrokes(strokes).ToStrokes());
        }
    }

    [Fact]
    public void Stroke6NeedsTiming()
    {
        var error = Assert.Throws<ArgumentException>(() => Stroke6.FromStrokes(DataFixtures.ExpectedDrawings("simplified")[0].Strokes));
        Assert.Contains("timing", error.Message);
    }

    [Fact]
    public void StrokesWithoutPointsAreDropped()
    {
        var strokes = new[] { new Stroke([1], [2]), new Stroke([], []), new Stroke([3], [4]) };
        Assert.Equal([strokes[0], strokes[2]], Stroke3.FromStrokes(strokes).ToStrokes());
    }

    [Fact]
    public void RowsMustFillTheWidth()
    {
        Assert.Throws<ArgumentException>(() => new Stroke5(new float[7]));
    }
}
