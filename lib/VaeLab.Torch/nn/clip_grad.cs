using static VaeLab.Torch.Native.NativeMethods;

namespace VaeLab.Torch;

public static partial class torch
{
    public static partial class nn
    {
        public static partial class utils
        {
            /// <summary>
            /// Scales the gradients so that their joint norm (of order norm_type; double.PositiveInfinity for the
            /// largest magnitude) is at most max_norm, and returns the norm they had. Parameters without a gradient are skipped.
            /// </summary>
            public static unsafe double clip_grad_norm_(IEnumerable<Tensor> parameters, double max_norm, double norm_type = 2)
            {
                if (!(max_norm >= 0)) throw new ArgumentException($"max_norm must be >= 0, got {max_norm}", nameof(max_norm));
                if (!(norm_type > 0)) throw new ArgumentException($"norm_type must be positive, got {norm_type}", nameof(norm_type));
                var list = parameters.ToArray();
                var pointers = list.Select(p => p.Pointer).ToArray();
                double total;
                fixed (IntPtr* p = pointers)
                    Checked.Status(vt_clip_grad_norm_(p, pointers.Length, max_norm, norm_type, out total), nameof(clip_grad_norm_));
                GC.KeepAlive(list);
                return total;
            }

            /// <summary>Clamps every gradient element into [-clip_value, clip_value].</summary>
            public static unsafe void clip_grad_value_(IEnumerable<Tensor> parameters, double clip_value)
            {
                if (!(clip_value >= 0)) throw new ArgumentException($"clip_value must be >= 0, got {clip_value}", nameof(clip_value));
                var list = parameters.ToArray();
                var pointers = list.Select(p => p.Pointer).ToArray();
                fixed (IntPtr* p = pointers)
                    Checked.Status(vt_clip_grad_value_(p, pointers.Length, clip_value), nameof(clip_grad_value_));
                GC.KeepAlive(list);
            }
        }
    }
}
