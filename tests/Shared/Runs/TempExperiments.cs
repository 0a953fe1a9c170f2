using System.Runtime.CompilerServices;

namespace VaeLab.Testing;

/// <summary>
/// The shipped notebooks record runs (Run.start); under test they go to a temporary experiments folder, not the
/// repository's experiments/: VAELAB_EXPERIMENTS is set as the test assembly loads, before any notebook runs, and the
/// kernels that nbclient starts inherit it. The folder stays (the runs' last writes come as the process exits), with
/// the tiny runs' files, in the system's temporary folder. Compiled into the test projects that run the shipped notebooks.
/// </summary>
static class TempExperiments
{
    public static string Folder { get; private set; } = "";

    [ModuleInitializer]
    internal static void Set()
    {
        Folder = Directory.CreateTempSubdirectory("vaelab-test-experiments-").FullName;
        Environment.SetEnvironmentVariable("VAELAB_EXPERIMENTS", Folder);
    }
}
