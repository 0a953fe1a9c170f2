using TorchSharp;
using VaeLab.Training;
using VaeLab.Data.Strokes;
using static TorchSharp.torch;
using Reduction = TorchSharp.torch.nn.Reduction;

namespace VaeLab.Models.Sketch;

/// <summary>What a forward pass gives: the decoder's mixture for every step, and q(z|x) with its draw (null when unconditional).</summary>
public sealed record SketchRnnOutput(Mixture mixture, Tensor? mu, Tensor? log_var, Tensor? z);

/// <summary>
/// Sketch-RNN (Ha and Eck 2017, magenta's model.py; seed 003's draw model), and with <c>timing</c> seed 001's
/// timing-aware variant over stroke-6. Training batches are <see cref="StrokeBatch"/>es, moved to the model's device
/// and dtype: the encoder reads rows 1..N (the sequence without its start token) up to each length, the decoder reads
/// rows 0..N-1 and predicts rows 1..N. The conditional model samples z = mu + exp(sigma_hat / 2) eps; the
/// unconditional one (conditional = false) has no encoder and trains on the reconstruction cost alone. Sampling,
/// reconstruction, interpolation and completion are in SketchRnn.Sampling.cs.
/// </summary>
public sealed partial class SketchRnn : nn.Module<StrokeBatch, SketchRnnOutput>
{
    public SketchRnnConfig config { get; }
    public readonly SketchEncoder? encoder;
    public readonly SketchDecoder decoder;

    public SketchRnn(SketchRnnConfig? config = null) : base(nameof(SketchRnn))
    {
        this.config = config ?? new SketchRnnConfig();
        this.config.Validate();
        if (this.config.conditional)
            encoder = new SketchEncoder(this.config.stroke_width, this.config.enc_rnn_size, this.config.z_size, this.config.num_layers, this.config.log_var_clamp);
        decoder = new SketchDecoder(this.config);
        RegisterComponents();
    }

    public override SketchRnnOutput forward(StrokeBatch batch)
    {
        var strokes = Local(CheckBatch(batch));
        var target = strokes[.., 1..];
        var inputs = strokes[.., ..^1];
        Tensor? mu = null, log_var = null, z = null;
        if (encoder is not null)
        {
            (mu, log_var) = encoder.call(target, batch.Lengths);
            z = Gaussian.reparameterize(mu, log_var);
        }
        var (output, _) = decoder.run(inputs, z, decoder.initial_state(z, strokes.size(0)));
        return new SketchRnnOutput(decoder.fc_params.call(output), mu, log_var, z);
    }

    Tensor CheckBatch(StrokeBatch batch)
    {
        var width = batch.Strokes.size(-1);
        if (width != config.stroke_width)
            throw new ArgumentException($"the batch holds rows of {width} values, but this model reads {(config.timing ? "stroke-6" : "stroke-5")} ({config.stroke_width})", nameof(batch));
        return batch.Strokes;
    }

    /// <summary>
    /// magenta's cost for a batch: see <see cref="loss"/>. In eval mode the pen cost is masked as well, as magenta's
    /// evaluation graph (is_training = False) does.
    /// </summary>
    public Dictionary<string, Tensor> losses(StrokeBatch batch, double kl_weight)
    {
        var output = call(batch);
        using var strokes = Local(batch.Strokes);
        using var target = strokes[.., 1..];
        using var mask = Local(batch.Mask);
        return loss(output.mixture, target, mask, output.mu, output.log_var, kl_weight, config.kl_tolerance, mask_pen: !training);
    }

    /// <summary>
    /// The Sketch-RNN objective from the decoder's mixture over target rows [B, N, W] with mask [B, N] (1 on data rows):
    /// recon = mean over all B * N steps of (L_s * mask + L_p), where L_s is the stroke cost (zero beyond each sequence's
    /// length) and L_p the pen cross entropy over every step, end-of-drawing rows included (over data rows only with
    /// mask_pen); kl = mean over B * Nz of KL(q(z|x) || N(0, I)); loss = recon + kl_weight * max(kl, kl_tolerance).
    /// Returns loss, recon, stroke (the L_s term), pen (the L_p term) and kl (before the tolerance); without mu and
    /// log_var (the unconditional model) loss = recon and kl = 0.
    /// </summary>
    public static Dictionary<string, Tensor> loss(Mixture mixture, Tensor target, Tensor mask, Tensor? mu, Tensor? log_var,
        double kl_weight, double kl_tolerance, bool mask_pen = false)
    {
        var steps = (double)mask.numel();
        var stroke = mixture.stroke_nll(target) * mask;
        var pen = mixture.pen_nll(target);
        if (mask_pen) pen = pen * mask;
        var recon = (stroke + pen).mean();
        var kl = mu is null ? zeros_like(recon) : Losses.gaussian_kl(mu, log_var!, Reduction.Mean);
        var total = mu is null ? recon : recon + kl_weight * kl.clamp(min: kl_tolerance);
        return new()
        {
            ["loss"] = total,
            ["recon"] = recon,
            ["stroke"] = stroke.sum() / steps,
            ["pen"] = pen.sum() / steps,
            ["kl"] = kl,
        };
    }

    /// <summary>One training step for <see cref="Trainer{TBatch}"/>: the losses, backward, and magenta's element-wise clipping when asked.</summary>
    public IReadOnlyDictionary<string, Tensor> train_step(StrokeBatch batch, StepContext context)
    {
        var result = losses(batch, context.kl_weight);
        result["loss"].backward();
        if (config.grad_clip_mode == GradClip.Value) nn.utils.clip_grad_value_(parameters(), config.grad_clip);
        return result;
    }

    /// <summary>
    /// A trainer set up as magenta trains: Adam at learning_rate, the learning rate and the KL weight following their
    /// schedules step by step, gradients clipped at grad_clip (by value or by norm). The options given keep their epochs,
    /// seed, checkpointing and the like; the schedule, the scheduler interval and the clipping are this model's.
    /// </summary>
    public Trainer<StrokeBatch> trainer(TrainerOptions? options = null)
    {
        var optimizer = optim.Adam(parameters(), lr: config.learning_rate);
        var scheduler = optim.lr_scheduler.LambdaLR(optimizer, step => config.learning_rate_at(step) / config.learning_rate);
        return new Trainer<StrokeBatch>(this, [optimizer], train_step)
        {
            options = (options ?? new TrainerOptions()) with
            {
                kl_schedule = config.kl_schedule,
                scheduler_interval = SchedulerInterval.Step,
                clip_grad_norm = config.grad_clip_mode == GradClip.Norm ? config.grad_clip : null,
            },
            schedulers = [scheduler],
            validation_step = (batch, context) => losses(batch, context.kl_weight),
        };
    }
}
