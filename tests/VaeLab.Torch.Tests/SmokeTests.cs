namespace VaeLab.Torch.Tests;

public class SmokeTests
{
    [Fact]
    public void AddsBroadcastingTensorsAndReadsValuesBack()
    {
        using var a = tensor(new float[] { 1, 2, 3, 4 }, [2, 2]);
        using var b = tensor(new float[] { 10, 20 });
        using var c = a + b;
        Assert.Equal(new long[] { 2, 2 }, c.shape);
        Assert.Equal(new float[] { 11, 22, 13, 24 }, c.data<float>());
    }

    [Fact]
    public void BackwardOfSquareIsTwiceTheInput()
    {
        using var x = tensor(new double[] { 1.5, -2 }, requires_grad: true);
        using var y = (x * x).sum();
        y.backward();
        Assert.Equal(new[] { 3.0, -4.0 }, x.grad!.data<double>());
    }

    [Fact]
    public void ShapeMismatchRaisesTorchExceptionNamingTheOp()
    {
        using var a = zeros(2, 3);
        using var b = zeros(4, 5);
        var error = Assert.Throws<TorchException>(() => a.matmul(b));
        Assert.Equal("matmul", error.Operation);
        Assert.Contains("cannot be multiplied", error.NativeMessage);
    }
}

public class InPlaceScalarTests
{
    [Fact]
    public void InPlaceFloatScalarOnIntegerTensorIsAnErrorAsInPyTorch()
    {
        using var counts = arange(3);
        var error = Assert.Throws<TorchException>(() => counts.add_(0.5));
        Assert.Equal("add_", error.Operation);
        Assert.Equal(new long[] { 0, 1, 2 }, counts.data<long>());
        counts.mul_(2);
        Assert.Equal(new long[] { 0, 2, 4 }, counts.data<long>());
    }
}

public class PythonNumberTests
{
    [Fact]
    public void WholeNumbersKeepIntegerTensorsIntegralAndFractionsPromote()
    {
        using var counts = arange(3);
        using var doubled = counts * 2;
        using var halved = counts * 0.5;
        using var shifted = 1 - counts;
        Assert.Equal(ScalarType.Int64, doubled.dtype);
        Assert.Equal(new long[] { 0, 2, 4 }, doubled.data<long>());
        Assert.Equal(ScalarType.Float32, halved.dtype);
        Assert.Equal(ScalarType.Int64, shifted.dtype);
    }
}
