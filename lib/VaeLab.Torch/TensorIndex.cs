using static VaeLab.Torch.Native.NativeMethods;

namespace VaeLab.Torch;

/// <summary>One position of an index expression such as <c>x[.., 1..^1, idx]</c>: an integer, a
/// range or slice, a tensor of indices or a mask, <see cref="Ellipsis"/> or <see cref="None"/>.</summary>
public readonly struct TensorIndex
{
    internal enum Kind { Single, Slice, Tensor, Ellipsis, None }

    internal Kind kind { get; }
    internal long single { get; }
    internal long? start { get; }
    internal long? stop { get; }
    internal long step { get; }
    internal Tensor? tensor { get; }

    TensorIndex(Kind kind, long single = 0, long? start = null, long? stop = null, long step = 1, Tensor? tensor = null)
    {
        this.kind = kind;
        this.single = single;
        this.start = start;
        this.stop = stop;
        this.step = step;
        this.tensor = tensor;
    }

    public static readonly TensorIndex Ellipsis = new(Kind.Ellipsis);

    /// <summary>Inserts a new dim of size 1, as None (np.newaxis) does in Python.</summary>
    public static readonly TensorIndex None = new(Kind.None);

    /// <summary>start:stop:step, with null for an open end and negative values counting from the end.</summary>
    public static TensorIndex Slice(long? start = null, long? stop = null, long step = 1) => new(Kind.Slice, start: start, stop: stop, step: step);

    public static implicit operator TensorIndex(long index) => new(Kind.Single, single: index);
    public static implicit operator TensorIndex(int index) => new(Kind.Single, single: index);
    public static implicit operator TensorIndex(Tensor index) => new(Kind.Tensor, tensor: index);

    public static implicit operator TensorIndex(Index index) => new(Kind.Single, single: index.IsFromEnd ? -index.Value : index.Value);

    public static implicit operator TensorIndex(Range range)
    {
        long? Bound(Index i, bool isEnd) => i.IsFromEnd ? (i.Value == 0 ? (isEnd ? null : 0) : -i.Value) : i.Value;
        return new(Kind.Slice, start: Bound(range.Start, false), stop: Bound(range.End, true));
    }
}

public partial class Tensor
{
    /// <summary>x[i]: the i-th element along the first dim (a view).</summary>
    public Tensor this[long index]
    {
        get => select(0, index);
        set => this[(TensorIndex)index] = value;
    }

    /// <summary>Basic and advanced indexing as in PyTorch; basic indexing returns a view.</summary>
    public Tensor this[params TensorIndex[] indices]
    {
        get => Index(indices);
        set
        {
            if (indices.Any(i => i.kind == TensorIndex.Kind.Tensor))
            {
                index_put_(indices, value);
                return;
            }
            using var view = Index(indices);
            view.copy_(value);
        }
    }

    Tensor Index(TensorIndex[] indices)
    {
        var hasTensors = indices.Any(i => i.kind == TensorIndex.Kind.Tensor);
        if (hasTensors) return AdvancedIndex(indices);
        var rank = dim();
        var used = indices.Count(i => i.kind is TensorIndex.Kind.Single or TensorIndex.Kind.Slice);
        var result = alias();
        long d = 0;
        foreach (var index in indices)
        {
            Tensor next;
            switch (index.kind)
            {
                case TensorIndex.Kind.Single:
                    next = result.select(d, index.single);
                    break;
                case TensorIndex.Kind.Slice:
                    next = result.slice(d, index.start ?? 0, index.stop ?? long.MaxValue, index.step);
                    d++;
                    break;
                case TensorIndex.Kind.None:
                    next = result.unsqueeze(d);
                    d++;
                    break;
                default:
                    d += rank - used;
                    continue;
            }
            result.Dispose();
            result = next;
        }
        return result;
    }

    // Tensor indices go to at::index; other positions are first reduced to slices over full dims.
    unsafe Tensor AdvancedIndex(TensorIndex[] indices)
    {
        if (indices.Any(i => i.kind is TensorIndex.Kind.Single or TensorIndex.Kind.Ellipsis or TensorIndex.Kind.None))
            throw new ArgumentException("mixing tensor indices with integers, ... or None is not supported; use index_select or slices");
        var basic = indices.Select(i => i.kind == TensorIndex.Kind.Tensor ? TensorIndex.Slice() : i).ToArray();
        using var sliced = Index(basic);
        var pointers = indices.Select(i => i.kind == TensorIndex.Kind.Tensor ? i.tensor!.Pointer : IntPtr.Zero).ToArray();
        fixed (IntPtr* p = pointers)
        {
            var result = Checked.Wrap(vt_index(sliced.Handle, p, pointers.Length), "index");
            GC.KeepAlive(indices);
            return result;
        }
    }

    unsafe void index_put_(TensorIndex[] indices, Tensor values)
    {
        if (indices.Any(i => i.kind != TensorIndex.Kind.Tensor && !(i.kind == TensorIndex.Kind.Slice && i.start is null && i.stop is null && i.step == 1)))
            throw new ArgumentException("assignment with tensor indices takes tensors or full slices (..) only");
        var pointers = indices.Select(i => i.kind == TensorIndex.Kind.Tensor ? i.tensor!.Pointer : IntPtr.Zero).ToArray();
        fixed (IntPtr* p = pointers)
            Checked.Status(vt_index_put_(Handle, p, pointers.Length, values.Handle, 0), "index_put_");
        GC.KeepAlive(indices);
    }

    /// <summary>A second handle to this tensor, sharing everything; disposing it leaves this one alive.</summary>
    public Tensor alias() => Checked.Wrap(vt_alias(Handle), nameof(alias));
}
