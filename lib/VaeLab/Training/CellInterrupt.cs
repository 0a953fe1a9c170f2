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
    static PropertyInfo? current, token;

    public static CancellationToken Token
    {
        get
        {
            if (current is null && !Find()) return CancellationToken.None;
            return current!.GetValue(null) is { } context && token!.GetValue(context) is CancellationToken cancellation ? cancellation : CancellationToken.None;
        }
    }

    static bool Find()
    {
        var context = AppDomain.CurrentDomain.GetAssemblies().FirstOrDefault(a => a.GetName().Name == "Microsoft.DotNet.Interactive")
            ?.GetType("Microsoft.DotNet.Interactive.KernelInvocationContext");
        token = context?.GetProperty("CancellationToken", BindingFlags.Public | BindingFlags.Instance);
        current = token is null ? null : context!.GetProperty("Current", BindingFlags.Public | BindingFlags.Static);
        return current is not null;
    }
}
