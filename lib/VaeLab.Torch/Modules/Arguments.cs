namespace VaeLab.Torch.Modules;

/// <summary>Constructor checks shared by the layers, so bad sizes fail where the layer is built.</summary>
internal static class Arguments
{
    internal static void Positive(long value, string name)
    {
        if (value <= 0) throw new ArgumentException($"{name} must be positive, got {value}", name);
    }

    internal static void DividedByGroups(long channels, long groups, string name)
    {
        if (channels % groups != 0)
            throw new ArgumentException($"{name} ({channels}) must be divisible by groups ({groups})", name);
    }
}
