using static VaeLab.Torch.torch;

namespace VaeLab.Torch.Modules;

/// <summary>Splits dim into unflattened_size, as torch.nn.Unflatten (the inverse of Flatten).</summary>
public sealed class Unflatten : nn.Module<Tensor, Tensor>
{
    public long dim { get; }
    public long[] unflattened_size { get; }

    public Unflatten(long dim, long[] unflattened_size)
    {
        if (unflattened_size.Length == 0) throw new ArgumentException("unflattened_size needs at least one dim", nameof(unflattened_size));
        this.dim = dim;
        this.unflattened_size = (long[])unflattened_size.Clone();
    }

    public override Tensor forward(Tensor input) => input.unflatten(dim, unflattened_size);
}
