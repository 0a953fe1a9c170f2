using VaeLab.Models.Sketch;
using TorchSharp;
using VaeLab.Data.Strokes;
using static TorchSharp.torch;

namespace VaeLab.Bench;

/// <summary>Sizes of the Sketch-RNN training-step benchmarks (pytorch_sketch_rnn.py reads the same record).</summary>
sealed record SketchWorkload(int Batch, int Nmax, int Steps, int Repeats)
{
    // magenta's batch and Nmax. A step takes seconds on a small machine, so three timed steps a side.
    public static readonly SketchWorkload Full = new(Batch: 100, Nmax: 250, Steps: 1, Repeats: 3);

    public static readonly SketchWorkload Quick = new(Batch: 8, Nmax: 40, Steps: 1, Repeats: 1);
}

/// <summary>
/// One Sketch-RNN training step (magenta's sizes: encoder 256, decoder 512, Nz 128, M 20) with the fused LSTM decoder
/// and with the LayerNorm one: forward, magenta's loss at KL weight 0.5, backward, gradient norm clipped at 1, Adam.
/// </summary>
static class SketchRnnBenchmarks
{
    public static Benchmark[] For(SketchWorkload w) =>
    [
        new("sketch_rnn_lstm", $"Sketch-RNN training step, fused LSTM decoder (batch {w.Batch}, Nmax {w.Nmax}, Adam)", "steps/s",
            w.Steps, w.Repeats, () => Step(w, SketchDecoderCell.Lstm)),
        new("sketch_rnn_layer_norm", $"Sketch-RNN training step, LayerNorm LSTM decoder (batch {w.Batch}, Nmax {w.Nmax}, Adam)", "steps/s",
            w.Steps, w.Repeats, () => Step(w, SketchDecoderCell.LayerNorm)),
    ];

    static Action<int> Step(SketchWorkload w, SketchDecoderCell cell)
    {
        manual_seed(0);
        var config = new SketchRnnConfig { dec_model = cell, batch_size = w.Batch, max_seq_len = w.Nmax, grad_clip_mode = GradClip.Norm };
        var model = new SketchRnn(config);
        var optimizer = optim.Adam(model.parameters(), lr: config.learning_rate);
        var batch = RandomBatch(w.Batch, w.Nmax, new Random(0));
        return n =>
        {
            for (var i = 0; i < n; i++)
            {
                using var scope = NewDisposeScope();
                optimizer.zero_grad();
                model.losses(batch, config.kl_weight)["loss"].backward();
                nn.utils.clip_grad_norm_(model.parameters(), config.grad_clip);
                optimizer.step();
            }
        };
    }

    /// <summary>
    /// Stand-in sketches: lengths uniform in [Nmax / 4, Nmax], offsets uniform in [-1, 1] (the scale of normalised data), the pen
    /// lifted after one row in five.
    /// </summary>
    static StrokeBatch RandomBatch(int batch, int nmax, Random random)
    {
        var sketches = new List<Stroke3>(batch);
        for (var b = 0; b < batch; b++)
        {
            var rows = random.Next(nmax / 4, nmax + 1);
            var data = new float[rows * 3];
            for (var r = 0; r < rows; r++)
            {
                data[3 * r] = (float)(2 * random.NextDouble() - 1);
                data[3 * r + 1] = (float)(2 * random.NextDouble() - 1);
                data[3 * r + 2] = random.NextDouble() < 0.2 || r == rows - 1 ? 1 : 0;
            }
            sketches.Add(new Stroke3(data));
        }
        return StrokeBatch.FromStroke3(sketches, nmax);
    }
}
