using System.Reflection;

namespace VaeLab.Training;

/// <summary>
/// The stop request of the notebook cell running now: .NET Interactive's kernel cancels the cell's invocation context
/// when the user interrupts it (VS Code's stop button, Jupyter's interrupt, a cancelled `vaelab run`). Found by name, as
/// formatters are: the kernel hosts notebooks and is no dependency of the library. Outside a kernel, a token that
/// never cancels.
/// </summary>
static class CellInterrupt
{
    /// <summary>KernelInvocationContext.Current and the context's CancellationToken, once the kernel's assembly is loaded;
    /// one object, so that a thread that sees it sees both.</summary>
    sealed record Context(PropertyInfo Current, PropertyInfo Token);

    static Context? context;

    public static CancellationToken Token =>
        (context ??= Find()) is { } found && found.Current.GetValue(null) is { } current && found.Token.GetValue(current) is CancellationToken token
            ? token
            : CancellationToken.None;

    /// <summary>Whether a notebook cell is running in this context (a kernel's invocation context is current).</summary>
    public static bool InCell => (context ??= Find()) is { } found && found.Current.GetValue(null) is not null;

    static Context? Find()
    {
        var type = AppDomain.CurrentDomain.GetAssemblies().FirstOrDefault(a => a.GetName().Name == "Microsoft.DotNet.Interactive")
            ?.GetType("Microsoft.DotNet.Interactive.KernelInvocationContext");
        return type?.GetProperty("Current", BindingFlags.Public | BindingFlags.Static) is { } current
               && type.GetProperty("CancellationToken", BindingFlags.Public | BindingFlags.Instance) is { } token
            ? new Context(current, token)
            : null;
    }
}
