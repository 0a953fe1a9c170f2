using VaeLab.Training;

namespace VaeLab.Models.Sketch;

/// <summary>Which recurrent cell the Sketch-RNN decoder runs.</summary>
public enum SketchDecoderCell
{
    /// <summary>torch.nn.LSTM over the whole sequence (libtorch's fused kernel, seed 003's decoder): fast, but with PyTorch's
    /// init and without magenta's recurrent dropout and forget-gate bias of 1.</summary>
    Lstm,

    /// <summary>magenta's layer-normalised LSTM cell with recurrent dropout, stepped once per time step.</summary>
    LayerNorm,
}

/// <summary>How the gradients are clipped before each optimizer step.</summary>
public enum GradClip
{
    /// <summary>Every element into [-grad_clip, grad_clip], as magenta's tf.clip_by_value.</summary>
    Value,

    /// <summary>The joint L2 norm of all gradients to at most grad_clip, as the PyTorch seeds' clip_grad_norm_.</summary>
    Norm,
}

/// <summary>
/// Hyperparameters of <see cref="SketchRnn"/>, named and defaulting as magenta's get_default_hparams (Ha and Eck 2017):
/// encoder 256, decoder 512, z 128, 20 mixture components, batch 100, KL weight annealed from 0.01 to 0.5 by
/// 0.99995 per step with tolerance 0.2, learning rate 1e-3 decaying by 0.9999 per step to 1e-5, gradients clipped
/// at 1, recurrent dropout keep 0.9, random scale 0.15, stroke augmentation 0.10, sequences padded to 250 rows.
/// <see cref="Doodler"/> is seed 001's timing-aware variant.
/// </summary>
public sealed record SketchRnnConfig
{
    public int enc_rnn_size { get; init; } = 256;
    public int dec_rnn_size { get; init; } = 512;
    public int z_size { get; init; } = 128;
    public int num_mixture { get; init; } = 20;

    /// <summary>Stacked LSTM layers in the encoder and in the decoder (magenta 1, seed 001 2).</summary>
    public int num_layers { get; init; } = 1;

    public SketchDecoderCell dec_model { get; init; } = SketchDecoderCell.Lstm;

    /// <summary>False: magenta's unconditional mode, a decoder alone that starts from a zero state and never sees z.</summary>
    public bool conditional { get; init; } = true;

    /// <summary>Stroke-6 (dx, dy, dt, p1, p2, p3) with a temporal mixture for dt, instead of stroke-5.</summary>
    public bool timing { get; init; }

    public int batch_size { get; init; } = 100;

    /// <summary>Rows every batch is padded to (magenta's Nmax): the reconstruction cost is a mean over batch_size * max_seq_len.</summary>
    public int max_seq_len { get; init; } = 250;

    public double kl_weight { get; init; } = 0.5;
    public double kl_weight_start { get; init; } = 0.01;
    public double kl_decay_rate { get; init; } = 0.99995;
    public double kl_tolerance { get; init; } = 0.2;

    public double learning_rate { get; init; } = 1e-3;
    public double decay_rate { get; init; } = 0.9999;
    public double min_learning_rate { get; init; } = 1e-5;

    public double grad_clip { get; init; } = 1.0;
    public GradClip grad_clip_mode { get; init; } = GradClip.Value;

    /// <summary>Keep probability of the LayerNorm cell's recurrent dropout (the cell drops 1 - this).</summary>
    public double recurrent_dropout_prob { get; init; } = 0.9;

    public double random_scale_factor { get; init; } = 0.15;
    public double augment_stroke_prob { get; init; } = 0.10;

    /// <summary>Tikhonov term alpha added to the spatial covariance's diagonal: sigma' = sqrt(sigma^2 + alpha),
    /// rho' = rho sigma_x sigma_y / (sigma_x' sigma_y') (0 in magenta, 1e-6 in seed 001).</summary>
    public double reg_covar { get; init; }

    /// <summary>Bound on |log variance| of q(z|x) (seed 001 clamps to [-10, 10]; magenta does not clamp).</summary>
    public double? log_var_clamp { get; init; }

    /// <summary>
    /// Seed 001's timing-aware model (spec values): stroke-6, two-layer encoder and LayerNorm decoder with recurrent
    /// dropout 0.1, KL annealed 0.01 to 1 with tolerance 0.2, gradient norm clipped at 1, Tikhonov 1e-6, log variance
    /// clamped to [-10, 10], random scale 0.1 and stroke merging 0.08. Its learning rate decays by 0.9999 per step
    /// without a floor (ExponentialLR), so min_learning_rate is 0.
    /// </summary>
    public static SketchRnnConfig Doodler => new()
    {
        timing = true,
        num_layers = 2,
        dec_model = SketchDecoderCell.LayerNorm,
        kl_weight = 1.0,
        min_learning_rate = 0,
        grad_clip_mode = GradClip.Norm,
        random_scale_factor = 0.1,
        augment_stroke_prob = 0.08,
        reg_covar = 1e-6,
        log_var_clamp = 10,
    };

    /// <summary>Columns of an input row: 5 (stroke-5) or 6 (stroke-6).</summary>
    public int stroke_width => timing ? 6 : 5;

    /// <summary>Outputs of the mixture head: 6M + 3, or 8M + 3 with the temporal part.</summary>
    public int output_size => (timing ? 8 : 6) * num_mixture + 3;

    /// <summary>magenta's schedule, lr(step) = (lr - min) * decay^step + min, for the step about to be taken.</summary>
    public double learning_rate_at(long step) => (learning_rate - min_learning_rate) * Math.Pow(decay_rate, step) + min_learning_rate;

    /// <summary>magenta's KL annealing, w(step) = kl_weight - (kl_weight - kl_weight_start) * kl_decay_rate^step.</summary>
    public double kl_weight_at(long step) => kl_schedule.weight(0, step);

    /// <summary>The annealing as the trainer's schedule: it advances with every optimizer step, not every epoch.</summary>
    public KlSchedule kl_schedule => new ExponentialKlWarmup(kl_weight_start, kl_weight, kl_decay_rate);

    internal void Validate()
    {
        Positive(enc_rnn_size, nameof(enc_rnn_size));
        Positive(dec_rnn_size, nameof(dec_rnn_size));
        Positive(z_size, nameof(z_size));
        Positive(num_mixture, nameof(num_mixture));
        Positive(num_layers, nameof(num_layers));
        Positive(batch_size, nameof(batch_size));
        Positive(max_seq_len, nameof(max_seq_len));
        if (!(recurrent_dropout_prob > 0 && recurrent_dropout_prob <= 1))
            throw new ArgumentException($"recurrent_dropout_prob is a keep probability in (0, 1], got {recurrent_dropout_prob}", nameof(recurrent_dropout_prob));
        if (!(reg_covar >= 0)) throw new ArgumentException($"reg_covar must be >= 0, got {reg_covar}", nameof(reg_covar));
        if (log_var_clamp is { } bound && !(bound > 0)) throw new ArgumentException($"log_var_clamp must be positive, got {bound}", nameof(log_var_clamp));
    }

    static void Positive(int value, string name)
    {
        if (value < 1) throw new ArgumentException($"{name} must be positive, got {value}", name);
    }
}
