using VaeLab.Data.QuickDraw;

namespace VaeLab.Tests.Data.Strokes;

public class StrokeBatchTests
{
    [Fact]
    public void Stroke3BatchMatchesSketchRnnsPadBatch()
    {
        var valid = SketchRnnNpz.Read(DataFixtures.PathOf("sketchrnn_p3.npz")).Valid;
        var nmax = StrokeTestData.Expected.GetProperty("batch_p3_valid_nmax").GetInt32();
        using var batch = StrokeBatch.FromStroke3(valid, nmax);
        var expected = StrokeTestData.Rows(StrokeTestData.Expected.GetProperty("batch_p3_valid"));
        Assert.Equal(new long[] { valid.Count, nmax + 1, 5 }, batch.Strokes.shape);
        Assert.Equal(ScalarType.Float32, batch.Strokes.dtype);
        Assert.Equal(expected.SelectMany(r => r), batch.Strokes.data<float>().ToArray());
        Assert.Equal(valid.Select(s => (long)s.Length), batch.Lengths);
        Assert.Equal(nmax, batch.Nmax);
    }

    [Fact]
    public void MaskMarksThePredictedRowsThatAreData()
    {
        using var batch = StrokeBatch.FromStroke3([new Stroke3([1, 1, 0, 2, 2, 1]), new Stroke3([3, 3, 1])]);
        Assert.Equal(new long[] { 2, 2 }, batch.Mask.shape);
        Assert.Equal([1, 1, 1, 0], batch.Mask.data<float>().ToArray());
        Assert.Equal([2L, 1L], batch.Lengths);
        Assert.Equal([0, 0, 1, 0, 0, 1, 1, 1, 0, 0, 2, 2, 0, 1, 0,
                      0, 0, 1, 0, 0, 3, 3, 0, 1, 0, 0, 0, 0, 0, 1], batch.Strokes.data<float>().ToArray());
    }

    [Fact]
    public void Stroke6BatchStartsWithZerosAndPadsWithTheEndFlag()
    {
        var sequence = Stroke6.FromStrokes([new Stroke([5, 6], [7, 8], [0, 20])]);
        using var batch = StrokeBatch.FromStroke6([sequence], nmax: 3);
        Assert.Equal(new long[] { 1, 4, 6 }, batch.Strokes.shape);
        Assert.Equal([0, 0, 0, 0, 0, 0, 5, 7, 0, 1, 0, 0, 1, 1, 20, 0, 1, 0, 0, 0, 0, 0, 0, 1], batch.Strokes.data<float>().ToArray());
        Assert.Equal([1, 1, 0], batch.Mask.data<float>().ToArray());
    }

    [Fact]
    public void NmaxShorterThanASequenceOrAnEmptyBatchIsAnError()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => StrokeBatch.FromStroke3([new Stroke3(new float[9])], nmax: 2));
        Assert.Throws<ArgumentException>(() => StrokeBatch.FromStroke3([]));
    }
}
