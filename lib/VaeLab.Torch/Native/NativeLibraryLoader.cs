using System.Reflection;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace VaeLab.Torch.Native;

/// <summary>
/// Loads libvaelab_native from the folder of this assembly, wherever the host process runs from
/// (a notebook that #r's the DLL from another folder, a test runner, the CLI).
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
        var folder = Path.GetDirectoryName(assembly.Location);
        if (!string.IsNullOrEmpty(folder))
        {
            var besideAssembly = Path.Combine(folder, "lib" + LibraryName + ".so");
            if (File.Exists(besideAssembly)) return NativeLibrary.Load(besideAssembly);
        }
        return NativeLibrary.TryLoad(name, assembly, searchPath, out var handle) ? handle : IntPtr.Zero;
    }
}
