namespace VaeLab.Torch.Modules;

/// <summary>
/// A two-dim size such as a kernel, stride or padding: one number for both dims, as in
/// <c>nn.Conv2d(1, 32, 3, stride: 2)</c>, or a (height, width) pair, as in <c>kernel_size: (3, 5)</c>.
/// </summary>
public readonly record struct Size2(long height, long width)
{
    public static implicit operator Size2(long both) => new(both, both);
    public static implicit operator Size2((long height, long width) pair) => new(pair.height, pair.width);

    internal long[] ToArray() => [height, width];

    internal void CheckAtLeast(long minimum, string name)
    {
        if (height < minimum || width < minimum)
            throw new ArgumentException($"{name} must be at least {minimum} in each dim, got {this}", name);
    }

    public override string ToString() => $"({height}, {width})";
}
