using static VaeLab.Torch.Native.NativeMethods;

namespace VaeLab.Torch;

// Views, reshapes, joins and splits, gathers and scatters.
public partial class Tensor
{
    unsafe Tensor WithLongs(ReadOnlySpan<long> values, delegate*<Native.TensorHandle, long*, int, IntPtr> op, string name)
    {
        fixed (long* p = values) return Checked.Wrap(op(Handle, p, values.Length), name);
    }

    public unsafe Tensor view(params long[] shape) => WithLongs(shape, &vt_view, nameof(view));
    public unsafe Tensor reshape(params long[] shape) => WithLongs(shape, &vt_reshape, nameof(reshape));
    public unsafe Tensor permute(params long[] dims) => WithLongs(dims, &vt_permute, nameof(permute));
    public unsafe Tensor expand(params long[] shape) => WithLongs(shape, &vt_expand, nameof(expand));
    public unsafe Tensor repeat(params long[] repeats) => WithLongs(repeats, &vt_repeat, nameof(repeat));
    public unsafe Tensor flip(params long[] dims) => WithLongs(dims, &vt_flip, nameof(flip));
    public Tensor view_as(Tensor other) => view(other.shape);
    public Tensor reshape_as(Tensor other) => reshape(other.shape);
    public Tensor expand_as(Tensor other) => expand(other.shape);

    public Tensor transpose(long dim0, long dim1) => Checked.Wrap(vt_transpose(Handle, dim0, dim1), nameof(transpose));
    public Tensor squeeze() => Checked.Wrap(vt_squeeze(Handle), nameof(squeeze));
    public Tensor squeeze(long dim) => Checked.Wrap(vt_squeeze_dim(Handle, dim), nameof(squeeze));
    public Tensor unsqueeze(long dim) => Checked.Wrap(vt_unsqueeze(Handle, dim), nameof(unsqueeze));
    public Tensor flatten(long start_dim = 0, long end_dim = -1) => Checked.Wrap(vt_flatten(Handle, start_dim, end_dim), nameof(flatten));

    public unsafe Tensor unflatten(long dim, params long[] sizes)
    {
        fixed (long* p = sizes) return Checked.Wrap(vt_unflatten(Handle, dim, p, sizes.Length), nameof(unflatten));
    }

    public Tensor repeat_interleave(long repeats, long dim) => Checked.Wrap(vt_repeat_interleave(Handle, repeats, dim), nameof(repeat_interleave));

    public unsafe Tensor roll(long[] shifts, long[] dims)
    {
        if (shifts.Length != dims.Length) throw new ArgumentException("roll needs one shift per dim", nameof(shifts));
        fixed (long* s = shifts, d = dims) return Checked.Wrap(vt_roll(Handle, s, d, dims.Length), nameof(roll));
    }

    public Tensor narrow(long dim, long start, long length) => Checked.Wrap(vt_narrow(Handle, dim, start, length), nameof(narrow));

    /// <summary>Elements start..end (exclusive) with a step along one dim, as x[:, start:end:step].</summary>
    public Tensor slice(long dim, long start, long end, long step = 1) => Checked.Wrap(vt_slice(Handle, dim, start, end, step), nameof(slice));

    public Tensor select(long dim, long index) => Checked.Wrap(vt_select(Handle, dim, index), nameof(select));
    public Tensor index_select(long dim, Tensor index) => Checked.Wrap(vt_index_select(Handle, dim, index.Handle), nameof(index_select));
    public Tensor gather(long dim, Tensor index) => Checked.Wrap(vt_gather(Handle, dim, index.Handle), nameof(gather));
    public Tensor scatter(long dim, Tensor index, Tensor source) => Checked.Wrap(vt_scatter(Handle, dim, index.Handle, source.Handle), nameof(scatter));
    public Tensor scatter_add(long dim, Tensor index, Tensor source) => Checked.Wrap(vt_scatter_add(Handle, dim, index.Handle, source.Handle), nameof(scatter_add));
    public Tensor tril(long diagonal = 0) => Checked.Wrap(vt_tril(Handle, diagonal), nameof(tril));
    public Tensor triu(long diagonal = 0) => Checked.Wrap(vt_triu(Handle, diagonal), nameof(triu));
    public Tensor nonzero() => Checked.Wrap(vt_nonzero(Handle), nameof(nonzero));

    unsafe Tensor[] Split(int kind, long sizeOrCount, long dim, int capacity, string name)
    {
        var pointers = new IntPtr[Math.Max(capacity, 1)];
        int count;
        fixed (IntPtr* p = pointers) count = vt_split(kind, Handle, sizeOrCount, dim, p, pointers.Length);
        Checked.Status(count < 0 ? -1 : 0, name);
        var result = new Tensor[count];
        for (var i = 0; i < count; i++) result[i] = Checked.Wrap(pointers[i], name);
        return result;
    }

    /// <summary>Pieces of split_size along dim (the last may be smaller).</summary>
    public Tensor[] split(long split_size, long dim = 0)
    {
        var length = size(dim);
        var pieces = split_size > 0 ? (int)((length + split_size - 1) / split_size) : 0;
        return Split(0, split_size, dim, pieces, nameof(split));
    }

    public unsafe Tensor[] split(long[] split_sizes, long dim = 0)
    {
        var pointers = new IntPtr[split_sizes.Length];
        int count;
        fixed (long* s = split_sizes)
        fixed (IntPtr* p = pointers)
            count = vt_split_with_sizes(Handle, s, split_sizes.Length, dim, p);
        Checked.Status(count < 0 ? -1 : 0, nameof(split));
        return pointers.Take(count).Select(x => Checked.Wrap(x, nameof(split))).ToArray();
    }

    public Tensor[] chunk(long chunks, long dim = 0) => Split(1, chunks, dim, (int)Math.Max(chunks, 0), nameof(chunk));
    public Tensor[] unbind(long dim = 0) => Split(2, 0, dim, (int)size(dim), nameof(unbind));
}
