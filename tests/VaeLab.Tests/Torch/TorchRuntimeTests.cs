using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Text.RegularExpressions;

namespace VaeLab.Tests.Torch;

/// <summary>The libtorch that runs, and the settings that <see cref="TorchRuntime"/> makes before it loads: OpenMP's, malloc's, and
/// flushing denormals on request.</summary>
public sealed partial class TorchRuntimeTests
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

    /// <summary>
    /// Freed blocks of the size of a conv VAE's activations stay with malloc for the next step. Three 16 MiB blocks: more
    /// than glibc's default mmap threshold in a fresh process (128 KiB, then twice the largest mmapped block freed so far),
    /// so with glibc's defaults their pages fault again in the second round. Measured in a child process: in the test host
    /// other tests' threads share malloc's arenas and may take the freed blocks between the two rounds.
    /// </summary>
    [Fact]
    public void MallocKeepsFreedActivationsForTheNextStep()
    {
        if (!OperatingSystem.IsLinux()) return;
        var child = TestProcess.Run(new Dictionary<string, string?>(), "malloc-reuse");
        Assert.True(child.exit_code == 0, child.stderr);
        var (faults, pages) = (long.Parse(child.stdout.Split()[0]), long.Parse(child.stdout.Split()[1]));
        Assert.True(faults < pages / 3, $"{faults} page faults on reusing {pages} freed pages");
    }

    /// <summary>The page faults of reusing three freed activation-sized blocks, and their pages, on the calling thread.</summary>
    internal static unsafe (long faults, long pages) FaultsOnReusingFreedBlocks()
    {
        const int size = TorchRuntime.MmapThreshold / 2, pages = size / 4096, blocks = 3;
        long Round()
        {
            var before = MinorFaultsOfThisThread();
            var allocated = new byte*[blocks];
            for (var i = 0; i < blocks; i++)
            {
                allocated[i] = (byte*)NativeMemory.Alloc(size);
                for (var page = 0; page < pages; page++) allocated[i][page * 4096] = 1;
            }
            foreach (var block in allocated) NativeMemory.Free(block);
            return MinorFaultsOfThisThread() - before;
        }

        Round();
        return (Round(), blocks * pages);
    }

    [Fact]
    public void FlushingDenormalsZeroesSubnormalFloatsOnTheCallingThreadAndThreadsItStarts()
    {
        if (RuntimeInformation.ProcessArchitecture != Architecture.X64) return;
        static int Doubled()
        {
            using var x = tensor(BitConverter.Int32BitsToSingle(subnormal)) * 2;
            return BitConverter.SingleToInt32Bits(x.item<float>());
        }
        int flushed = -1, inherited = -1, kept = -1;
        var thread = new Thread(() =>
        {
            Assert.True(TorchRuntime.set_flush_denormal(true));
            flushed = Doubled();
            var child = new Thread(() => inherited = Doubled());
            child.Start();
            child.Join();
            TorchRuntime.set_flush_denormal(false);
            kept = Doubled();
        });
        thread.Start();
        thread.Join();

        Assert.Equal(0, flushed);
        Assert.Equal(0, inherited);
        Assert.Equal(2 * subnormal, kept);
        Assert.Equal(2 * subnormal, Doubled());
    }

    // The bits of a subnormal float32, about 1e-39, read at run time: the JIT would fold a constant, and code it compiles
    // on a thread that flushes denormals turns subnormal constants into zero.
    static int subnormal = 0x000A_E398;

    static long MinorFaultsOfThisThread()
    {
        const int RUSAGE_THREAD = 1;
        if (getrusage(RUSAGE_THREAD, out var usage) != 0) throw new InvalidOperationException("getrusage(RUSAGE_THREAD) failed");
        return usage.ru_minflt;
    }

    [DllImport("libc")]
    static extern int getrusage(int who, out RUsage usage);

    // struct rusage on 64-bit Linux: two timevals, then fourteen longs.
    [StructLayout(LayoutKind.Sequential)]
    struct RUsage
    {
        public long ru_utime_sec, ru_utime_usec, ru_stime_sec, ru_stime_usec;
        public long ru_maxrss, ru_ixrss, ru_idrss, ru_isrss, ru_minflt, ru_majflt, ru_nswap, ru_inblock, ru_oublock;
        public long ru_msgsnd, ru_msgrcv, ru_nsignals, ru_nvcsw, ru_nivcsw;
    }
}
