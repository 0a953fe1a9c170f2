namespace VaeLab.Tests;

public class ProjectWiringTests
{
    [Fact]
    public void TheNativeShimLoadsThroughTheLibraryReference()
    {
        using var x = ones(2, 2);
        Assert.Equal(4.0, x.sum().ToDouble());
    }
}
