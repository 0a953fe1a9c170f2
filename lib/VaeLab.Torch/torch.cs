using System.Runtime.InteropServices;
using VaeLab.Torch.Native;
using static VaeLab.Torch.Native.NativeMethods;

namespace VaeLab.Torch;

/// <summary>
/// The torch namespace of PyTorch: tensor creation, joins, global settings and grad modes.
/// Write <c>using static VaeLab.Torch.torch;</c> to call <c>randn(...)</c>, <c>cat(...)</c> directly.
/// </summary>
public static partial class torch
{
    public const ScalarType uint8 = ScalarType.Byte;
    public const ScalarType int8 = ScalarType.Int8;
    public const ScalarType int16 = ScalarType.Int16;
    public const ScalarType int32 = ScalarType.Int32;
    public const ScalarType int64 = ScalarType.Int64;
    public const ScalarType float16 = ScalarType.Float16;
    public const ScalarType float32 = ScalarType.Float32;
    public const ScalarType float64 = ScalarType.Float64;
    public const ScalarType bfloat16 = ScalarType.BFloat16;
    public const ScalarType @bool = ScalarType.Bool;
    public const ScalarType @float = ScalarType.Float32;
    public const ScalarType @double = ScalarType.Float64;
    public const ScalarType @long = ScalarType.Int64;

    public static readonly Device CPU = Device.CPU;
    public static readonly Device CUDA = Device.CUDA;

    static ScalarType defaultDtype = ScalarType.Float32;

    static torch()
    {
        // Use every core for intra-op work unless told otherwise (libtorch alone counts physical cores only).
        var requested = Environment.GetEnvironmentVariable("VAELAB_NUM_THREADS");
        set_num_threads(int.TryParse(requested, out var n) && n > 0 ? n : Environment.ProcessorCount);
    }

    public static ScalarType get_default_dtype() => defaultDtype;

    public static void set_default_dtype(ScalarType type)
    {
        if (!type.IsFloatingPoint()) throw new ArgumentException($"the default dtype must be floating point, not {type.Name()}", nameof(type));
        defaultDtype = type;
    }

    public static Device device(string description) => Device.Parse(description);

    public static string version => Marshal.PtrToStringUTF8(vt_version()) ?? "";

    // ---- settings ------------------------------------------------------------------------------
    public static void manual_seed(long seed) => vt_manual_seed(unchecked((ulong)seed));
    public static int get_num_threads() => vt_get_num_threads();

    public static void set_num_threads(int threads)
    {
        if (threads < 1) throw new ArgumentOutOfRangeException(nameof(threads), threads, "at least one thread");
        vt_set_num_threads(threads);
    }

    public static bool is_grad_enabled() => vt_is_grad_enabled() != 0;

    /// <summary>Disables gradient recording until disposed: <c>using (torch.no_grad()) { ... }</c>.</summary>
    public static IDisposable no_grad() => new GradMode(false);

    public static IDisposable enable_grad() => new GradMode(true);

    public static IDisposable set_grad_enabled(bool enabled) => new GradMode(enabled);

    sealed class GradMode : IDisposable
    {
        readonly bool previous;
        bool restored;

        internal GradMode(bool enabled)
        {
            previous = vt_is_grad_enabled() != 0;
            vt_set_grad_enabled(enabled ? 1 : 0);
        }

        public void Dispose()
        {
            if (restored) return;
            restored = true;
            vt_set_grad_enabled(previous ? 1 : 0);
        }
    }

    /// <summary>Starts a scope that frees the tensors created on this thread until it is disposed.</summary>
    public static DisposeScope NewDisposeScope() => new();

    public static class cuda
    {
        public static bool is_available() => vt_cuda_is_available() != 0;
        public static int device_count() => vt_cuda_device_count();
    }

    // ---- creation ------------------------------------------------------------------------------
    static unsafe Tensor Create(ReadOnlySpan<long> size, ScalarType? dtype, Device? device, bool requiresGrad,
        delegate*<long*, int, int, int, int, int, IntPtr> factory, string name)
    {
        var d = device ?? Device.CPU;
        fixed (long* p = size)
            return Checked.Wrap(factory(p, size.Length, (int)(dtype ?? defaultDtype), (int)d.type, d.index, requiresGrad ? 1 : 0), name);
    }

