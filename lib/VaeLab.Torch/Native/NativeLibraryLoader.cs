using System.Reflection;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace VaeLab.Torch.Native;

/// <summary>
/// Loads libvaelab_native from the folder of this assembly, wherever the host process runs from
/// (a notebook that #r's the DLL from another folder, a test runner, the CLI).
/// Before that it asks OpenMP, which libtorch loads with it, to let idle threads sleep unless the user chose
/// otherwise: spinning threads (OpenMP's default) made two threads on a busy 2-core machine 3-8x slower than one.
/// </summary>
internal static class NativeLibraryLoader
{
    internal const string LibraryName = "vaelab_native";

    // A library-level initializer is the point: it must run before any P/Invoke, however the assembly was loaded.
#pragma warning disable CA2255
    [ModuleInitializer]
#pragma warning restore CA2255
    internal static void Register() => NativeLibrary.SetDllImportResolver(typeof(NativeLibraryLoader).Assembly, Resolve);

    static IntPtr Resolve(string name, Assembly assembly, DllImportSearchPath? searchPath)
    {
        if (name != LibraryName) return IntPtr.Zero;
        PreferPassiveOpenMpWaits();
        var folder = Path.GetDirectoryName(assembly.Location);
        if (!string.IsNullOrEmpty(folder))
        {
            var besideAssembly = Path.Combine(folder, "lib" + LibraryName + ".so");
            if (File.Exists(besideAssembly)) return NativeLibrary.Load(besideAssembly);
        }
        return NativeLibrary.TryLoad(name, assembly, searchPath, out var handle) ? handle : IntPtr.Zero;
    }

    internal const string WaitPolicyVariable = "OMP_WAIT_POLICY";

    // libgomp reads its settings with getenv when it is loaded; .NET's Environment keeps its own copy of the
    // environment on Unix, so the C library's setenv is what reaches it. The .NET copy is set too, for child processes.
    static void PreferPassiveOpenMpWaits()
    {
        if (Environment.GetEnvironmentVariable(WaitPolicyVariable) is not null) return;
        Environment.SetEnvironmentVariable(WaitPolicyVariable, "PASSIVE");
        if (OperatingSystem.IsLinux() || OperatingSystem.IsMacOS()) setenv(WaitPolicyVariable, "PASSIVE", overwrite: 0);
    }

    [DllImport("libc", CharSet = CharSet.Ansi)]
    static extern int setenv(string name, string value, int overwrite);
}
