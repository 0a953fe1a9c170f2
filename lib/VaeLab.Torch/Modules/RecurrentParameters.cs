using static VaeLab.Torch.Native.NativeMethods;
using static VaeLab.Torch.torch;

namespace VaeLab.Torch.Modules;

/// <summary>Initial values of the recurrent layers' parameters.</summary>
internal static class RecurrentParameters
{
    /// <summary>PyTorch's RNN default: every weight and bias uniform in [-1/sqrt(hidden), 1/sqrt(hidden)].</summary>
    public static nn.Parameter Uniform(long hidden_size, params long[] shape)
    {
        var bound = 1 / Math.Sqrt(hidden_size);
        using var data = empty(shape);
        data.uniform_(-bound, bound);
        return new nn.Parameter(data);
    }

    public static nn.Parameter Constant(double value, params long[] shape)
    {
        using var data = full(shape, value);
        return new nn.Parameter(data);
    }

    /// <summary>Glorot/Xavier uniform over the whole (4*hidden, input) matrix, as TensorFlow's default initializer that magenta's W_xh uses.</summary>
    public static nn.Parameter XavierUniform(long rows, long columns)
    {
        var bound = Math.Sqrt(6.0 / (rows + columns));
        using var data = empty(rows, columns);
        data.uniform_(-bound, bound);
        return new nn.Parameter(data);
    }

    /// <summary>A (blocks*size, size) matrix made of independent orthogonal (size, size) blocks: magenta's
    /// lstm_ortho_initializer for W_hh, which keeps each gate's recurrent map orthogonal.</summary>
    public static nn.Parameter OrthogonalBlocks(long blocks, long size)
    {
        using var data = empty(blocks * size, size);
        foreach (var block in data.chunk(blocks))
        {
            // Kind 4 of vt_init_ is torch.nn.init.orthogonal_ (gain 1).
            using (block) Checked.Status(vt_init_(4, block.Handle, 1.0, 0, 0), "orthogonal_");
        }
        return new nn.Parameter(data);
    }
}