    public static unsafe Tensor empty(ReadOnlySpan<long> size, ScalarType? dtype = null, Device? device = null, bool requires_grad = false) =>
        Create(size, dtype, device, requires_grad, &vt_empty, nameof(empty));
    public static unsafe Tensor zeros(ReadOnlySpan<long> size, ScalarType? dtype = null, Device? device = null, bool requires_grad = false) =>
        Create(size, dtype, device, requires_grad, &vt_zeros, nameof(zeros));
    public static unsafe Tensor ones(ReadOnlySpan<long> size, ScalarType? dtype = null, Device? device = null, bool requires_grad = false) =>
        Create(size, dtype, device, requires_grad, &vt_ones, nameof(ones));
    public static unsafe Tensor randn(ReadOnlySpan<long> size, ScalarType? dtype = null, Device? device = null, bool requires_grad = false) =>
        Create(size, dtype, device, requires_grad, &vt_randn, nameof(randn));
    public static unsafe Tensor rand(ReadOnlySpan<long> size, ScalarType? dtype = null, Device? device = null, bool requires_grad = false) =>
        Create(size, dtype, device, requires_grad, &vt_rand, nameof(rand));

    public static Tensor zeros(params long[] size) => zeros(size.AsSpan());
    public static Tensor ones(params long[] size) => ones(size.AsSpan());
    public static Tensor empty(params long[] size) => empty(size.AsSpan());
    public static Tensor randn(params long[] size) => randn(size.AsSpan());
    public static Tensor rand(params long[] size) => rand(size.AsSpan());

    public static unsafe Tensor full(ReadOnlySpan<long> size, double value, ScalarType? dtype = null, Device? device = null, bool requires_grad = false)
    {
        var d = device ?? Device.CPU;
        fixed (long* p = size)
            return Checked.Wrap(vt_full(p, size.Length, value, (int)(dtype ?? defaultDtype), (int)d.type, d.index, requires_grad ? 1 : 0), nameof(full));
    }

    public static Tensor eye(long n, long? m = null, ScalarType? dtype = null, Device? device = null, bool requires_grad = false)
    {
        var d = device ?? Device.CPU;
        return Checked.Wrap(vt_eye(n, m ?? n, (int)(dtype ?? defaultDtype), (int)d.type, d.index, requires_grad ? 1 : 0), nameof(eye));
    }

    /// <summary>Values start, start+step, ... below end. Integer arguments give int64, as in PyTorch.</summary>
    public static Tensor arange(long end, ScalarType? dtype = null, Device? device = null) => arange(0, end, 1, dtype ?? ScalarType.Int64, device);
    public static Tensor arange(long start, long end, long step = 1, ScalarType? dtype = null, Device? device = null) =>
        arange((double)start, end, step, dtype ?? ScalarType.Int64, device);

    public static Tensor arange(double start, double end, double step = 1, ScalarType? dtype = null, Device? device = null, bool requires_grad = false)
    {
        var d = device ?? Device.CPU;
        return Checked.Wrap(vt_arange(start, end, step, (int)(dtype ?? defaultDtype), (int)d.type, d.index, requires_grad ? 1 : 0), nameof(arange));
    }

    public static Tensor linspace(double start, double end, long steps, ScalarType? dtype = null, Device? device = null, bool requires_grad = false)
    {
        var d = device ?? Device.CPU;
        return Checked.Wrap(vt_linspace(start, end, steps, (int)(dtype ?? defaultDtype), (int)d.type, d.index, requires_grad ? 1 : 0), nameof(linspace));
    }

    /// <summary>Integers uniformly drawn from [low, high).</summary>
    public static unsafe Tensor randint(long low, long high, ReadOnlySpan<long> size, ScalarType? dtype = null, Device? device = null)
    {
        var d = device ?? Device.CPU;
        fixed (long* p = size)
            return Checked.Wrap(vt_randint(low, high, p, size.Length, (int)(dtype ?? ScalarType.Int64), (int)d.type, d.index, 0), nameof(randint));
    }

