using System.Runtime.InteropServices;

namespace VaeLab.Torch.Native;

/// <summary>
/// Owns one at::Tensor* from the shim. As a SafeHandle it is kept alive for the duration of every
/// native call that receives it, so a tensor is never freed by the finalizer while native code uses it.
/// </summary>
internal sealed class TensorHandle : SafeHandle
{
    public TensorHandle() : base(IntPtr.Zero, ownsHandle: true) { }

    internal TensorHandle(IntPtr pointer) : base(IntPtr.Zero, ownsHandle: true) => SetHandle(pointer);

    public override bool IsInvalid => handle == IntPtr.Zero;

    protected override bool ReleaseHandle()
    {
        NativeMethods.vt_free(handle);
        return true;
    }
}
