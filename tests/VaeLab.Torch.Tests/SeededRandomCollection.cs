namespace VaeLab.Torch.Tests;

/// <summary>
/// Tests that seed libtorch's global generator and compare what it draws with PyTorch. Other test
/// classes run in parallel and draw from the same generator, so these run on their own.
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class SeededRandomCollection
{
    public const string Name = "seeded random";
}
