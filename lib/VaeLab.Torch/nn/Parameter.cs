using static VaeLab.Torch.Native.NativeMethods;

namespace VaeLab.Torch;

public static partial class torch
{
    public static partial class nn
    {
        /// <summary>
        /// A trainable tensor owned by a module: a leaf that shares storage with the data it was made
        /// from, requires grad by default, and belongs to no DisposeScope (its module disposes it).
        /// </summary>
        public sealed class Parameter : Tensor
        {
            public Parameter(Tensor data, bool requires_grad = true) : base(vt_detach(data.Handle), nameof(Parameter))
            {
                DetachFromDisposeScope();
                this.requires_grad = requires_grad;
            }
        }
    }
}
