using static VaeLab.Torch.Native.NativeMethods;
using static VaeLab.Torch.torch;

namespace VaeLab.Torch.Modules;

/// <summary>
/// torch.nn.LSTM: a multi-layer, optionally bidirectional LSTM run by libtorch's fused kernel.
/// Parameters carry PyTorch's names (weight_ih_l{k}, weight_hh_l{k}, bias_ih_l{k}, bias_hh_l{k}, with
/// "_reverse" for the backward direction), shapes, order and default init, so state_dicts interchange.
/// <para>
/// forward(input, (h0, c0)) returns (output, (h_n, c_n)). input is (L, B, input_size), (B, L, input_size)
/// with batch_first, or unbatched (L, input_size); states are (num_layers * num_directions, B, hidden_size)
/// (without B when unbatched) and default to zeros; output is (L, B, num_directions * hidden_size).
/// </para>
/// <para>
/// The overloads with lengths treat the batch as padded sequences, as PyTorch code does with
/// pack_padded_sequence(enforce_sorted=False) and pad_packed_sequence: each sequence stops at its own
/// length (the reverse direction starts there), h_n and c_n come from its last real step, and the
/// output is zero at padded steps.
/// </para>
/// </summary>
public sealed class LSTM : nn.Module<Tensor, (Tensor h, Tensor c)?, (Tensor output, (Tensor h, Tensor c) state)>
{
    public long input_size { get; }
    public long hidden_size { get; }
    public long num_layers { get; }
    public bool bias { get; }
    public bool batch_first { get; }
    public double dropout { get; }
    public bool bidirectional { get; }

    // The native op takes the weights as one flat list in state_dict order.
    readonly nn.Parameter[] flatWeights;

    public LSTM(long input_size, long hidden_size, long num_layers = 1, bool bias = true, bool batch_first = false,
        double dropout = 0, bool bidirectional = false)
    {
        if (input_size < 1) throw new ArgumentOutOfRangeException(nameof(input_size), input_size, "LSTM needs input_size >= 1");
        if (hidden_size < 1) throw new ArgumentOutOfRangeException(nameof(hidden_size), hidden_size, "LSTM needs hidden_size >= 1");
        if (num_layers < 1) throw new ArgumentOutOfRangeException(nameof(num_layers), num_layers, "LSTM needs num_layers >= 1");
        nn.functional.CheckProbability(dropout);
        (this.input_size, this.hidden_size, this.num_layers, this.bias, this.batch_first, this.dropout, this.bidirectional) =
            (input_size, hidden_size, num_layers, bias, batch_first, dropout, bidirectional);

        var weights = new List<nn.Parameter>();
        for (var layer = 0; layer < num_layers; layer++)
        {
            var layerInput = layer == 0 ? input_size : hidden_size * num_directions;
            foreach (var suffix in bidirectional ? new[] { "", "_reverse" } : [""])
            {
                Add($"weight_ih_l{layer}{suffix}", 4 * hidden_size, layerInput);
                Add($"weight_hh_l{layer}{suffix}", 4 * hidden_size, hidden_size);
                if (!bias) continue;
                Add($"bias_ih_l{layer}{suffix}", 4 * hidden_size);
                Add($"bias_hh_l{layer}{suffix}", 4 * hidden_size);
            }
        }
        flatWeights = weights.ToArray();

        void Add(string name, params long[] shape)
        {
            var parameter = RecurrentParameters.Uniform(hidden_size, shape);
            register_parameter(name, parameter);
            weights.Add(parameter);
        }
    }

    public long num_directions => bidirectional ? 2 : 1;

    public override (Tensor output, (Tensor h, Tensor c) state) forward(Tensor input, (Tensor h, Tensor c)? state) => Run(input, state, null);

    public (Tensor output, (Tensor h, Tensor c) state) forward(Tensor input) => Run(input, null, null);

    /// <summary>Runs padded sequences of the given lengths (one per batch entry, each in 1..L, in any order).</summary>
    public (Tensor output, (Tensor h, Tensor c) state) forward(Tensor input, long[] lengths, (Tensor h, Tensor c)? state = null) =>
        Run(input, state, lengths);

    /// <summary>As forward(input, long[] lengths, state), with the lengths in an integer tensor.</summary>
    public (Tensor output, (Tensor h, Tensor c) state) forward(Tensor input, Tensor lengths, (Tensor h, Tensor c)? state = null) =>
        Run(input, state, LengthsOf(lengths));

    public (Tensor output, (Tensor h, Tensor c) state) call(Tensor input) => call(input, input2: null);

    public (Tensor output, (Tensor h, Tensor c) state) call(Tensor input, long[] lengths, (Tensor h, Tensor c)? state = null) =>
        Invoke((input, lengths, state), () => Run(input, state, lengths));

