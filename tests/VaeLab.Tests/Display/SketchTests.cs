using VaeLab.Display;

namespace VaeLab.Tests.Display;

/// <summary>Drawings and offset rows shown as StrokeDrawings.</summary>
public class SketchTests
{
    static (double x, double y)[][] Points(StrokeDrawing drawing) =>
        drawing.Strokes.Select(s => s.X.Zip(s.Y).Select(p => (p.First, p.Second)).ToArray()).ToArray();

    [Fact]
    public void Stroke3RowsBecomeAbsoluteStrokesSplitWhereThePenLifts()
    {
        var sketch = new Stroke3([1, 2, 0, 3, 0, 1, 0, 5, 0, 2, 0, 1]);
        var drawing = sketch.ToStrokeDrawing("square");

        Assert.Equal([[(1.0, 2.0), (4, 2)], [(4, 7), (6, 7)]], Points(drawing));
        Assert.Equal("square", drawing.Caption);
        Assert.False(drawing.HasTimes);
        Assert.Equal(StrokeReplay.ConstantSpeed, drawing.Replay);
        Assert.All(drawing.Strokes, s => Assert.Null(s.Color));
    }

    [Fact]
    public void Stroke5StopsAtTheEndRowAndScaleDenormalises()
    {
        var sketch = new Stroke5([1, 1, 1, 0, 0, 1, 0, 0, 1, 0, 0, 0, 0, 0, 1, 9, 9, 1, 0, 0]);
        var drawing = sketch.ToStrokeDrawing(scale: new StrokeScale(10));

        Assert.Equal([[(10.0, 10.0), (20, 10)]], Points(drawing));
    }

    [Fact]
    public void Stroke6CarriesCumulativeTimesThatNeverRunBack()
    {
        var sketch = new Stroke6([0, 0, 0, 1, 0, 0, 1, 0, 2, 0, 1, 0, 0, 1, 5, 1, 0, 0, 1, 0, -3, 0, 1, 0]);
        var drawing = sketch.ToStrokeDrawing(scale: new StrokeScale(2, 100));

        Assert.True(drawing.HasTimes);
        Assert.Equal(StrokeReplay.RecordedTiming, drawing.Replay);
        Assert.Equal([[0.0, 200], [700, 700]], drawing.Strokes.Select(s => s.T!.ToArray()));
        Assert.Equal([[(0.0, 0.0), (2, 0)], [(2, 2), (4, 2)]], Points(drawing));
        Assert.Equal(StrokeReplay.ConstantSpeed, sketch.ToStrokeDrawing(replay: StrokeReplay.ConstantSpeed).Replay);
    }

    [Fact]
    public void RowsFromTheHighlightOnAreDrawnInTheHighlightColour()
    {
        // Two strokes of three points; the continuation starts inside the first one, at its third point.
        var sketch = new Stroke3([0, 0, 0, 1, 0, 0, 1, 0, 1, 0, 1, 0, 1, 0, 0, 1, 0, 1]);
        var drawing = sketch.ToStrokeDrawing(highlightFrom: 2, highlightColor: "red");

        Assert.Equal([[(0.0, 0.0), (1, 0)], [(1, 0), (2, 0)], [(2, 1), (3, 1), (4, 1)]], Points(drawing));
        Assert.Equal([null, "red", "red"], drawing.Strokes.Select(s => s.Color));

        var atStroke = sketch.ToStrokeDrawing(highlightFrom: 3);
        Assert.Equal([null, "#d62728"], atStroke.Strokes.Select(s => s.Color));
        Assert.Equal(2, atStroke.Strokes.Count);
    }

    [Fact]
    public void DrawingsKeepTheirStrokesAndTiming()
    {
        var drawing = new Drawing("k", "cat", "", true, null,
            [new Stroke([0, 5], [1, 1], [0, 80]), new Stroke([], []), new Stroke([2], [3], [300])]);

        var shown = drawing.ToStrokeDrawing("cat");

        Assert.Equal([[(0.0, 1.0), (5, 1)], [(2, 3)]], Points(shown));
        Assert.Equal([[0.0, 80], [300]], shown.Strokes.Select(s => s.T!.ToArray()));
        Assert.Equal(StrokeReplay.Off, drawing.ToStrokeDrawing(replay: StrokeReplay.Off).Replay);
    }
}
