using System.Runtime.InteropServices;
using System.Text;
using VaeLab.Torch.Native;
using static VaeLab.Torch.Native.NativeMethods;

namespace VaeLab.Torch;

/// <summary>
/// A libtorch tensor. Named as in PyTorch so that model code ports line by line. A tensor holds native
/// memory: dispose it, or create it inside a <see cref="DisposeScope"/>; the finalizer is a last resort.
/// </summary>
public partial class Tensor : IDisposable
{
    readonly TensorHandle handle;

    internal Tensor(TensorHandle handle)
    {
        this.handle = handle;
        DisposeScope.Register(this);
    }

    /// <summary>Wraps a tensor pointer fresh from the shim (for subclasses such as Parameter).</summary>
    private protected Tensor(IntPtr nativePointer, string operation)
        : this(new TensorHandle(nativePointer != IntPtr.Zero ? nativePointer : throw TorchException.FromNative(operation))) { }

    internal TensorHandle Handle => handle.IsClosed ? throw Disposed() : handle;

    internal IntPtr Pointer => Handle.DangerousGetHandle();

    internal DisposeScope? OwningScope { get; set; }

    public bool IsDisposed => handle.IsClosed;

    public void Dispose()
    {
        handle.Dispose();
        GC.SuppressFinalize(this);
    }

    static ObjectDisposedException Disposed() =>
        new(nameof(Tensor), "the tensor was disposed (directly or by its DisposeScope) and can no longer be used");

    /// <summary>Keeps this tensor alive after the current DisposeScope ends, in the enclosing one.</summary>
    public Tensor MoveToOuterDisposeScope()
    {
        OwningScope?.MoveToOuter(this);
        return this;
    }

    /// <summary>Takes this tensor out of every DisposeScope; the caller disposes it.</summary>
    public Tensor DetachFromDisposeScope()
    {
        OwningScope = null;
        return this;
    }

    // ---- properties --------------------------------------------------------------------------
    public long dim() => vt_dim(Handle);
    public long ndim => dim();
    public long numel() => vt_numel(Handle);
    public ScalarType dtype => (ScalarType)vt_dtype(Handle);
    public Device device => new((DeviceType)vt_device_type(Handle), vt_device_index(Handle));
    public bool is_contiguous() => vt_is_contiguous(Handle) != 0;
    public bool is_leaf => vt_is_leaf(Handle) != 0;
    public bool is_floating_point() => dtype.IsFloatingPoint();
    public long element_size() => vt_element_size(Handle);

    public unsafe long[] shape
    {
        get
        {
            var h = Handle;
            var sizes = new long[vt_dim(h)];
            fixed (long* p = sizes) vt_sizes(h, p);
            return sizes;
        }
    }

    public unsafe long[] stride()
    {
        var h = Handle;
        var strides = new long[vt_dim(h)];
        fixed (long* p = strides) vt_strides(h, p);
        return strides;
    }

    /// <summary>Size of one dim; negative dims count from the end.</summary>
    public long size(long dim)
    {
        var sizes = shape;
        var d = dim < 0 ? dim + sizes.Length : dim;
        if (d < 0 || d >= sizes.Length)
            throw new ArgumentOutOfRangeException(nameof(dim), $"dim {dim} is out of range for a tensor of {sizes.Length} dims");
        return sizes[d];
    }

    public long[] size() => shape;

    // ---- autograd ----------------------------------------------------------------------------
    public bool requires_grad
    {
        get => vt_requires_grad(Handle) != 0;
        set => Checked.Status(vt_set_requires_grad(Handle, value ? 1 : 0), nameof(requires_grad));
    }

    public Tensor requires_grad_(bool requiresGrad = true)
    {
        requires_grad = requiresGrad;
        return this;
    }

    /// <summary>The accumulated gradient, or null when none has been computed.</summary>
    public Tensor? grad
    {
        get
        {
            var g = vt_grad(Handle);
            if (g != IntPtr.Zero) return new Tensor(new TensorHandle(g));
            var error = Marshal.PtrToStringUTF8(vt_last_error());
            if (!string.IsNullOrEmpty(error)) throw new TorchException(nameof(grad), error);
            return null;
        }
        set => Checked.Status(vt_set_grad(Handle, value?.Pointer ?? IntPtr.Zero), nameof(grad));
    }

    public void backward(Tensor? gradient = null, bool retain_graph = false, bool create_graph = false)
    {
        Checked.Status(vt_backward(Handle, gradient?.Pointer ?? IntPtr.Zero, retain_graph ? 1 : 0, create_graph ? 1 : 0), nameof(backward));
        GC.KeepAlive(gradient);
    }

    public Tensor retain_grad()
    {
        Checked.Status(vt_retain_grad(Handle), nameof(retain_grad));
        return this;
    }

    /// <summary>Name of the autograd node that produced this tensor, or null for a leaf.</summary>
    public unsafe string? grad_fn
    {
        get
        {
            var buffer = stackalloc byte[256];
            Checked.Status(vt_grad_fn_name(Handle, buffer, 256), nameof(grad_fn));
            var name = Marshal.PtrToStringUTF8((IntPtr)buffer);
            return string.IsNullOrEmpty(name) ? null : name;
        }
    }

