using static VaeLab.Torch.Native.NativeMethods;
using static VaeLab.Torch.torch;

namespace VaeLab.Torch.Modules;

/// <summary>
/// torch.nn.LSTMCell: one LSTM step through libtorch's fused cell, with PyTorch's parameters
/// (weight_ih (4*hidden, input), weight_hh (4*hidden, hidden), bias_ih, bias_hh; gates i, f, g, o).
/// forward(x, (h, c)) returns (h', c'); x is (B, input_size) or unbatched (input_size), and the state
/// defaults to zeros.
/// </summary>
public sealed class LSTMCell : nn.Module<Tensor, (Tensor h, Tensor c)?, (Tensor h, Tensor c)>
{
    public long input_size { get; }
    public long hidden_size { get; }

    public readonly nn.Parameter weight_ih;
    public readonly nn.Parameter weight_hh;
    public readonly nn.Parameter? bias_ih;
    public readonly nn.Parameter? bias_hh;

    public LSTMCell(long input_size, long hidden_size, bool bias = true)
    {
        if (input_size < 1) throw new ArgumentOutOfRangeException(nameof(input_size), input_size, "LSTMCell needs input_size >= 1");
        if (hidden_size < 1) throw new ArgumentOutOfRangeException(nameof(hidden_size), hidden_size, "LSTMCell needs hidden_size >= 1");
        (this.input_size, this.hidden_size) = (input_size, hidden_size);
        weight_ih = RecurrentParameters.Uniform(hidden_size, 4 * hidden_size, input_size);
        weight_hh = RecurrentParameters.Uniform(hidden_size, 4 * hidden_size, hidden_size);
        if (!bias) return;
        bias_ih = RecurrentParameters.Uniform(hidden_size, 4 * hidden_size);
        bias_hh = RecurrentParameters.Uniform(hidden_size, 4 * hidden_size);
    }

    public (Tensor h, Tensor c) forward(Tensor input) => forward(input, null);

    public (Tensor h, Tensor c) call(Tensor input) => call(input, null);

    public override (Tensor h, Tensor c) forward(Tensor input, (Tensor h, Tensor c)? state)
    {
        var batched = CellInput.Check(nameof(LSTMCell), input, state, input_size, hidden_size, weight_ih.dtype);
        using var scope = NewDisposeScope();
        var (x, h, c) = CellInput.Batched(input, state, hidden_size);
        var status = vt_lstm_cell(x.Handle, h.Handle, c.Handle, weight_ih.Handle, weight_hh.Handle,
            bias_ih?.Pointer ?? IntPtr.Zero, bias_hh?.Pointer ?? IntPtr.Zero, out var hOut, out var cOut);
        GC.KeepAlive(bias_ih);
        GC.KeepAlive(bias_hh);
        var (hNext, cNext) = Checked.Pair(status, hOut, cOut, nameof(LSTMCell));
        return CellInput.Restore(hNext, cNext, batched);
    }

    public override string ToString() => $"LSTMCell({input_size}, {hidden_size}, bias={bias_ih is not null})";
}
