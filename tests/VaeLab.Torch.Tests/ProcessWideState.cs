namespace VaeLab.Torch.Tests;

/// <summary>
/// Tests that read or change what is shared by the whole process (the global random generator, which
/// any test calling manual_seed relies on, the
/// thread pool size, resident memory) run in this collection, alone, after the parallel ones.
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class ProcessWideState
{
    public const string Name = "Process-wide torch state";
}
