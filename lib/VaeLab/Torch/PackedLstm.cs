using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;
using F = TorchSharp.torch.nn.functional;

namespace VaeLab.Torch;

/// <summary>
/// Runs a torch.nn.LSTM over padded sequences of different lengths, as PyTorch code does with
/// pack_padded_sequence(enforce_sorted=False), the module and pad_packed_sequence: each sequence stops at its own
/// length (the reverse direction starts there), h_n and c_n come from its last real step, and the output is zero at
/// padded steps. The module's parameters (weight_ih_l{k}, weight_hh_l{k}, bias_ih_l{k}, bias_hh_l{k}, "_reverse" for
/// the backward direction) are used as they are, so state_dicts stay PyTorch's.
/// <para>
/// On the CPU the recurrence runs here, with libtorch's arithmetic in libtorch's order, so the numbers (outputs,
/// states, gradients) are those of TorchSharp's packed LSTM. libtorch's own packed loop narrows the projected input
/// once per step, and autograd turns each narrow into a zero tensor the size of the whole input plus an add: a
/// backward quadratic in the sequence length (at Sketch-RNN's sizes and 250 steps, 7 to 12 times the unpacked LSTM's
/// time). One split gives the same step inputs, and its backward concatenates their gradients once. Elsewhere (cuDNN)
/// the module's own packed path runs.
/// </para>
/// </summary>
public static class PackedLstm
{
    /// <summary>
    /// Runs lstm over input (L, B, input_size), or (B, L, input_size) with batch_first, where sequence b is
    /// lengths[b] steps long (1..L, in any order). state (h0, c0), each (num_layers * num_directions, B,
    /// hidden_size), defaults to zeros. Returns output (L, B, num_directions * hidden_size) (batch first with
    /// batch_first) and h_n, c_n shaped like h0.
    /// </summary>
    /// <param name="batch_first">The layout of input and output. Packed sequences ignore the module's own batch_first, so
    /// this has no default: an encoder built with batchFirst: true passes true here too.</param>
    /// <param name="dropout">The dropout lstm was built with, which TorchSharp's LSTM does not expose: in training mode it
    /// drops the outputs of every layer but the last, as nn.LSTM does. The module's own path (off the CPU) uses the
    /// module's value.</param>
    public static (Tensor output, Tensor h_n, Tensor c_n) forward(LSTM lstm, Tensor input, long[] lengths, bool batch_first,
        (Tensor h0, Tensor c0)? state = null, double dropout = 0)
    {
        var parameters = new LstmParameters(lstm);
        parameters.Check(input, lengths, state, batch_first, dropout);
        using var scope = NewDisposeScope();
        var steps = input.size(batch_first ? 1 : 0);
        var packed = nn.utils.rnn.pack_padded_sequence(input, tensor(lengths), batch_first, enforce_sorted: false);
        if (input.device_type != DeviceType.CPU)
        {
            var (packedOutput, h, c) = lstm.call(packed, state);
            var (padded, _) = nn.utils.rnn.pad_packed_sequence(packedOutput, batch_first, total_length: steps);
            return (padded.MoveToOuterDisposeScope(), h.MoveToOuterDisposeScope(), c.MoveToOuterDisposeScope());
        }

        var batchSizes = packed.batch_sizes.data<long>().ToArray();
        // Packing sorts the batch by length; the initial states follow that order, the final ones return to the caller's.
        var (h0, c0) = state is { } given
            ? (given.h0.index_select(1, packed.sorted_indices), given.c0.index_select(1, packed.sorted_indices))
            : (parameters.ZeroState(input, lengths.Length), parameters.ZeroState(input, lengths.Length));
        var (output, h_n, c_n) = Run(parameters, packed.data, batchSizes, h0, c0, lstm.training ? dropout : 0);
        var rows = PaddedRows(batchSizes, packed.unsorted_indices.data<long>().ToArray(), lengths, steps, batch_first);
        output = F.pad(output, [0, 0, 0, 1]).index_select(0, rows);
        output = batch_first ? output.view(lengths.Length, steps, -1) : output.view(steps, lengths.Length, -1);
        h_n = h_n.index_select(1, packed.unsorted_indices);
        c_n = c_n.index_select(1, packed.unsorted_indices);
        return (output.MoveToOuterDisposeScope(), h_n.MoveToOuterDisposeScope(), c_n.MoveToOuterDisposeScope());
    }