    public Tensor detach() => Checked.Wrap(vt_detach(Handle), nameof(detach));

    // ---- conversion --------------------------------------------------------------------------
    public Tensor to(ScalarType type, bool copy = false) => to(type, device, copy);
    public Tensor to(Device target, bool copy = false) => to(dtype, target, copy);

    public Tensor to(ScalarType type, Device target, bool copy = false) =>
        Checked.Wrap(vt_to(Handle, (int)type, (int)target.type, target.index, copy ? 1 : 0), nameof(to));

    public Tensor to(Tensor other) => to(other.dtype, other.device);
    public Tensor cpu() => to(Device.CPU);
    public Tensor cuda(int index = -1) => to(new Device(DeviceType.CUDA, index));
    public Tensor @float() => to(ScalarType.Float32);
    public Tensor @double() => to(ScalarType.Float64);
    public Tensor @long() => to(ScalarType.Int64);
    public Tensor @int() => to(ScalarType.Int32);
    public Tensor @bool() => to(ScalarType.Bool);
    public Tensor @byte() => to(ScalarType.Byte);
    public Tensor contiguous() => Checked.Wrap(vt_contiguous(Handle), nameof(contiguous));
    public Tensor clone() => Checked.Wrap(vt_clone(Handle), nameof(clone));

    // ---- in-place fills and copies -----------------------------------------------------------
    public Tensor copy_(Tensor source)
    {
        Checked.Status(vt_copy_(Handle, source.Handle), nameof(copy_));
        return this;
    }

    public Tensor fill_(double value)
    {
        Checked.Status(vt_fill_(Handle, value), nameof(fill_));
        return this;
    }

    public Tensor zero_()
    {
        Checked.Status(vt_zero_(Handle), nameof(zero_));
        return this;
    }

    public Tensor uniform_(double from = 0, double to = 1)
    {
        Checked.Status(vt_uniform_(Handle, from, to), nameof(uniform_));
        return this;
    }

    public Tensor normal_(double mean = 0, double std = 1)
    {
        Checked.Status(vt_normal_(Handle, mean, std), nameof(normal_));
        return this;
    }

    public Tensor bernoulli_(double p = 0.5)
    {
        Checked.Status(vt_bernoulli_(Handle, p), nameof(bernoulli_));
        return this;
    }

    /// <summary>Replaces the tensor's contents and shape in place, as assigning <c>param.data</c> does in PyTorch.</summary>
    public void set_data(Tensor data) => Checked.Status(vt_set_data(Handle, data.Handle), nameof(set_data));

    // ---- values out --------------------------------------------------------------------------
    /// <summary>The single value of a one-element tensor.</summary>
    public double item()
    {
        Checked.Status(vt_item(Handle, out var value), nameof(item));
        return value;
    }

    public T item<T>() where T : unmanaged
    {
        if (typeof(T) == typeof(long) || typeof(T) == typeof(int))
        {
            Checked.Status(vt_item_long(Handle, out var whole), nameof(item));
            return (T)Convert.ChangeType(whole, typeof(T));
        }
        if (typeof(T) == typeof(bool)) return (T)(object)(item() != 0);
        return (T)Convert.ChangeType(item(), typeof(T));
    }

    /// <summary>Copies the elements (row-major, converted to T's element type if needed) into a new array.</summary>
    public unsafe T[] data<T>() where T : unmanaged
    {
        var wanted = ScalarTypeExtensions.Of<T>();
        var source = dtype == wanted ? this : to(wanted);
        try
        {
            var result = new T[source.numel()];
            fixed (T* p = result)
                Checked.Status(vt_copy_to(source.Handle, p, (long)result.Length * sizeof(T)), nameof(data));
            return result;
        }
        finally
        {
            if (!ReferenceEquals(source, this)) source.Dispose();
        }
    }

    /// <summary>
    /// The elements of a contiguous CPU tensor, without copying. The span is valid only while this
    /// tensor is alive; writing through it changes the tensor.
    /// </summary>
    public unsafe Span<T> AsSpan<T>() where T : unmanaged
    {
        if (dtype != ScalarTypeExtensions.Of<T>())
            throw new InvalidOperationException($"AsSpan<{typeof(T).Name}> on a {dtype.Name()} tensor");
        if (device.type != DeviceType.CPU || !is_contiguous())
            throw new InvalidOperationException("AsSpan needs a contiguous CPU tensor; call .cpu().contiguous() first");
        return new Span<T>((void*)vt_data_ptr(Handle), checked((int)numel()));
    }

    /// <summary>libtorch's printout of the values.</summary>
    public string str()
    {
        var text = vt_to_string(Handle);
        if (text == IntPtr.Zero) throw TorchException.FromNative(nameof(str));
        try { return Marshal.PtrToStringUTF8(text) ?? ""; }
        finally { vt_free_string(text); }
    }

    public override string ToString()
    {
        if (IsDisposed) return "tensor(disposed)";
        var builder = new StringBuilder("tensor(");
        builder.Append('[').Append(string.Join(", ", shape)).Append("], ").Append(dtype.Name());
        if (device.type != DeviceType.CPU) builder.Append(", ").Append(device);
        if (requires_grad) builder.Append(", requires_grad");
        return builder.Append(')').ToString();
    }
}
