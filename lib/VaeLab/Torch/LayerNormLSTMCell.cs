using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;
using F = TorchSharp.torch.nn.functional;

namespace VaeLab.Torch;

/// <summary>
/// The layer-normalised LSTM cell of Sketch-RNN (magenta's LayerNormLSTMCell: layer norm, arXiv
/// 1607.06450, with recurrent dropout without memory loss, arXiv 1603.05118). One step, for x (B, I),
/// h and c (B, H), LN(v; gamma, beta) = gamma * (v - mean(v)) / sqrt(var(v) + eps) + beta over the
/// last H values:
/// <code>
///   [a_i, a_f, a_g, a_o] = W_ih x + W_hh h                      (no bias: the norms' beta shift instead)
///   a_k' = LN(a_k; gate_norm_weight_k, gate_norm_bias_k)      for each gate k on its own
///   c'   = sigmoid(a_f' + forget_bias) * c + sigmoid(a_i') * dropout(tanh(a_g'))
///   h'   = sigmoid(a_o') * tanh(LN(c'; cell_norm_weight, cell_norm_bias))
/// </code>
/// Dropout (probability <c>dropout</c>, scaling kept values by 1/(1 - dropout)) draws a new mask at
/// every step and acts only in training mode; it touches the candidate alone, so the memory c is never
/// dropped. x may also be unbatched (I), with h and c (H); the state defaults to zeros.
/// <para>
/// Parameter layout (ours; magenta stores transposed matrices with gates in the order i, g, f, o):
/// weight_ih (4H, I) and weight_hh (4H, H) with gate blocks in PyTorch's order i, f, g, o;
/// gate_norm_weight, gate_norm_bias (4H) in the same order; cell_norm_weight, cell_norm_bias (H).
/// Init as magenta: weight_ih Glorot-uniform, weight_hh an orthogonal (H, H) block per gate, norm
/// weights 1 and biases 0.
/// </para>
/// </summary>
public sealed class LayerNormLSTMCell : nn.Module<Tensor, (Tensor h, Tensor c)?, (Tensor h, Tensor c)>
{
    public long input_size { get; }
    public long hidden_size { get; }
    public double forget_bias { get; }
    public double dropout { get; }
    public double eps { get; }

    public readonly Parameter weight_ih;
    public readonly Parameter weight_hh;
    public readonly Parameter gate_norm_weight;
    public readonly Parameter gate_norm_bias;
    public readonly Parameter cell_norm_weight;
    public readonly Parameter cell_norm_bias;

    /// <summary>Defaults are Sketch-RNN's: forget-gate bias 1, recurrent dropout 0.1 (keep 0.9), layer-norm epsilon 1e-3.</summary>
    public LayerNormLSTMCell(long input_size, long hidden_size, double forget_bias = 1.0, double dropout = 0.1, double eps = 1e-3)
        : base(nameof(LayerNormLSTMCell))
    {
        if (input_size < 1) throw new ArgumentOutOfRangeException(nameof(input_size), input_size, "LayerNormLSTMCell needs input_size >= 1");
        if (hidden_size < 1) throw new ArgumentOutOfRangeException(nameof(hidden_size), hidden_size, "LayerNormLSTMCell needs hidden_size >= 1");
        if (!(dropout >= 0 && dropout <= 1)) throw new ArgumentOutOfRangeException(nameof(dropout), dropout, "LayerNormLSTMCell needs dropout in [0, 1]");
        if (!(eps > 0)) throw new ArgumentOutOfRangeException(nameof(eps), eps, "LayerNormLSTMCell needs eps > 0");
        (this.input_size, this.hidden_size, this.forget_bias, this.dropout, this.eps) = (input_size, hidden_size, forget_bias, dropout, eps);
        // Glorot over the whole (4H, I) matrix, as TensorFlow's default initializer that magenta's W_xh uses.
        weight_ih = new Parameter(nn.init.xavier_uniform_(empty(4 * hidden_size, input_size)));
        weight_hh = new Parameter(OrthogonalBlocks(4, hidden_size));
        gate_norm_weight = new Parameter(ones(4 * hidden_size));
        gate_norm_bias = new Parameter(zeros(4 * hidden_size));
        cell_norm_weight = new Parameter(ones(hidden_size));
        cell_norm_bias = new Parameter(zeros(hidden_size));
        RegisterComponents();
    }