    /// <summary>at::lstm over packed rows, layer by layer as libtorch stacks them: the last layer's output rows and the
    /// final states, in the packed (sorted) batch order.</summary>
    static (Tensor output, Tensor h_n, Tensor c_n) Run(LstmParameters parameters, Tensor x, long[] batchSizes, Tensor h0, Tensor c0,
        double dropout)
    {
        var (hs, cs) = (h0.unbind(0), c0.unbind(0));
        var (h_n, c_n) = (new List<Tensor>(), new List<Tensor>());
        for (var layer = 0; layer < parameters.num_layers; layer++)
        {
            var outputs = new Tensor[parameters.directions];
            for (var direction = 0; direction < outputs.Length; direction++)
            {
                var k = layer * outputs.Length + direction;
                var w = parameters.Weights(layer, reverse: direction == 1);
                var stepInputs = F.linear(x, w.ih, w.bias_ih).split(batchSizes);
                var stepOutputs = new Tensor[batchSizes.Length];
                var (h, c) = w.reverse ? RunBackward(stepInputs, hs[k], cs[k], w, stepOutputs) : RunForward(stepInputs, hs[k], cs[k], w, stepOutputs);
                outputs[direction] = cat(stepOutputs);
                h_n.Add(h);
                c_n.Add(c);
            }
            x = outputs.Length == 2 ? cat(outputs, -1) : outputs[0];
            if (dropout > 0 && layer < parameters.num_layers - 1) x = F.dropout(x, dropout, training: true);
        }
        return (x, stack(h_n), stack(c_n));
    }

    /// <summary>One direction forward in time over the step inputs (batchSizes[t] rows at step t, longest sequences
    /// first): the sequences that end leave the state, which keeps their last rows. Fills stepOutputs; returns the final
    /// state of every sequence.</summary>
    static (Tensor h, Tensor c) RunForward(Tensor[] stepInputs, Tensor h0, Tensor c0, Weights w, Tensor[] stepOutputs)
    {
        var (h, c) = (h0, c0);
        var (hEnded, cEnded) = (new Stack<Tensor>(), new Stack<Tensor>());
        for (var t = 0; t < stepInputs.Length; t++)
        {
            var (active, running) = (h.size(0), stepInputs[t].size(0));
            if (running < active)
            {
                hEnded.Push(h.narrow(0, running, active - running));
                cEnded.Push(c.narrow(0, running, active - running));
                (h, c) = (h.narrow(0, 0, running), c.narrow(0, 0, running));
            }
            (h, c) = Step(stepInputs[t], h, c, w);
            stepOutputs[t] = h;
        }
        hEnded.Push(h);
        cEnded.Push(c);
        return (cat(hEnded.ToArray()), cat(cEnded.ToArray()));
    }

    /// <summary>One direction backward in time: it starts with the sequences that run to the last step and takes the
    /// others in, from the initial state, as it reaches their last steps.</summary>
    static (Tensor h, Tensor c) RunBackward(Tensor[] stepInputs, Tensor h0, Tensor c0, Weights w, Tensor[] stepOutputs)
    {
        var longest = stepInputs[^1].size(0);
        var (h, c) = (h0.narrow(0, 0, longest), c0.narrow(0, 0, longest));
        for (var t = stepInputs.Length - 1; t >= 0; t--)
        {
            var (active, running) = (h.size(0), stepInputs[t].size(0));
            if (running > active)
            {
                h = cat([h, h0.narrow(0, active, running - active)]);
                c = cat([c, c0.narrow(0, active, running - active)]);
            }
            (h, c) = Step(stepInputs[t], h, c, w);
            stepOutputs[t] = h;
        }
        return (h, c);
    }

    /// <summary>libtorch's CPU LSTM cell (gates i, f, g, o) with the input's share of the gates already computed, in its
    /// order of operations.</summary>
    static (Tensor h, Tensor c) Step(Tensor inputGates, Tensor h, Tensor c, Weights w)
    {
        var gates = (F.linear(h, w.hh, w.bias_hh) + inputGates).chunk(4, 1);
        var cNext = gates[1].sigmoid() * c + gates[0].sigmoid() * gates[2].tanh();
        return (gates[3].sigmoid() * cNext.tanh(), cNext);
    }

