using TorchSharp;
using TorchSharp.Modules;
using VaeLab.Torch;
using static TorchSharp.torch;

namespace VaeLab.Models.Sketch;

/// <summary>
/// Sketch-RNN's encoder: a bidirectional LSTM over the stroke rows (batch first) that stops at each sequence's own
/// length, as magenta's bidirectional_dynamic_rnn with sequence_length does; the last layer's final forward and
/// backward hidden states [h_fw, h_bw] map linearly to mu and sigma_hat (the log variance of q(z|x)). Names follow
/// seed 003 (lstm, fc_mu, fc_sigma); the two heads start as magenta's, weights N(0, 0.001^2) and zero biases.
/// </summary>
public sealed class SketchEncoder : nn.Module<Tensor, long[], (Tensor mu, Tensor log_var)>
{
    public readonly LSTM lstm;
    public readonly Linear fc_mu;
    public readonly Linear fc_sigma;

    /// <summary>Bound on |sigma_hat| (seed 001 clamps the log variance to [-10, 10]); null leaves it free.</summary>
    public double? log_var_clamp { get; }

    public SketchEncoder(long input_size, long hidden_size, long z_size, long num_layers = 1, double? log_var_clamp = null) : base(nameof(SketchEncoder))
    {
        lstm = nn.LSTM(input_size, hidden_size, num_layers, batchFirst: true, bidirectional: true);
        fc_mu = SmallGaussian(nn.Linear(2 * hidden_size, z_size));
        fc_sigma = SmallGaussian(nn.Linear(2 * hidden_size, z_size));
        this.log_var_clamp = log_var_clamp;
        RegisterComponents();
    }

    /// <summary>magenta's super_linear with init_w='gaussian', weight_start=0.001: the latent starts near N(0, I) and barely moves the decoder.</summary>
    internal static Linear SmallGaussian(Linear linear)
    {
        nn.init.normal_(linear.weight, std: 0.001);
        nn.init.zeros_(linear.bias!);
        return linear;
    }

    /// <summary>mu and sigma_hat [B, z_size] of padded rows [B, N, input_size], each sequence read up to its length.</summary>
    public override (Tensor mu, Tensor log_var) forward(Tensor strokes, long[] lengths)
    {
        var (_, h, _) = PackedLstm.forward(lstm, strokes, lengths, batch_first: true);
        // h holds (layer, direction) pairs in order: the last two are the top layer's forward and backward states.
        var last = cat([h[^2], h[^1]], 1);
        var log_var = fc_sigma.call(last);
        if (log_var_clamp is { } bound) log_var = log_var.clamp(-bound, bound);
        return (fc_mu.call(last), log_var);
    }
}
