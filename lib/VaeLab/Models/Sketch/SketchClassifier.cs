using TorchSharp;
using TorchSharp.Modules;
using VaeLab.Training;
using VaeLab.Data.Strokes;
using static TorchSharp.torch;
using F = TorchSharp.torch.nn.functional;

namespace VaeLab.Models.Sketch;

/// <summary>
/// Hyperparameters of <see cref="SketchClassifier"/>, defaulting to seed 003's predict model: encoder 256, z 128,
/// FC 128-128-classes with dropout 0.8, five classes, sketches cut by forget_ratio 0.5, Adam 1e-3 decaying 0.9999
/// per step, gradient norm clipped at 1, batch 100, out-of-distribution below a top probability of 0.8.
/// </summary>
public sealed record SketchClassifierConfig
{
    public int enc_rnn_size { get; init; } = 256;
    public int z_size { get; init; } = 128;
    public int num_layers { get; init; } = 1;
    public int hidden_size { get; init; } = 128;

    /// <summary>Probability of zeroing a unit after each hidden layer (nn.Dropout(0.8) in seed 003).</summary>
    public double dropout { get; init; } = 0.8;

    public int num_classes { get; init; } = 5;

    /// <summary>Class names by index (seed 003: bicycle, clock, hand, spider, sun).</summary>
    public string[]? categories { get; init; } = ["bicycle", "clock", "hand", "spider", "sun"];

    /// <summary>Stroke-6 input instead of stroke-5.</summary>
    public bool timing { get; init; }

    /// <summary>Largest share of a sketch's end that training cuts off.</summary>
    public double forget_ratio { get; init; } = 0.5;

    /// <summary>A sketch whose most probable class has a lower probability is flagged out of distribution.</summary>
    public double ood_threshold { get; init; } = 0.8;

    public int batch_size { get; init; } = 100;
    public double learning_rate { get; init; } = 1e-3;
    public double decay_rate { get; init; } = 0.9999;
    public double grad_clip { get; init; } = 1.0;

    internal void Validate()
    {
        if (enc_rnn_size < 1 || z_size < 1 || num_layers < 1 || hidden_size < 1 || batch_size < 1)
            throw new ArgumentException("enc_rnn_size, z_size, num_layers, hidden_size and batch_size must be positive");
        if (num_classes < 2) throw new ArgumentException($"num_classes must be at least 2, got {num_classes}", nameof(num_classes));
        if (categories is { } names && names.Length != num_classes)
            throw new ArgumentException($"{names.Length} categories were named for {num_classes} classes", nameof(categories));
        if (!(ood_threshold >= 0 && ood_threshold <= 1)) throw new ArgumentException($"ood_threshold must be in [0, 1], got {ood_threshold}", nameof(ood_threshold));
    }
}

/// <summary>The k most probable classes of a sketch, best first, and whether the best is below the threshold.</summary>
public sealed record SketchPrediction(int[] classes, double[] probabilities, string[]? names, bool out_of_distribution)
{
    public int top => classes[0];

    /// <summary>The top k of a probability vector; ties keep the lower class index first.</summary>
    public static SketchPrediction FromProbabilities(IReadOnlyList<double> probabilities, int k, double threshold, string[]? categories = null)
    {
        if (k < 1 || k > probabilities.Count) throw new ArgumentOutOfRangeException(nameof(k), k, $"k must be in 1..{probabilities.Count}");
        var order = Enumerable.Range(0, probabilities.Count).OrderByDescending(i => probabilities[i]).ThenBy(i => i).Take(k).ToArray();
        return new SketchPrediction(order, order.Select(i => probabilities[i]).ToArray(), categories is null ? null : order.Select(i => categories[i]).ToArray(),
            probabilities[order[0]] < threshold);
    }
}

/// <summary>
/// Seed 003's predict model: a Sketch-RNN encoder shared by all classes and an FC classifier on its latent vector,
/// fc1 (z -> 128), dropout, fc2 (128 -> 128), dropout, fc3 (128 -> classes), trained with cross entropy on sketches
/// whose ends are cut off at random. As in the seed there is no nonlinearity between the FC layers. Training feeds the
/// classifier z = mu + sigma eps; eval mode feeds mu, so predictions are deterministic (the seed samples z there too).
/// The class's own draw model completes a prefix. Unlike the seed's encoder, this one stops at each sketch's length.
/// </summary>
public sealed class SketchClassifier : nn.Module<StrokeBatch, Tensor>
{
    public SketchClassifierConfig config { get; }
    public readonly SketchEncoder encoder;
    public readonly Sequential classifier;

