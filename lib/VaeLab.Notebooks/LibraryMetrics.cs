using System.Reflection;
using Microsoft.DotNet.Interactive;

namespace VaeLab.Notebooks;

/// <summary>
/// Collects the headline metrics a notebook reports through its library: a static class named
/// <c>VaeLab.Display.Notebook</c> with <c>event Action&lt;string, double&gt; MetricReported</c>, found by
/// name in every loaded assembly, so the same <c>report(...)</c> call works in VS Code,
/// where the engine does not exist, and here, where the engine records it. The event is process-wide, so a run keeps
/// only the values reported by code its own kernel runs (a thread an earlier run left behind reports to no run).
/// </summary>
internal sealed class LibraryMetrics : IDisposable
{
    const string TypeName = "VaeLab.Display.Notebook";
    const string EventName = "MetricReported";

    readonly Action<string, double> handler;
    readonly List<(EventInfo reported, Delegate handler)> subscriptions = [];
    readonly HashSet<Assembly> seen = [];
    readonly Lock gate = new();

    internal LibraryMetrics(Kernel kernel, NotebookRun run)
    {
        handler = (name, value) =>
        {
            if (!ReferenceEquals(KernelInvocationContext.Current?.HandlingKernel?.RootKernel, kernel)) return;
            lock (run.metrics) run.metrics[name] = value;
        };
        AppDomain.CurrentDomain.AssemblyLoad += OnAssemblyLoad;
        foreach (var assembly in AppDomain.CurrentDomain.GetAssemblies()) Subscribe(assembly);
    }

    void OnAssemblyLoad(object? sender, AssemblyLoadEventArgs e) => Subscribe(e.LoadedAssembly);

    void Subscribe(Assembly assembly)
    {
        lock (gate)
        {
            if (!seen.Add(assembly) || assembly.IsDynamic) return;
            if (assembly.GetType(TypeName, throwOnError: false)?.GetEvent(EventName) is not { } reported) return;
            if (reported.EventHandlerType != typeof(Action<string, double>)) return;
            reported.AddEventHandler(null, handler);
            subscriptions.Add((reported, handler));
        }
    }

    public void Dispose()
    {
        AppDomain.CurrentDomain.AssemblyLoad -= OnAssemblyLoad;
        lock (gate)
        {
            foreach (var (reported, subscribed) in subscriptions) reported.RemoveEventHandler(null, subscribed);
            subscriptions.Clear();
        }
    }
}