    public static Tensor randint(long high, ReadOnlySpan<long> size, ScalarType? dtype = null, Device? device = null) => randint(0, high, size, dtype, device);

    public static Tensor randperm(long n, ScalarType? dtype = null, Device? device = null)
    {
        var d = device ?? Device.CPU;
        return Checked.Wrap(vt_randperm(n, (int)(dtype ?? ScalarType.Int64), (int)d.type, d.index, 0), nameof(randperm));
    }

    public static unsafe Tensor normal(double mean, double std, ReadOnlySpan<long> size, ScalarType? dtype = null, Device? device = null)
    {
        var d = device ?? Device.CPU;
        fixed (long* p = size)
            return Checked.Wrap(vt_normal(mean, std, p, size.Length, (int)(dtype ?? defaultDtype), (int)d.type, d.index, 0), nameof(normal));
    }

    /// <summary>Samples N(mean, std) elementwise from tensors of means and standard deviations.</summary>
    public static Tensor normal(Tensor mean, Tensor std)
    {
        using var noise = randn_like(mean);
        return mean + noise * std;
    }

    public static Tensor bernoulli(Tensor probabilities) => Checked.Wrap(vt_bernoulli(probabilities.Handle), nameof(bernoulli));

    public static Tensor multinomial(Tensor probabilities, long num_samples, bool replacement = false) =>
        Checked.Wrap(vt_multinomial(probabilities.Handle, num_samples, replacement ? 1 : 0), nameof(multinomial));

    public static Tensor zeros_like(Tensor t) => Checked.Wrap(vt_zeros_like(t.Handle), nameof(zeros_like));
    public static Tensor ones_like(Tensor t) => Checked.Wrap(vt_ones_like(t.Handle), nameof(ones_like));
    public static Tensor randn_like(Tensor t) => Checked.Wrap(vt_randn_like(t.Handle), nameof(randn_like));
    public static Tensor rand_like(Tensor t) => Checked.Wrap(vt_rand_like(t.Handle), nameof(rand_like));
    public static Tensor full_like(Tensor t, double value) => Checked.Wrap(vt_full_like(t.Handle, value), nameof(full_like));

    // ---- from .NET data --------------------------------------------------------------------------
    /// <summary>A new tensor holding a copy of the values, shaped as given (default: 1-D).</summary>
    public static unsafe Tensor tensor<T>(ReadOnlySpan<T> values, ReadOnlySpan<long> shape = default, bool requires_grad = false) where T : unmanaged
    {
        var dims = shape.IsEmpty ? [values.Length] : shape;
        long count = 1;
        foreach (var n in dims) count *= n;
        if (count != values.Length)
            throw new ArgumentException($"shape [{string.Join(", ", dims.ToArray())}] needs {count} values but {values.Length} were given", nameof(shape));
        fixed (T* data = values)
        fixed (long* p = dims)
            return Checked.Wrap(vt_from_data(data, p, dims.Length, (int)ScalarTypeExtensions.Of<T>(), requires_grad ? 1 : 0), nameof(tensor));
    }

    public static Tensor tensor(float[] values, ReadOnlySpan<long> shape = default, bool requires_grad = false) => tensor<float>(values, shape, requires_grad);
    public static Tensor tensor(double[] values, ReadOnlySpan<long> shape = default, bool requires_grad = false) => tensor<double>(values, shape, requires_grad);
    public static Tensor tensor(long[] values, ReadOnlySpan<long> shape = default) => tensor<long>(values, shape);
    public static Tensor tensor(int[] values, ReadOnlySpan<long> shape = default) => tensor<int>(values, shape);
    public static Tensor tensor(byte[] values, ReadOnlySpan<long> shape = default) => tensor<byte>(values, shape);
    public static Tensor tensor(bool[] values, ReadOnlySpan<long> shape = default) => tensor<bool>(values, shape);

    public static unsafe Tensor tensor(float[,] values, bool requires_grad = false)
    {
        fixed (float* p = values)
            return tensor(new ReadOnlySpan<float>(p, values.Length), [values.GetLength(0), values.GetLength(1)], requires_grad);
    }