    public SketchClassifier(SketchClassifierConfig? config = null) : base(nameof(SketchClassifier))
    {
        this.config = config ?? new SketchClassifierConfig();
        this.config.Validate();
        var c = this.config;
        encoder = new SketchEncoder(c.timing ? 6 : 5, c.enc_rnn_size, c.z_size, c.num_layers);
        classifier = nn.Sequential(
            ("fc1", nn.Linear(c.z_size, c.hidden_size)), ("drop1", nn.Dropout(c.dropout)),
            ("fc2", nn.Linear(c.hidden_size, c.hidden_size)), ("drop2", nn.Dropout(c.dropout)),
            ("fc3", nn.Linear(c.hidden_size, c.num_classes)));
        RegisterComponents();
    }

    /// <summary>Class logits [B, num_classes].</summary>
    public override Tensor forward(StrokeBatch batch)
    {
        var reference = encoder.fc_mu.weight;
        var (mu, log_var) = encoder.call(batch.Strokes.to(reference.dtype, reference.device)[.., 1..], batch.Lengths);
        return classifier.call(training ? Gaussian.reparameterize(mu, log_var) : mu);
    }

    /// <summary>Cross entropy ("loss") and accuracy of a labelled batch.</summary>
    public Dictionary<string, Tensor> losses(StrokeBatch batch, Tensor labels)
    {
        var logits = call(batch);
        return new()
        {
            ["loss"] = F.cross_entropy(logits, labels.to(logits.device)),
            ["accuracy"] = logits.argmax(1).eq(labels.to(logits.device)).to(logits.dtype).mean(),
        };
    }

    /// <summary>Adam with the per-step exponential decay and gradient norm clipping of seed 003; batches from <see cref="SketchBatches.prefixes"/>.</summary>
    public Trainer<(StrokeBatch strokes, Tensor labels)> trainer(TrainerOptions? options = null)
    {
        var optimizer = optim.Adam(parameters(), lr: config.learning_rate);
        return new Trainer<(StrokeBatch strokes, Tensor labels)>(this, [optimizer], (batch, _) =>
        {
            var result = losses(batch.strokes, batch.labels);
            result["loss"].backward();
            return result;
        })
        {
            options = (options ?? new TrainerOptions()) with { scheduler_interval = SchedulerInterval.Step, clip_grad_norm = config.grad_clip },
            schedulers = [optim.lr_scheduler.ExponentialLR(optimizer, config.decay_rate)],
            validation_step = (batch, _) => losses(batch.strokes, batch.labels),
        };
    }

    /// <summary>
    /// The k most probable classes of each sketch (whole or partial), from mu in eval mode, with the out-of-distribution
    /// flag; k is 3 by default, or every class when there are fewer.
    /// </summary>
    public IReadOnlyList<SketchPrediction> predict(IReadOnlyList<StrokeRows> sketches, int? k = null)
    {
        var was_training = training;
        eval();
        try
        {
            using var scope = NewDisposeScope();
            using var _ = no_grad();
            using var batch = SketchBatches.to_batch(sketches, config.timing);
            var probabilities = F.softmax(call(batch), 1).to(ScalarType.Float64, CPU).data<double>().ToArray();
            return Enumerable.Range(0, sketches.Count)
                .Select(i => SketchPrediction.FromProbabilities(probabilities.AsSpan(i * config.num_classes, config.num_classes).ToArray(), k ?? Math.Min(3, config.num_classes),
                    config.ood_threshold, config.categories))
                .ToList();
        }
        finally
        {
            train(was_training);
        }
    }

    /// <summary>
    /// Seed 003's prediction: classifies the prefix, then the draw model of its most probable class (draw_models[class])
    /// completes it from z = 0. Returns the prediction and the completed sketch (prefix included).
    /// </summary>
    public (SketchPrediction prediction, StrokeRows completion) complete(StrokeRows prefix, IReadOnlyList<SketchRnn> draw_models,
        int? k = null, double temperature = 0.1, int seed = 0, int? max_length = null)
    {
        if (draw_models.Count != config.num_classes)
            throw new ArgumentException($"{draw_models.Count} draw models were given for {config.num_classes} classes", nameof(draw_models));
        var prediction = predict([prefix], k)[0];
        var completion = draw_models[prediction.top].complete([prefix], temperature: temperature, seed: seed, max_length: max_length)[0];
        return (prediction, completion);
    }
}
