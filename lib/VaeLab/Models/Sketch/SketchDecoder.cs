using TorchSharp;
using VaeLab.Torch;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace VaeLab.Models.Sketch;

/// <summary>
/// Sketch-RNN's decoder: an LSTM whose input at step t is [x_{t-1}, z] (just x_{t-1} in the unconditional mode),
/// whose initial state is tanh(fc_hc(z)) split into [h0, c0] (zeros when unconditional), and whose hidden states go
/// through the mixture head fc_params. Either the fused torch.nn.LSTM runs the whole sequence, or magenta's LayerNorm
/// LSTM cells (with recurrent dropout) are stepped one time step at a time. With several layers every layer starts
/// from the same tanh(fc_hc(z)), as seed 001 repeats it. States are (h, c), each [num_layers, B, dec_rnn_size].
/// </summary>
public sealed class SketchDecoder : nn.Module
{
    public readonly Linear? fc_hc;
    public readonly LSTM? lstm;
    public readonly ModuleList<LayerNormLSTMCell>? cells;
    public readonly GmmHead fc_params;

    public long hidden_size { get; }
    public long num_layers { get; }
    public long z_size { get; }

    public SketchDecoder(SketchRnnConfig c) : base(nameof(SketchDecoder))
    {
        (hidden_size, num_layers) = (c.dec_rnn_size, c.num_layers);
        z_size = c.conditional ? c.z_size : 0;
        var input_size = c.stroke_width + z_size;
        if (c.conditional) fc_hc = SketchEncoder.SmallGaussian(nn.Linear(c.z_size, 2 * c.dec_rnn_size));
        if (c.dec_model == SketchDecoderCell.Lstm) lstm = nn.LSTM(input_size, c.dec_rnn_size, c.num_layers, batchFirst: true);
        else
            cells = nn.ModuleList(Enumerable.Range(0, c.num_layers)
                .Select(l => new LayerNormLSTMCell(l == 0 ? input_size : c.dec_rnn_size, c.dec_rnn_size, dropout: 1 - c.recurrent_dropout_prob))
                .ToArray());
        fc_params = new GmmHead(c.dec_rnn_size, c.num_mixture, c.timing, c.reg_covar);
        RegisterComponents();
    }

    /// <summary>The state before the first step: tanh(fc_hc(z)) as [h0, c0] for every layer, or zeros without z.</summary>
    public (Tensor h, Tensor c) initial_state(Tensor? z, long batch)
    {
        if ((z is null) != (fc_hc is null))
            throw new ArgumentException(fc_hc is null ? "this decoder is unconditional and takes no z" : "this decoder is conditional and needs z", nameof(z));
        var reference = fc_params.weight;
        if (z is null)
        {
            long[] shape = [num_layers, batch, hidden_size];
            return (zeros(shape, reference.dtype, reference.device), zeros(shape, reference.dtype, reference.device));
        }
        using var scope = NewDisposeScope();
        var hc = fc_hc!.call(z).tanh().chunk(2, 1);
        var h = hc[0].unsqueeze(0).expand(num_layers, batch, hidden_size).contiguous();
        var c = hc[1].unsqueeze(0).expand(num_layers, batch, hidden_size).contiguous();
        return (h.MoveToOuterDisposeScope(), c.MoveToOuterDisposeScope());
    }

    /// <summary>Runs rows x [B, T, stroke_width] from a state: the top layer's hidden states [B, T, hidden] and the final state.</summary>
    public (Tensor output, (Tensor h, Tensor c) state) run(Tensor x, Tensor? z, (Tensor h, Tensor c) state)
    {
        var input = z is null ? x : cat([x, z.unsqueeze(1).expand(x.size(0), x.size(1), z.size(1))], 2);
        if (lstm is not null)
        {
            var (y, h_n, c_n) = lstm.call(input, state);
            return (y, (h_n, c_n));
        }

        using var scope = NewDisposeScope();
        var h = state.h.unbind(0);
        var c = state.c.unbind(0);
        // One unbind rather than a select per step: autograd turns each select into a zero tensor the size of the
        // whole input plus an add, a backward quadratic in the sequence length; unbind's backward stacks once.
        var steps = input.unbind(1);
        var outputs = new Tensor[steps.Length];
        for (var t = 0; t < outputs.Length; t++)
        {
            var layer_input = steps[t];
            for (var l = 0; l < cells!.Count; l++)
            {
                (h[l], c[l]) = cells[l].call(layer_input, (h[l], c[l]));
                layer_input = h[l];
            }
            outputs[t] = layer_input;
        }
        var output = stack(outputs, 1);
        return (output.MoveToOuterDisposeScope(), (stack(h).MoveToOuterDisposeScope(), stack(c).MoveToOuterDisposeScope()));
    }
}
