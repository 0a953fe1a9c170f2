using VaeLab.Tests.Torch;

namespace VaeLab.Tests.Models;

/// <summary>
/// Finite-difference checks of the gradients of VaeLab's own differentiable pieces that are not TorchSharp layers: the
/// mixture head's costs (from raw outputs through split's exp, tanh and Tikhonov term) and the VAE loss terms. (The
/// packed LSTM and the LayerNorm LSTM cell have theirs in their own test classes.)
/// </summary>
[Collection(TrainingSerial.Name)]
public class CustomGradientTests
{
    [Theory]
    [InlineData(false, 0.0)]
    [InlineData(true, 0.0)]
    [InlineData(true, 0.01)]
    public void TheMixtureCostsGradientsMatchFiniteDifferences(bool temporal, double reg_covar)
    {
        manual_seed(21);
        using var head = new GmmHead(4, 3, temporal, reg_covar);
        head.to(float64);
        using var scope = NewDisposeScope();
        var width = temporal ? 6 : 5;
        // Two sequences of three steps: offsets, then a one-hot pen state.
        var offsets = randn(2, 3, width - 3, float64);
        var pen = nn.functional.one_hot(randint(0, 3, [2, 3]), 3).to(float64);
        var target = cat([offsets, pen], -1);
        GradCheck.Check(i =>
        {
            var mixture = head.split(i[0]);
            return mixture.stroke_nll(target) + mixture.pen_nll(target);
        }, [GradCheck.Input(2, 3, head.output_size)]);
    }

    [Fact]
    public void TheLossTermsGradientsMatchFiniteDifferences()
    {
        manual_seed(22);
        using var scope = NewDisposeScope();
        var x = rand(2, 5, float64);
        GradCheck.Check(i => Losses.gaussian_kl(i[0], i[1]), [GradCheck.Input(2, 5), GradCheck.Input(2, 5)]);
        GradCheck.Check(i => Losses.gaussian_kl(i[0], i[1], i[2], i[3]),
            [GradCheck.Input(2, 5), GradCheck.Input(2, 5), GradCheck.Input(2, 5), GradCheck.Input(2, 5)]);
        GradCheck.Check(i => Losses.bernoulli_log_prob(i[0], x), [GradCheck.Input(2, 5)]);
        GradCheck.Check(i => Losses.mse(i[0], x), [GradCheck.Input(2, 5)]);
        GradCheck.Check(i => Losses.elbo(i[0], i[1]), [GradCheck.Input(2, 5), GradCheck.Input(2, 3)]);
    }
}
