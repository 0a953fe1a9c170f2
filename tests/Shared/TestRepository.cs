namespace VaeLab.Testing;

/// <summary>The repository a test assembly was built in: the nearest folder above it that holds Polyglot.sln. Shared by
/// the test projects (and the fuzzer), which read notebooks, presets and fixtures from it.</summary>
public static class TestRepository
{
    public static string Root { get; } = FindRoot();

    static string FindRoot()
    {
        for (var folder = new DirectoryInfo(AppContext.BaseDirectory); folder is not null; folder = folder.Parent)
            if (File.Exists(Path.Combine(folder.FullName, "Polyglot.sln"))) return folder.FullName;
        throw new DirectoryNotFoundException($"no Polyglot.sln above {AppContext.BaseDirectory}: run this from the repository it was built in");
    }
}
