using System.Diagnostics.CodeAnalysis;
using System.Reflection;
using System.Runtime.CompilerServices;
using System.Runtime.Loader;

namespace VaeLab.Display;

/// <summary>
/// Lets Plotly.NET run on the FSharp.Core of a host that ships an older one than Plotly.NET was built against: the
/// .NET Interactive kernel (dotnet-interactive 1.0.712001 has FSharp.Core 10.0.0.0; Plotly.NET 6.0.0 asks for 10.1.0.0).
/// The runtime finds no FSharp.Core of that version there, and the request comes here, which answers with the host's
/// copy, so that Plotly.NET and Giraffe.ViewEngine (which asks for 5.0.0.0 and so gets the host's directly) share F#
/// types. A host without FSharp.Core (a plain C# program loading VaeLab.dll by path) gets the copy in fsharp/ beside
/// VaeLab.dll. A host with FSharp.Core 10.1 or later (the tests, the vaelab command and its notebook engine) never asks.
/// </summary>
static class FSharpCoreOfTheHost
{
    const string Name = "FSharp.Core";

    [ModuleInitializer]
    [SuppressMessage("Usage", "CA2255", Justification = "The handler must be in place before any code of VaeLab reaches Plotly.NET, whichever type a notebook uses first.")]
    internal static void Register() => AppDomain.CurrentDomain.AssemblyResolve += (_, request) => new AssemblyName(request.Name).Name == Name ? Resolve() : null;

    static Assembly? Resolve() =>
        AssemblyLoadContext.Default.Assemblies.FirstOrDefault(a => a.GetName().Name == Name)
        ?? ((HostCopy() ?? OwnCopy()) is { } path ? AssemblyLoadContext.Default.LoadFromAssemblyPath(path) : null);

    /// <summary>The host's FSharp.Core among the application's own assemblies.</summary>
    static string? HostCopy() =>
        (AppContext.GetData("TRUSTED_PLATFORM_ASSEMBLIES") as string)?.Split(Path.PathSeparator).FirstOrDefault(path => Path.GetFileName(path) == Name + ".dll");

    /// <summary>fsharp/FSharp.Core.dll beside VaeLab.dll, where its build puts the copy Plotly.NET was built against.</summary>
    static string? OwnCopy() =>
        Path.GetDirectoryName(typeof(FSharpCoreOfTheHost).Assembly.Location) is { Length: > 0 } folder && Path.Combine(folder, "fsharp", Name + ".dll") is var path && File.Exists(path) ? path : null;
}