    public static unsafe Tensor tensor(double[,] values, bool requires_grad = false)
    {
        fixed (double* p = values)
            return tensor(new ReadOnlySpan<double>(p, values.Length), [values.GetLength(0), values.GetLength(1)], requires_grad);
    }

    /// <summary>A zero-dimensional tensor.</summary>
    public static Tensor tensor(double value, ScalarType? dtype = null, bool requires_grad = false) =>
        full(ReadOnlySpan<long>.Empty, value, dtype ?? defaultDtype, requires_grad: requires_grad);

    // ---- joins and element-wise functions ---------------------------------------------------------
    static unsafe Tensor Join(IReadOnlyList<Tensor> tensors, long dim, delegate*<IntPtr*, int, long, IntPtr> join, string name)
    {
        var pointers = new IntPtr[tensors.Count];
        for (var i = 0; i < pointers.Length; i++) pointers[i] = tensors[i].Pointer;
        fixed (IntPtr* p = pointers)
        {
            var result = Checked.Wrap(join(p, pointers.Length, dim), name);
            GC.KeepAlive(tensors);
            return result;
        }
    }

    public static unsafe Tensor cat(IReadOnlyList<Tensor> tensors, long dim = 0) => Join(tensors, dim, &vt_cat, nameof(cat));
    public static unsafe Tensor stack(IReadOnlyList<Tensor> tensors, long dim = 0) => Join(tensors, dim, &vt_stack, nameof(stack));
    public static Tensor concat(IReadOnlyList<Tensor> tensors, long dim = 0) => cat(tensors, dim);

    public static Tensor where(Tensor condition, Tensor x, Tensor y) => Checked.Wrap(vt_where(condition.Handle, x.Handle, y.Handle), nameof(where));

    public static unsafe Tensor einsum(string equation, params Tensor[] operands)
    {
        var pointers = operands.Select(t => t.Pointer).ToArray();
        fixed (IntPtr* p = pointers)
        {
            var result = Checked.Wrap(vt_einsum(equation, p, pointers.Length), nameof(einsum));
            GC.KeepAlive(operands);
            return result;
        }
    }

    public static Tensor matmul(Tensor a, Tensor b) => a.matmul(b);
    public static Tensor bmm(Tensor a, Tensor b) => a.bmm(b);
    public static Tensor mm(Tensor a, Tensor b) => a.mm(b);
    public static Tensor maximum(Tensor a, Tensor b) => a.maximum(b);
    public static Tensor minimum(Tensor a, Tensor b) => a.minimum(b);
    public static Tensor exp(Tensor x) => x.exp();
    public static Tensor log(Tensor x) => x.log();
    public static Tensor sqrt(Tensor x) => x.sqrt();
    public static Tensor abs(Tensor x) => x.abs();
    public static Tensor tanh(Tensor x) => x.tanh();
    public static Tensor sigmoid(Tensor x) => x.sigmoid();
    public static Tensor relu(Tensor x) => x.relu();
    public static Tensor clamp(Tensor x, double? min = null, double? max = null) => x.clamp(min, max);
    public static Tensor sum(Tensor x) => x.sum();
    public static Tensor mean(Tensor x) => x.mean();
    public static Tensor logsumexp(Tensor x, long dim, bool keepdim = false) => x.logsumexp(dim, keepdim);
    public static Tensor flatten(Tensor x, long start_dim = 0, long end_dim = -1) => x.flatten(start_dim, end_dim);
    public static Tensor[] split(Tensor x, long split_size, long dim = 0) => x.split(split_size, dim);
    public static Tensor[] chunk(Tensor x, long chunks, long dim = 0) => x.chunk(chunks, dim);
    public static Tensor gather(Tensor x, long dim, Tensor index) => x.gather(dim, index);
    public static Tensor index_select(Tensor x, long dim, Tensor index) => x.index_select(dim, index);
    public static Tensor masked_fill(Tensor x, Tensor mask, double value) => x.masked_fill(mask, value);
    public static Tensor flip(Tensor x, params long[] dims) => x.flip(dims);
    public static bool allclose(Tensor a, Tensor b, double rtol = 1e-5, double atol = 1e-8) => a.allclose(b, rtol, atol);
}
