using System.Runtime.InteropServices;
using VaeLab.Torch.Native;

namespace VaeLab.Torch;

/// <summary>An error reported by libtorch, with the name of the operation that raised it.</summary>
public sealed class TorchException : Exception
{
    public TorchException(string operation, string nativeMessage)
        : base($"{operation}: {nativeMessage}")
    {
        Operation = operation;
        NativeMessage = nativeMessage;
    }

    /// <summary>The binding's name of the operation, as in PyTorch (e.g. "conv2d", "view").</summary>
    public string Operation { get; }

    /// <summary>libtorch's own message, without its C++ backtrace.</summary>
    public string NativeMessage { get; }

    internal static TorchException FromNative(string operation)
    {
        var message = Marshal.PtrToStringUTF8(NativeMethods.vt_last_error()) ?? "";
        return new TorchException(operation, message.Trim());
    }
}

/// <summary>Turns the shim's return conventions into tensors or exceptions.</summary>
internal static class Checked
{
    internal static Tensor Wrap(IntPtr result, string operation) =>
        result != IntPtr.Zero ? new Tensor(new TensorHandle(result)) : throw TorchException.FromNative(operation);

    internal static void Status(int status, string operation)
    {
        if (status != 0) throw TorchException.FromNative(operation);
    }

    internal static (Tensor, Tensor) Pair(int status, IntPtr first, IntPtr second, string operation)
    {
        Status(status, operation);
        return (Wrap(first, operation), Wrap(second, operation));
    }
}
