using static VaeLab.Torch.torch;
using F = VaeLab.Torch.torch.nn.functional;

namespace VaeLab.Torch.Modules;

/// <summary>log(softmax(x)) along dim, computed stably, as torch.nn.LogSoftmax.</summary>
public sealed class LogSoftmax(long dim) : nn.Module<Tensor, Tensor>
{
    public long dim { get; } = dim;

    public override Tensor forward(Tensor input) => F.log_softmax(input, dim);
}
