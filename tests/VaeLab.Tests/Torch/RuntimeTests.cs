using System.Runtime.InteropServices;
using System.Text.RegularExpressions;
using TorchSharp;
using VaeLab.Torch;
using static TorchSharp.torch;

namespace VaeLab.Tests.Torch;

/// <summary>The libtorch that runs, and the OpenMP settings that <see cref="TorchRuntime"/> makes before it loads.</summary>
public partial class RuntimeTests
{
    [DllImport("libc", EntryPoint = "getenv")]
    static extern IntPtr native_getenv(string name);

    [Fact]
    public void TheLoadedLibtorchIsTorchSharpsTwoPointTen()
    {
        using var x = ones(2);  // libtorch is loaded by now
        Assert.StartsWith("2.10", __version__);
        // Debian's libtorch 1.13 (libtorch_cpu.so.1.13 in /usr/lib) must not be the one the process maps.
        var libraries = File.ReadLines("/proc/self/maps").Select(line => line.Split(' ', StringSplitOptions.RemoveEmptyEntries))
            .Where(fields => fields.Length == 6).Select(fields => fields[5]).Distinct().ToList();
        var binding = libraries.Single(path => Path.GetFileName(path) == "libLibTorchSharp.so");
        var torch = libraries.Where(path => Path.GetFileName(path).StartsWith("libtorch") || Path.GetFileName(path).StartsWith("libc10")).ToList();
        Assert.Contains(torch, path => Path.GetFileName(path) == "libtorch_cpu.so");
        Assert.All(torch, path => Assert.Equal(Path.GetDirectoryName(binding), Path.GetDirectoryName(path)));
    }

    [Theory]
    [InlineData(TorchRuntime.WaitPolicyVariable)]
    [InlineData(TorchRuntime.ThreadsVariable)]
    public void TheCLibrarySeesTheSettingsThatDotNetSees(string variable)
    {
        // Unless the test runner chose a value, TorchRuntime did; either way libgomp, which reads getenv, sees .NET's value.
        var value = Environment.GetEnvironmentVariable(variable);
        Assert.NotNull(value);
        Assert.Equal(value, Marshal.PtrToStringAnsi(native_getenv(variable)));
    }

    /// <summary>
    /// A child process with the given environment prints libtorch's thread count, and libgomp prints the settings it read
    /// as libtorch loaded (OMP_DISPLAY_ENV). libtorch's count is OMP_NUM_THREADS capped at the physical cores (MKL_DYNAMIC),
    /// so only the defaults' count is a range. A null threads means every logical core.
    /// </summary>
    [Theory]
    [InlineData("1", null, null, 1, "PASSIVE")]
    [InlineData(null, null, null, null, "PASSIVE")]
    [InlineData("0", null, null, null, "PASSIVE")]
    [InlineData("2", "1", "ACTIVE", 1, "ACTIVE")]
    public void LibgompReadsTheSettingsAsLibtorchLoads(string? vaelabThreads, string? ompThreads, string? waitPolicy, int? threads, string policy)
    {
        var child = TestProcess.Run(new Dictionary<string, string?>
        {
            [TorchRuntime.VaeLabThreadsVariable] = vaelabThreads,
            [TorchRuntime.ThreadsVariable] = ompThreads,
            [TorchRuntime.WaitPolicyVariable] = waitPolicy,
            ["OMP_DISPLAY_ENV"] = "VERBOSE",
        }, "threads");
        Assert.True(child.exit_code == 0, child.stderr);
        var libgomp = DisplayedSetting().Matches(child.stderr).ToDictionary(m => m.Groups[1].Value, m => m.Groups[2].Value);
        var expected = threads ?? Environment.ProcessorCount;
        Assert.Equal($"{expected}", libgomp["OMP_NUM_THREADS"]);
        Assert.Equal(policy, libgomp["OMP_WAIT_POLICY"]);
        // Unset, the policy also displays as PASSIVE, but then idle threads spin 300000 times before they sleep.
        if (policy == "PASSIVE") Assert.Equal("0", libgomp["GOMP_SPINCOUNT"]);
        var count = int.Parse(child.stdout);
        if (threads is not null) Assert.Equal(threads, count);
        else Assert.InRange(count, 1, Environment.ProcessorCount);
    }

    [GeneratedRegex(@"^\s+(\w+) = '([^']*)'", RegexOptions.Multiline)]
    private static partial Regex DisplayedSetting();
}
