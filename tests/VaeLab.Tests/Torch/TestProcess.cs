using System.Diagnostics;
using System.Runtime.CompilerServices;
using VaeLab.Torch;

namespace VaeLab.Tests.Torch;

/// <summary>
/// The test assembly as a process. Under the test host VaeLab initialises before any test runs. Run as a program
/// (dotnet VaeLab.Tests.dll ...), it is the child process of tests that cannot run in their own: calls that abort the
/// process, what libgomp reads from the environment when libtorch loads, how malloc reuses freed memory when no
/// other test's threads share its arenas, and runs registry writers racing another process.
/// </summary>
public static class TestProcess
{
    // VaeLab's module initializer sets libtorch's OpenMP environment, which libgomp reads once, as libtorch loads. Some
    // test classes call TorchSharp alone, and the first of them would otherwise load libtorch before any VaeLab code ran.
#pragma warning disable CA2255
    [ModuleInitializer]
#pragma warning restore CA2255
    internal static void InitialiseVaeLabFirst() => RuntimeHelpers.RunModuleConstructor(typeof(TorchRuntime).Module.ModuleHandle);

    static int Main(string[] args)
    {
        switch (args)
        {
            case ["abort", var name]:
                AbortingCallsTests.Calls[name].call();
                return 0;
            case ["threads"]:
                Console.WriteLine(get_num_threads());
                return 0;
            case ["malloc-reuse"]:
                var (faults, pages) = TorchRuntimeTests.FaultsOnReusingFreedBlocks();
                Console.WriteLine($"{faults} {pages}");
                return 0;
            case ["registry-writes", var db, var run, var count]:
                Runs.RunRegistryTests.WriteMetrics(db, run, int.Parse(count));
                return 0;
            default:
                Console.Error.WriteLine("usage: dotnet VaeLab.Tests.dll (abort <name> | threads | malloc-reuse | registry-writes <db> <run> <count>)");
                return 2;
        }
    }

    public sealed record Result(int exit_code, string stdout, string stderr);

    /// <summary>Runs this assembly as a child process with the given arguments, in this process's environment changed by
    /// <paramref name="environment"/> (a null value removes the variable).</summary>
    public static Result Run(IReadOnlyDictionary<string, string?> environment, params string[] args)
    {
        // Through sh for "ulimit -c 0": an aborted child leaves no core file behind.
        var start = new ProcessStartInfo("/bin/sh") { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var arg in (string[])["-c", "ulimit -c 0; exec \"$@\"", "sh",
                     Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") ?? "dotnet", typeof(TestProcess).Assembly.Location, .. args])
            start.ArgumentList.Add(arg);
        foreach (var (name, value) in environment)
        {
            if (value is null) start.Environment.Remove(name);
            else start.Environment[name] = value;
        }
        using var child = Process.Start(start)!;
        var stderr = child.StandardError.ReadToEndAsync();
        var stdout = child.StandardOutput.ReadToEnd();
        if (!child.WaitForExit(TimeSpan.FromMinutes(1)))
        {
            child.Kill();
            Assert.Fail($"dotnet VaeLab.Tests.dll {string.Join(' ', args)} ran for over a minute");
        }
        return new Result(child.ExitCode, stdout, stderr.Result);
    }
}
