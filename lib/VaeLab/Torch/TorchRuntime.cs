using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using TorchSharp;

namespace VaeLab.Torch;

/// <summary>
/// Process-wide settings for libtorch, made as soon as VaeLab itself loads, each unless the environment already makes it:
/// <list type="bullet">
/// <item>OMP_WAIT_POLICY=PASSIVE: idle OpenMP threads sleep instead of spinning. Spinning made two threads on a busy
/// 2-core machine 3-8x slower than one (bench/README.md); OMP_WAIT_POLICY=ACTIVE restores it. libtorch's OpenMP reads
/// it once, when TorchSharp loads libtorch.</item>
/// <item>OMP_NUM_THREADS: VAELAB_NUM_THREADS if set, else every logical core (libtorch alone counts physical cores).
/// torch.set_num_threads changes it later.</item>
/// <item>On Linux, glibc's malloc keeps freed tensors for reuse (unless MALLOC_* variables or glibc.malloc tunables
/// tune it): blocks up to <see cref="MmapThreshold"/> come from the heap rather than from mmap, and a heap goes back to
/// the kernel only when <see cref="TrimThreshold"/> at its top are free. With glibc's defaults a training step gave its
/// activations back to the kernel and faulted them in again the next step: a step of seed 004's conv VAE (batch 128)
/// took 40,000-50,000 page faults, a fifth of its CPU time (bench/README.md). This holds on the main thread; any other
/// thread allocates from an arena of 64 MiB heaps, and glibc unmaps a heap that falls empty whatever the threshold.</item>
/// </list>
/// </summary>
public static class TorchRuntime
{
    public const string WaitPolicyVariable = "OMP_WAIT_POLICY";
    public const string ThreadsVariable = "OMP_NUM_THREADS";
    public const string VaeLabThreadsVariable = "VAELAB_NUM_THREADS";
    public const int MmapThreshold = 32 << 20; // glibc's largest: half the 64 MiB heap of a thread's arena
    public const int TrimThreshold = 256 << 20;

    // A module initializer, so that it runs before the first call into VaeLab, however the assembly was loaded.
#pragma warning disable CA2255
    [ModuleInitializer]
#pragma warning restore CA2255
    internal static void BeforeLibtorchLoads()
    {
        SetIfUnset(WaitPolicyVariable, "PASSIVE");
        var requested = Environment.GetEnvironmentVariable(VaeLabThreadsVariable);
        SetIfUnset(ThreadsVariable, (int.TryParse(requested, out var n) && n > 0 ? n : Environment.ProcessorCount).ToString());
        if (OperatingSystem.IsLinux() && !EnvironmentTunesMalloc())
        {
            mallopt(M_MMAP_THRESHOLD, MmapThreshold);
            mallopt(M_TRIM_THRESHOLD, TrimThreshold);
        }
    }

    /// <summary>
    /// torch.set_flush_denormal, which TorchSharp lacks: when on, float arithmetic on the calling thread reads subnormal
    /// numbers (below 1.2e-38 in float32) as zero and writes zero instead (x86's DAZ and FTZ), as TensorFlow's threads do by
    /// default. Gradients backpropagated through a long recurrence decay into that range, where an x86 CPU computes many
    /// times slower: the backward of Sketch-RNN's bidirectional encoder over 250 steps (batch 100) took 6.0 s, flushed
    /// 0.6 s. Threads started afterwards by the calling thread inherit the mode, libtorch's OpenMP pool among them if it
    /// starts later, and so does .NET code JIT-compiled on them, whose subnormal float constants become zero. Returns false
    /// where the CPU has no such mode, or on Windows, where libtorch's C++ names are spelled differently.
    /// </summary>
    public static bool set_flush_denormal(bool on)
    {
        using (torch.empty(0)) { } // TorchSharp has loaded libtorch, which the call below binds to
        try
        {
            return setFlushDenormal(on);
        }
        catch (Exception e) when (e is DllNotFoundException or EntryPointNotFoundException)
        {
            return false;
        }
    }

    // libtorch's static at::Context::setFlushDenormal(bool), by its (Itanium ABI) C++ name.
    [DllImport("libtorch_cpu", EntryPoint = "_ZN2at7Context16setFlushDenormalEb")]
    [return: MarshalAs(UnmanagedType.U1)]
    static extern bool setFlushDenormal([MarshalAs(UnmanagedType.U1)] bool on);

    static bool EnvironmentTunesMalloc() =>
        Environment.GetEnvironmentVariables().Keys.Cast<string>().Any(name => name.StartsWith("MALLOC_", StringComparison.Ordinal))
        || Environment.GetEnvironmentVariable("GLIBC_TUNABLES")?.Contains("glibc.malloc.", StringComparison.Ordinal) == true;

    // libgomp reads its settings with getenv; .NET's Environment keeps its own copy of the environment on Unix, so the
    // C library's setenv is what reaches it. The .NET copy is set too, for child processes started from .NET.
    static void SetIfUnset(string name, string value)
    {
        if (Environment.GetEnvironmentVariable(name) is not null) return;
        Environment.SetEnvironmentVariable(name, value);
        if (OperatingSystem.IsLinux() || OperatingSystem.IsMacOS()) setenv(name, value, overwrite: 0);
    }

    [DllImport("libc", CharSet = CharSet.Ansi)]
    static extern int setenv(string name, string value, int overwrite);

    const int M_TRIM_THRESHOLD = -1, M_MMAP_THRESHOLD = -3;

    [DllImport("libc")]
    static extern int mallopt(int param, int value);
}
