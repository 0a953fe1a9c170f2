namespace VaeLab.Torch;

/// <summary>
/// Frees every tensor created on this thread while the scope is current, when the scope is disposed,
/// except those moved out of it. Wrap a training step in one so that temporaries (and the autograd
/// graphs they hold) are released at once instead of waiting for the garbage collector:
/// <code>using (torch.NewDisposeScope()) { var loss = ...; loss.backward(); opt.step(); }</code>
/// </summary>
public sealed class DisposeScope : IDisposable
{
    [ThreadStatic] static DisposeScope? current;

    readonly DisposeScope? outer;
    readonly List<Tensor> owned = new();
    bool disposed;

    internal DisposeScope()
    {
        outer = current;
        current = this;
    }

    internal static DisposeScope? Current => current;

    /// <summary>How many live tensors this scope would free now.</summary>
    public int Count => owned.Count(t => t.OwningScope == this && !t.IsDisposed);

    internal static void Register(Tensor tensor)
    {
        var scope = current;
        if (scope is null) return;
        tensor.OwningScope = scope;
        scope.owned.Add(tensor);
    }

    /// <summary>Hands the tensor to the enclosing scope (or to no scope), so it outlives this one.</summary>
    internal void MoveToOuter(Tensor tensor)
    {
        tensor.OwningScope = outer;
        outer?.owned.Add(tensor);
    }

    public void Dispose()
    {
        if (disposed) return;
        disposed = true;
        foreach (var tensor in owned)
        {
            if (tensor.OwningScope == this) tensor.Dispose();
        }
        owned.Clear();
        if (current == this) current = outer;
    }
}
