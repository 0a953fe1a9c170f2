namespace VaeLab.Tests;

/// <summary>
/// Every test class that draws from the global random generator runs in this collection, alone, after the parallel
/// tests: those that seed it rely on what it then draws (initial weights, reparameterisation noise, exact resumption),
/// and a draw from another thread in between would move the sequence on.
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class TrainingSerial
{
    public const string Name = "VaeLab models and training (global random generator)";
}
