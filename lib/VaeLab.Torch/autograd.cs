using static VaeLab.Torch.Native.NativeMethods;

namespace VaeLab.Torch;

public static partial class torch
{
    public static class autograd
    {
        /// <summary>
        /// Gradients of outputs with respect to inputs, without touching .grad. With create_graph the
        /// results are differentiable again (gradient of gradient). Unused inputs give null when
        /// allow_unused is set, and an error otherwise.
        /// </summary>
        public static unsafe Tensor?[] grad(IReadOnlyList<Tensor> outputs, IReadOnlyList<Tensor> inputs,
            IReadOnlyList<Tensor?>? grad_outputs = null, bool retain_graph = false, bool create_graph = false, bool allow_unused = false)
        {
            if (grad_outputs is not null && grad_outputs.Count != outputs.Count)
                throw new ArgumentException($"grad_outputs has {grad_outputs.Count} entries for {outputs.Count} outputs", nameof(grad_outputs));
            var outs = outputs.Select(t => t.Pointer).ToArray();
            var ins = inputs.Select(t => t.Pointer).ToArray();
            var gradOuts = grad_outputs?.Select(t => t?.Pointer ?? IntPtr.Zero).ToArray();
            var results = new IntPtr[ins.Length];
            fixed (IntPtr* o = outs, i = ins, g = gradOuts, r = results)
            {
                Checked.Status(vt_autograd_grad(o, outs.Length, i, ins.Length, g, retain_graph ? 1 : 0, create_graph ? 1 : 0,
                    allow_unused ? 1 : 0, r), "autograd.grad");
            }
            GC.KeepAlive(outputs);
            GC.KeepAlive(inputs);
            GC.KeepAlive(grad_outputs);
            return results.Select(p => p == IntPtr.Zero ? null : Checked.Wrap(p, "autograd.grad")).ToArray();
        }
    }
}
