using System.Runtime.InteropServices;
using TorchSharp;
using static TorchSharp.torch;

namespace VaeLab.Torch;

public static class TensorMemory
{
    /// <summary>The elements of a contiguous CPU tensor as a span over its own memory (no copy): writes go into the tensor.</summary>
    public static Span<T> AsSpan<T>(this Tensor tensor) where T : unmanaged
    {
        if (tensor.device_type != DeviceType.CPU) throw new ArgumentException($"only a CPU tensor's memory can be viewed as a span, got one on {tensor.device}", nameof(tensor));
        if (!tensor.is_contiguous()) throw new ArgumentException("only a contiguous tensor's memory can be viewed as a span", nameof(tensor));
        if (tensor.element_size() != Marshal.SizeOf<T>())
            throw new ArgumentException($"a {tensor.dtype.PyTorchName()} tensor's elements are not {typeof(T).Name}s", nameof(tensor));
        return MemoryMarshal.Cast<byte, T>(tensor.bytes);
    }
}