    /// <summary>magenta's lstm_ortho_initializer for W_hh: independent orthogonal (size, size) blocks, which keep each
    /// gate's recurrent map orthogonal.</summary>
    static Tensor OrthogonalBlocks(long blocks, long size)
    {
        var data = empty(blocks * size, size);
        foreach (var block in data.chunk(blocks))
        {
            using (block) nn.init.orthogonal_(block);
        }
        return data;
    }

    public (Tensor h, Tensor c) forward(Tensor input) => forward(input, null);

    public (Tensor h, Tensor c) call(Tensor input) => call(input, null);

    public override (Tensor h, Tensor c) forward(Tensor input, (Tensor h, Tensor c)? state)
    {
        var batched = CheckArguments(input, state);
        using var scope = NewDisposeScope();
        var x = batched ? input : input.unsqueeze(0);
        var batch = x.size(0);
        var H = hidden_size;
        var (h, c) = state switch
        {
            null => (zeros(batch, H, dtype: x.dtype, device: x.device), zeros(batch, H, dtype: x.dtype, device: x.device)),
            { } given when batched => given,
            { } given => (given.h.unsqueeze(0), given.c.unsqueeze(0)),
        };

        var gates = F.linear(x, weight_ih) + F.linear(h, weight_hh);
        // Viewing the gates as (B, 4, H) normalises each gate block over its own H units.
        var normed = F.layer_norm(gates.view(batch, 4, H), [H], eps: eps).view(batch, 4 * H) * gate_norm_weight + gate_norm_bias;
        var a = normed.chunk(4, 1);
        var candidate = F.dropout(a[2].tanh(), dropout, training);
        var cNext = (a[1] + forget_bias).sigmoid() * c + a[0].sigmoid() * candidate;
        var hNext = a[3].sigmoid() * F.layer_norm(cNext, [H], cell_norm_weight, cell_norm_bias, eps).tanh();
        if (!batched) (hNext, cNext) = (hNext.squeeze(0), cNext.squeeze(0));
        return (hNext.MoveToOuterDisposeScope(), cNext.MoveToOuterDisposeScope());
    }

    /// <summary>Checks x (B, input_size) or (input_size) and its state before any native call; returns whether x is batched.</summary>
    bool CheckArguments(Tensor input, (Tensor h, Tensor c)? state)
    {
        var batched = input.dim() == 2;
        if (!batched && input.dim() != 1)
            throw new ArgumentException($"LayerNormLSTMCell: input must be 2-D (batched) or 1-D (unbatched), got shape [{string.Join(", ", input.shape)}]", nameof(input));
        if (input.size(-1) != input_size)
            throw new ArgumentException($"LayerNormLSTMCell: input has {input.size(-1)} features in its last dim, expected input_size = {input_size}", nameof(input));
        if (input.dtype != weight_ih.dtype)
            throw new ArgumentException($"LayerNormLSTMCell: input is {input.dtype} but the weights are {weight_ih.dtype}", nameof(input));
        if (state is not { } given) return batched;
        long[] expected = batched ? [input.size(0), hidden_size] : [hidden_size];
        foreach (var (t, name) in new[] { (given.h, "h"), (given.c, "c") })
        {
            if (!t.shape.SequenceEqual(expected))
                throw new ArgumentException($"LayerNormLSTMCell: state {name} has shape [{string.Join(", ", t.shape)}], expected [{string.Join(", ", expected)}]", nameof(state));
        }
        return batched;
    }

    public override string ToString() =>
        $"LayerNormLSTMCell({input_size}, {hidden_size}, forget_bias={forget_bias}, dropout={dropout}, eps={eps})";
}
