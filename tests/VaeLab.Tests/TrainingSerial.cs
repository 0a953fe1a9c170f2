namespace VaeLab.Tests;

/// <summary>
/// Model and training tests that seed the global random generator and rely on what it then draws (initial weights,
/// reparameterisation noise, exact resumption) run in this collection, alone, after the parallel tests.
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class TrainingSerial
{
    public const string Name = "VaeLab models and training (global random generator)";
}