    /// <summary>For each position of the padded output, in the caller's batch order and layout, its row in the packed
    /// rows, or at padded steps the row after the last (which holds zeros).</summary>
    static Tensor PaddedRows(long[] batchSizes, long[] sortedPosition, long[] lengths, long steps, bool batch_first)
    {
        // The packed rows cover the longest sequence, which may be shorter than the input's padded length.
        var packedSteps = batchSizes.Length;
        var firstRow = new long[packedSteps + 1];
        for (var t = 0; t < packedSteps; t++) firstRow[t + 1] = firstRow[t] + batchSizes[t];
        var batch = lengths.Length;
        var rows = new long[steps * batch];
        for (var b = 0; b < batch; b++)
        {
            for (var t = 0; t < steps; t++)
                rows[batch_first ? b * steps + t : t * batch + b] = t < lengths[b] ? firstRow[t] + sortedPosition[b] : firstRow[packedSteps];
        }
        return tensor(rows);
    }

    sealed record Weights(Tensor ih, Tensor hh, Tensor? bias_ih, Tensor? bias_hh, bool reverse);

    /// <summary>An LSTM's parameters by name, and its sizes read from them: TorchSharp keeps its options in the native module.</summary>
    sealed class LstmParameters
    {
        readonly Dictionary<string, Tensor> parameters;
        public readonly long input_size, hidden_size, num_layers, directions;

        public LstmParameters(LSTM lstm)
        {
            parameters = lstm.named_parameters().ToDictionary(p => p.name, p => (Tensor)p.parameter);
            (input_size, hidden_size) = (parameters["weight_ih_l0"].size(1), parameters["weight_hh_l0"].size(1));
            directions = parameters.ContainsKey("weight_ih_l0_reverse") ? 2 : 1;
            num_layers = parameters.Keys.Count(name => name.StartsWith("weight_ih_l")) / directions;
        }

        public Weights Weights(long layer, bool reverse)
        {
            var suffix = $"_l{layer}{(reverse ? "_reverse" : "")}";
            return new(parameters["weight_ih" + suffix], parameters["weight_hh" + suffix],
                parameters.GetValueOrDefault("bias_ih" + suffix), parameters.GetValueOrDefault("bias_hh" + suffix), reverse);
        }

        public Tensor ZeroState(Tensor input, long batch) => zeros([num_layers * directions, batch, hidden_size], input.dtype, input.device);

        public void Check(Tensor input, long[] lengths, (Tensor h0, Tensor c0)? state, bool batch_first, double dropout)
        {
            if (input.dim() != 3)
                throw new ArgumentException($"PackedLstm: input must be 3-D, got shape [{string.Join(", ", input.shape)}]", nameof(input));
            if (input.size(-1) != input_size)
                throw new ArgumentException($"PackedLstm: input has {input.size(-1)} features in its last dim, expected input_size = {input_size}", nameof(input));
            var weight = parameters["weight_ih_l0"];
            if (!SameKind(input, weight))
                throw new ArgumentException($"PackedLstm: input is {input.dtype} on {input.device} but the LSTM's weights are {weight.dtype} on {weight.device}", nameof(input));
            var (batch, steps) = batch_first ? (input.size(0), input.size(1)) : (input.size(1), input.size(0));
            if (lengths.Length != batch)
                throw new ArgumentException($"PackedLstm: {lengths.Length} lengths were given for a batch of {batch}", nameof(lengths));
            foreach (var length in lengths)
            {
                if (length < 1 || length > steps)
                    throw new ArgumentException($"PackedLstm: length {length} is outside 1..{steps} (the input's sequence length)", nameof(lengths));
            }
            if (state is { } given)
            {
                CheckState(given.h0, nameof(given.h0), batch, input);
                CheckState(given.c0, nameof(given.c0), batch, input);
            }
            if (!(dropout >= 0 && dropout <= 1))
                throw new ArgumentOutOfRangeException(nameof(dropout), dropout, "PackedLstm: dropout must be a probability in [0, 1]");
        }

        static bool SameKind(Tensor a, Tensor b) => a.dtype == b.dtype && a.device_type == b.device_type && a.device_index == b.device_index;

        void CheckState(Tensor t, string name, long batch, Tensor input)
        {
            long[] expected = [num_layers * directions, batch, hidden_size];
            if (!t.shape.SequenceEqual(expected))
                throw new ArgumentException($"PackedLstm: {name} has shape [{string.Join(", ", t.shape)}], expected [{string.Join(", ", expected)}] " +
                    "(num_layers * num_directions, batch, hidden_size)", "state");
            if (!SameKind(t, input))
                throw new ArgumentException($"PackedLstm: {name} is {t.dtype} on {t.device} but input is {input.dtype} on {input.device}", "state");
        }
    }
}
