using System.Text.Json;
using VaeLab.Data.QuickDraw;

namespace VaeLab.Tests.Data.Strokes;

public class StrokeScaleTests
{
    [Fact]
    public void FitsNumpysStdOfPooledDxDyOnTheTrainingSplit()
    {
        var train = SketchRnnNpz.Read(DataFixtures.PathOf("sketchrnn_p3.npz")).Train;
        var scale = StrokeScale.Fit(train);
        Assert.Equal(StrokeTestData.Expected.GetProperty("scale_xy_p3_train").GetDouble(), scale.Xy, 1e-12);
        Assert.Null(scale.Dt);
    }

    [Fact]
    public void FitsDtSeparatelyForStroke6()
    {
        var sequences = DataFixtures.ExpectedDrawings("raw").Select(d => Stroke6.FromStrokes(d.Strokes)).ToList();
        var scale = StrokeScale.Fit(sequences);
        Assert.Equal(StrokeTestData.Expected.GetProperty("scale_xy_raw").GetDouble(), scale.Xy, 1e-12);
        Assert.Equal(StrokeTestData.Expected.GetProperty("scale_dt_raw").GetDouble(), scale.Dt!.Value, 1e-12);
    }

    [Fact]
    public void NormalizeDividesOffsetsOnlyAndDenormalizeUndoesIt()
    {
        var scale = new StrokeScale(4, 10);
        var stroke6 = new Stroke6([8, -4, 30, 1, 0, 0, 2, 6, 5, 0, 1, 0]);
        var normalized = scale.Normalize(stroke6);
        Assert.Equal([2, -1, 3, 1, 0, 0, 0.5f, 1.5f, 0.5f, 0, 1, 0], normalized.Data);
        Assert.Equal(stroke6.Data, scale.Denormalize(normalized).Data);
        var stroke3 = new Stroke3([8, -4, 1]);
        Assert.Equal([2, -1, 1], scale.Normalize(stroke3).Data);
        Assert.Equal([8, -4, 1], stroke3.Data); // the input is left alone
    }

    [Fact]
    public void AScaleWithoutTimingRefusesStroke6()
    {
        var error = Assert.Throws<InvalidOperationException>(() => new StrokeScale(2).Normalize(new Stroke6(new float[6])));
        Assert.Contains("dt", error.Message);
    }

    [Fact]
    public void SerialisesToJsonAndBack()
    {
        var scale = new StrokeScale(17.25, 123.5);
        var json = JsonSerializer.Serialize(scale);
        Assert.Equal(scale, JsonSerializer.Deserialize<StrokeScale>(json));
        Assert.Contains("\"Xy\":17.25", json);
    }

    [Fact]
    public void ATrainingSplitWithoutSpreadIsAnError()
    {
        Assert.Throws<ArgumentException>(() => StrokeScale.Fit([new Stroke3([1, 1, 1])]));
    }
}
