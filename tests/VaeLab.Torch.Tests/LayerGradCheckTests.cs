using static VaeLab.Torch.torch.nn;

namespace VaeLab.Torch.Tests;

/// <summary>Autograd through each parametrised layer, in float64, against finite differences w.r.t. input and parameters.</summary>
public class LayerGradCheckTests
{
    static void Check(Module<Tensor, Tensor> layer, params long[] inputShape)
    {
        using var scope = NewDisposeScope();
        layer.to(ScalarType.Float64);
        var x = GradCheck.Input(inputShape);
        GradCheck.Check(_ => layer.call(x), [x, .. layer.parameters()]);
        layer.Dispose();
    }

    [Fact] public void LinearLayer() => Check(Linear(3, 2), 4, 3);
    [Fact] public void Conv2dStridedGrouped() => Check(Conv2d(4, 2, 3, stride: 2, padding: 1, groups: 2), 1, 4, 4, 4);
    [Fact] public void ConvTranspose2dStridedGrouped() => Check(ConvTranspose2d(2, 4, 3, stride: 2, padding: 1, output_padding: 1, groups: 2), 1, 2, 2, 2);
    [Fact] public void BatchNorm1dInTraining() => Check(BatchNorm1d(3), 5, 3);
    [Fact] public void BatchNorm2dInTraining() => Check(BatchNorm2d(2), 3, 2, 2, 2);
    [Fact] public void LayerNormLayer() => Check(LayerNorm([2, 3]), 2, 2, 3);
}
