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

    // Tensor indices go to at::index / index_put_, applied to the view that the other positions (slices) select.
    Tensor SlicedForTensorIndices(TensorIndex[] indices)
    {
        if (indices.Any(i => i.kind is TensorIndex.Kind.Single or TensorIndex.Kind.Ellipsis or TensorIndex.Kind.None))
            throw new ArgumentException("mixing tensor indices with integers, ... or None is not supported; use index_select or slices");
        return Index(indices.Select(i => i.kind == TensorIndex.Kind.Tensor ? TensorIndex.Slice() : i).ToArray());
    }

    static IntPtr[] TensorPointers(TensorIndex[] indices) =>
        indices.Select(i => i.kind == TensorIndex.Kind.Tensor ? i.tensor!.Pointer : IntPtr.Zero).ToArray();

    unsafe Tensor AdvancedIndex(TensorIndex[] indices)
    {
        using var sliced = SlicedForTensorIndices(indices);
        var pointers = TensorPointers(indices);
        fixed (IntPtr* p = pointers)
        {
            var result = Checked.Wrap(vt_index(sliced.Handle, p, pointers.Length), "index");
            GC.KeepAlive(indices);
            return result;
        }
    }

    unsafe void index_put_(TensorIndex[] indices, Tensor values)
    {
        using var sliced = SlicedForTensorIndices(indices);
        var pointers = TensorPointers(indices);
        fixed (IntPtr* p = pointers)
            Checked.Status(vt_index_put_(sliced.Handle, p, pointers.Length, values.Handle, 0), "index_put_");
        GC.KeepAlive(indices);
    }

    /// <summary>A second handle to this tensor, sharing everything; disposing it leaves this one alive.</summary>
    public Tensor alias() => Checked.Wrap(vt_alias(Handle), nameof(alias));
}
