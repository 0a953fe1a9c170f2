namespace VaeLab.Tests.Models.Sketch;

[Collection(TrainingSerial.Name)]
public class DoodleCnnTests
{
    [Fact]
    public void OutputsLogitsPerClassWithTheHandCountedParameters()
    {
        using var scope = NewDisposeScope();
        manual_seed(0);
        using var model = new DoodleCnn();
        Assert.Equal([2L, 10], model.call(rand(2, 1, 28, 28)).shape);
        long Conv(long cin, long cout) => cout * cin * 9 + cout + 2 * cout;  // weights, bias, BatchNorm's weight and bias
        var expected = Conv(1, 32) + Conv(32, 64) + Conv(64, 128) + Conv(128, 256) + Conv(256, 512)
            + (512 * 7 * 7 * 512 + 512) + (512 * 256 + 256) + (256 * 10 + 10);
        Assert.Equal(expected, model.num_parameters());
        ModelTesting.AssertLikePyTorch(model, "doodle_cnn", "sketch.json");
    }

    [Fact]
    public void DropoutActsOnlyInTraining()
    {
        using var scope = NewDisposeScope();
        manual_seed(1);
        using var model = new DoodleCnn(num_classes: 4);
        var x = rand(3, 1, 28, 28);
        model.eval();
        Assert.True(model.call(x).Equals(model.call(x)));
        model.train();
        Assert.False(model.call(x).Equals(model.call(x)));
    }

    [Fact]
    public void RejectsOtherImageSizes()
    {
        using var scope = NewDisposeScope();
        using var model = new DoodleCnn();
        Assert.Contains("[N, 1, 28, 28]", Assert.Throws<ArgumentException>(() => model.call(zeros(1, 1, 32, 32))).Message);
    }

    [Fact]
    public void TheConfusionMatrixCountsPairsAndPerClassAccuracy()
    {
        using var scope = NewDisposeScope();
        var matrix = new ConfusionMatrix(3);
        matrix.add(tensor(new long[] { 0, 0, 0, 1, 1 }), tensor(new long[] { 0, 0, 1, 1, 0 }));
        matrix.add(tensor(new long[] { 1 }), tensor(new float[,] { { 0.1f, 2f, 0.3f } }));
        Assert.Equal(new long[,] { { 2, 1, 0 }, { 1, 2, 0 }, { 0, 0, 0 } }, matrix.counts);
        Assert.Equal(6, matrix.total);
        Assert.Equal(4.0 / 6, matrix.accuracy, 12);
        var perClass = matrix.per_class_accuracy;
        Assert.Equal(2.0 / 3, perClass[0], 12);
        Assert.Equal(2.0 / 3, perClass[1], 12);
        Assert.True(double.IsNaN(perClass[2]));
        Assert.Throws<ArgumentOutOfRangeException>(() => matrix.add(3, 0));
    }
}
