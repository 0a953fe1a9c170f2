using System.Diagnostics;

namespace VaeLab.Notebooks.Tests;

/// <summary>Validation by Jupyter's own nbformat package (Debian's python3-nbformat, which scripts/setup.sh installs).</summary>
static class Nbformat
{
    const string Python = "/usr/bin/python3";

    public static readonly bool Available = Run("import nbformat").ExitCode == 0;

    /// <summary>Reads each file as nbformat 4 and validates it against the schema of its minor version; the errors, or "".</summary>
    public static string Validate(params string[] files)
    {
        var (exitCode, output) = Run("""
            import nbformat, sys
            for path in sys.argv[1:]:
                nb = nbformat.read(path, as_version=4)
                assert (nb.nbformat, nb.nbformat_minor) == (4, 5), (path, nb.nbformat, nb.nbformat_minor)
                nbformat.validate(nb)
            """, files);
        return exitCode == 0 ? "" : output;
    }

    static (int ExitCode, string Output) Run(string script, params string[] arguments)
    {
        if (!File.Exists(Python)) return (-1, $"{Python} not found");
        var start = new ProcessStartInfo(Python) { RedirectStandardError = true, RedirectStandardOutput = true };
        start.ArgumentList.Add("-c");
        start.ArgumentList.Add(script);
        foreach (var argument in arguments) start.ArgumentList.Add(argument);
        using var process = Process.Start(start)!;
        var stderr = process.StandardError.ReadToEndAsync();
        var stdout = process.StandardOutput.ReadToEnd();
        process.WaitForExit();
        return (process.ExitCode, stdout + stderr.Result);
    }
}

/// <summary>A test that needs nbformat; skipped, with the reason, where /usr/bin/python3 cannot import it.</summary>
public sealed class NbformatFactAttribute : FactAttribute
{
    public NbformatFactAttribute()
    {
        if (!Nbformat.Available) Skip = "/usr/bin/python3 cannot import nbformat: install python3-nbformat (scripts/setup.sh does)";
    }
}

/// <summary>A theory that needs nbformat; skipped, with the reason, where /usr/bin/python3 cannot import it.</summary>
public sealed class NbformatTheoryAttribute : TheoryAttribute
{
    public NbformatTheoryAttribute()
    {
        if (!Nbformat.Available) Skip = "/usr/bin/python3 cannot import nbformat: install python3-nbformat (scripts/setup.sh does)";
    }
}
