using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace VaeLab.Torch;

/// <summary>
/// Settings that libtorch's OpenMP reads once, when TorchSharp loads libtorch, so they are made as soon as VaeLab
/// itself loads, unless the environment already names them:
/// <list type="bullet">
/// <item>OMP_WAIT_POLICY=PASSIVE: idle OpenMP threads sleep instead of spinning. Spinning made two threads on a busy
/// 2-core machine 3-8x slower than one (bench/README.md); OMP_WAIT_POLICY=ACTIVE restores it.</item>
/// <item>OMP_NUM_THREADS: VAELAB_NUM_THREADS if set, else every logical core (libtorch alone counts physical cores).
/// torch.set_num_threads changes it later.</item>
/// </list>
/// </summary>
public static class TorchRuntime
{
    public const string WaitPolicyVariable = "OMP_WAIT_POLICY";
    public const string ThreadsVariable = "OMP_NUM_THREADS";
    public const string VaeLabThreadsVariable = "VAELAB_NUM_THREADS";

    // A module initializer, so that it runs before the first call into VaeLab, however the assembly was loaded.
#pragma warning disable CA2255
    [ModuleInitializer]
#pragma warning restore CA2255
    internal static void BeforeLibtorchLoads()
    {
        SetIfUnset(WaitPolicyVariable, "PASSIVE");
        var requested = Environment.GetEnvironmentVariable(VaeLabThreadsVariable);
        SetIfUnset(ThreadsVariable, (int.TryParse(requested, out var n) && n > 0 ? n : Environment.ProcessorCount).ToString());
    }

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
}
