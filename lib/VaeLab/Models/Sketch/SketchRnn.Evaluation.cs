using TorchSharp;
using VaeLab.Data.Strokes;
using static TorchSharp.torch;

namespace VaeLab.Models.Sketch;

public sealed partial class SketchRnn
{
    /// <summary>
    /// The costs of a data set as Ha and Eck report them (Table 1): the means over all sketches of <see cref="losses"/> in
    /// eval mode (magenta's evaluation graph: pen cost masked), batches of batch_size padded to max_seq_len without
    /// augmentation. "recon" is L_R, "kl" is L_KL before the tolerance, "loss" uses kl_weight (default: the final weight).
    /// z is drawn from q(z|x) as in training; the global generator is seeded with <paramref name="seed"/> first, so the
    /// same call gives the same numbers.
    /// </summary>
    public Dictionary<string, double> evaluate<T>(IReadOnlyList<T> sketches, double? kl_weight = null, long seed = 0) where T : StrokeRows
    {
        if (sketches.Count == 0) throw new ArgumentException("there are no sketches to evaluate", nameof(sketches));
        manual_seed(seed);
        return Drawing(() =>
        {
            var sums = new Dictionary<string, double>();
            foreach (var batch in SketchBatches.epoch(sketches, config, 0, seed, augment: false))
            {
                using var scope = NewDisposeScope();
                using (batch)
                    foreach (var (name, value) in losses(batch, kl_weight ?? config.kl_weight))
                        sums[name] = sums.GetValueOrDefault(name) + value.ToDouble() * batch.Lengths.Length;
            }
            return sums.ToDictionary(e => e.Key, e => e.Value / sketches.Count);
        });
    }
}
