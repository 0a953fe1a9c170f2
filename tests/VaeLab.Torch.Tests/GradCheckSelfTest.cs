namespace VaeLab.Torch.Tests;

public class GradCheckSelfTest
{
    [Fact]
    public void AcceptsACorrectGradient()
    {
        using var x = GradCheck.Input(3, 2);
        GradCheck.Check(i => (i[0] * i[0]).sin(), [x]);
    }

    [Fact]
    public void RejectsAWrongGradient()
    {
        // detach() hides part of the function from autograd, so the analytic gradient is wrong.
        using var x = GradCheck.Input(4);
        Assert.ThrowsAny<Exception>(() => GradCheck.Check(i => i[0] * i[0].detach() * i[0], [x]));
    }
}