    public (Tensor output, (Tensor h, Tensor c) state) call(Tensor input, Tensor lengths, (Tensor h, Tensor c)? state = null) =>
        Invoke((input, lengths, state), () => Run(input, state, LengthsOf(lengths)));

    static long[] LengthsOf(Tensor lengths)
    {
        if (lengths.dim() != 1 || lengths.is_floating_point())
            throw new ArgumentException($"LSTM: lengths must be a 1-D integer tensor, got {lengths.dtype.Name()} of shape [{string.Join(", ", lengths.shape)}]", nameof(lengths));
        return lengths.data<long>();
    }

    unsafe (Tensor output, (Tensor h, Tensor c) state) Run(Tensor input, (Tensor h, Tensor c)? state, long[]? lengths)
    {
        var batched = input.dim() == 3;
        if (!batched && input.dim() != 2)
            throw new ArgumentException($"LSTM: input must be 3-D (batched) or 2-D (unbatched), got shape [{string.Join(", ", input.shape)}]", nameof(input));
        if (input.size(-1) != input_size)
            throw new ArgumentException($"LSTM: input has {input.size(-1)} features in its last dim, expected input_size = {input_size}", nameof(input));
        if (input.dtype != flatWeights[0].dtype)
            throw new ArgumentException($"LSTM: input is {input.dtype.Name()} but the weights are {flatWeights[0].dtype.Name()}", nameof(input));
        // Unbatched input gets a batch of one where PyTorch puts it: dim 0 with batch_first, else dim 1.
        var batchDim = batch_first ? 0 : 1;
        var batch = batched ? input.size(batchDim) : 1;
        long[] stateShape = batched ? [num_layers * num_directions, batch, hidden_size] : [num_layers * num_directions, hidden_size];
        if (state is { } given)
        {
            CheckState(given.h, stateShape, "h0");
            CheckState(given.c, stateShape, "c0");
        }
        if (lengths is not null) CheckLengths(lengths, batched, batch, input.size(batched ? 1 - batchDim : 0));

        using var scope = NewDisposeScope();
        var (h, c) = state ?? (zeros(stateShape, input.dtype, input.device), zeros(stateShape, input.dtype, input.device));
        var x = input;
        if (!batched) (x, h, c) = (input.unsqueeze(batchDim), h.unsqueeze(1), c.unsqueeze(1));
        var lengthsTensor = lengths is null ? null : tensor(lengths);

        var pointers = flatWeights.Select(w => w.Pointer).ToArray();
        IntPtr output, hN, cN;
        fixed (IntPtr* p = pointers)
        {
            Checked.Status(vt_lstm(x.Handle, h.Handle, c.Handle, p, pointers.Length, bias ? 1 : 0, num_layers, dropout, training ? 1 : 0,
                bidirectional ? 1 : 0, batch_first ? 1 : 0, lengthsTensor?.Pointer ?? IntPtr.Zero, out output, out hN, out cN), nameof(LSTM));
        }
        GC.KeepAlive(flatWeights);
        GC.KeepAlive(lengthsTensor);
        var (y, hn, cn) = (Checked.Wrap(output, nameof(LSTM)), Checked.Wrap(hN, nameof(LSTM)), Checked.Wrap(cN, nameof(LSTM)));
        if (!batched) (y, hn, cn) = (y.squeeze(batchDim), hn.squeeze(1), cn.squeeze(1));
        return (y.MoveToOuterDisposeScope(), (hn.MoveToOuterDisposeScope(), cn.MoveToOuterDisposeScope()));
    }

    static void CheckState(Tensor state, long[] expected, string name)
    {
        if (!state.shape.SequenceEqual(expected))
            throw new ArgumentException($"LSTM: {name} has shape [{string.Join(", ", state.shape)}], expected [{string.Join(", ", expected)}] " +
                "(num_layers * num_directions, batch, hidden_size)", name);
    }

    static void CheckLengths(long[] lengths, bool batched, long batch, long steps)
    {
        if (!batched) throw new ArgumentException("LSTM: lengths need a batched (3-D) input", nameof(lengths));
        if (lengths.Length != batch)
            throw new ArgumentException($"LSTM: {lengths.Length} lengths were given for a batch of {batch}", nameof(lengths));
        foreach (var length in lengths)
        {
            if (length < 1 || length > steps)
                throw new ArgumentException($"LSTM: length {length} is outside 1..{steps} (the input's sequence length)", nameof(lengths));
        }
    }

    public override string ToString() =>
        $"LSTM({input_size}, {hidden_size}, num_layers={num_layers}, bias={bias}, batch_first={batch_first}, dropout={dropout}, bidirectional={bidirectional})";
}
