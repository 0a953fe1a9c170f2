using TorchSharp;
using VaeLab.Data.Strokes;
using static TorchSharp.torch;

namespace VaeLab.Models.Sketch;

// Drawing with a trained model. Every method runs in eval mode without autograd and takes its randomness (latent
// draws, mixture components, pen states, offsets) from one System.Random seeded by `seed`, never from torch's global
// generator: the same call with the same seed gives the same drawings, whatever else ran before. Drawings come back
// in the model's format and units (Stroke5 or Stroke6, normalised offsets; StrokeScale.Denormalize undoes that), up
// to but not including the end-of-drawing row; a drawing that has not ended after max_length rows is cut there.
public sealed partial class SketchRnn
{
    /// <summary>Unconditional generation: count drawings from z ~ N(0, I) (the conditional model) or from the zero state (the unconditional one).</summary>
    public IReadOnlyList<StrokeRows> generate(int count, double temperature = 1.0, int seed = 0, int? max_length = null)
    {
        if (count < 1) throw new ArgumentOutOfRangeException(nameof(count), count, "generate at least one drawing");
        var random = new Random(seed);
        using var scope = NewDisposeScope();
        var z = config.conditional ? Local(Normals(random, count, config.z_size)) : null;
        return Drawing(() => Decode(z, count, Rows([]), temperature, random, max_length));
    }

    /// <summary>Drawings decoded from the latent vectors z [B, z_size] (e.g. from <see cref="encode"/> or <see cref="interpolate"/>),
    /// wherever z is.</summary>
    public IReadOnlyList<StrokeRows> decode(Tensor z, double temperature = 1.0, int seed = 0, int? max_length = null)
    {
        if (z.dim() != 2 || z.size(1) != config.z_size)
            throw new ArgumentException($"z must be [B, {config.z_size}], got [{string.Join(", ", z.shape)}]", nameof(z));
        var random = new Random(seed);
        using var latent = Local(z);
        return Drawing(() => Decode(latent, (int)z.size(0), Rows([]), temperature, random, max_length));
    }

    /// <summary>z [B, z_size] of the sketches: mu of q(z|x), or with sample a draw mu + exp(sigma_hat / 2) eps.</summary>
    public Tensor encode(IReadOnlyList<StrokeRows> sketches, bool sample = false, int seed = 0) =>
        Encode(sketches, sample ? new Random(seed) : null);

    /// <summary>Conditional reconstruction: each sketch redrawn from its own z (mu, or a draw with sample_z).</summary>
    public IReadOnlyList<StrokeRows> reconstruct(IReadOnlyList<StrokeRows> sketches, double temperature = 1.0, bool sample_z = false,
        int seed = 0, int? max_length = null)
    {
        var random = new Random(seed);
        using var z = Encode(sketches, sample_z ? random : null);
        return Drawing(() => Decode(z, sketches.Count, Rows([]), temperature, random, max_length));
    }

    Tensor Encode(IReadOnlyList<StrokeRows> sketches, Random? random)
    {
        if (encoder is null) throw new InvalidOperationException("an unconditional model has no encoder");
        return Drawing(() =>
        {
            using var scope = NewDisposeScope();
            using var batch = SketchBatches.to_batch(sketches, config.timing);
            var (mu, log_var) = encoder.call(Local(batch.Strokes[.., 1..]), batch.Lengths);
            if (random is null) return mu.MoveToOuterDisposeScope();
            var eps = Local(Normals(random, sketches.Count, config.z_size));
            return (mu + (0.5 * log_var).exp() * eps).MoveToOuterDisposeScope();
        });
    }

    /// <summary>steps latent vectors [steps, z_size] from mu(a) to mu(b), spherical (slerp, as magenta's notebook) or linear.</summary>
    public Tensor interpolate(StrokeRows a, StrokeRows b, int steps, bool spherical = true)
    {
        if (steps < 2) throw new ArgumentOutOfRangeException(nameof(steps), steps, "an interpolation needs at least its two ends");
        using var scope = NewDisposeScope();
        var z = encode([a, b]);
        var path = Enumerable.Range(0, steps).Select(i => (double)i / (steps - 1))
            .Select(t => spherical ? slerp(z[0], z[1], t) : lerp(z[0], z[1], t)).ToList();
        return stack(path).MoveToOuterDisposeScope();
    }

    /// <summary>(1 - t) z0 + t z1.</summary>
    public static Tensor lerp(Tensor z0, Tensor z1, double t) => z0.lerp(z1, t);

    /// <summary>
    /// Spherical interpolation of two vectors: sin((1 - t) w) / sin(w) z0 + sin(t w) / sin(w) z1, w the angle between
    /// them. It follows the great circle that a Gaussian latent's mass lies near; (anti)parallel vectors fall back to lerp.
    /// </summary>
    public static Tensor slerp(Tensor z0, Tensor z1, double t)
    {
        using var scope = NewDisposeScope();
        var cos = ((z0 * z1).sum() / (z0.norm() * z1.norm())).ToDouble();
        var omega = Math.Acos(Math.Clamp(cos, -1, 1));
        var so = Math.Sin(omega);
        if (so < 1e-7) return lerp(z0, z1, t).MoveToOuterDisposeScope();
        return (Math.Sin((1 - t) * omega) / so * z0 + Math.Sin(t * omega) / so * z1).MoveToOuterDisposeScope();
    }

    /// <summary>
    /// Completes the beginnings of drawings (seed 003's predict client): each prefix goes through the decoder after the
    /// start token to set its state, then the decoder draws on from there. z [B, z_size] conditions the decoder (a
    /// conditional model defaults to z = 0, as seed 003 does). Each result is the prefix followed by the new rows.
    /// </summary>
    public IReadOnlyList<StrokeRows> complete(IReadOnlyList<StrokeRows> prefixes, Tensor? z = null, double temperature = 1.0,
        int seed = 0, int? max_length = null)
    {
        if (z is not null && (z.dim() != 2 || z.size(0) != prefixes.Count || z.size(1) != config.z_size))
            throw new ArgumentException($"z must be [{prefixes.Count}, {config.z_size}] for {prefixes.Count} prefixes, got [{string.Join(", ", z.shape)}]", nameof(z));
        var random = new Random(seed);
        using var scope = NewDisposeScope();
        var latent = !config.conditional ? null : Local(z ?? zeros(prefixes.Count, config.z_size));
        return Drawing(() => prefixes.Select((prefix, i) =>
        {
            var rows = SketchBatches.model_rows(prefix, config.timing);
            var ends = Decode(latent?[i..(i + 1)], 1, rows, temperature, random, max_length)[0];
            return Rows([.. rows.Data, .. ends.Data]);
        }).ToList());
    }

    /// <summary>Runs the work in eval mode without autograd, restoring the mode after.</summary>
    T Drawing<T>(Func<T> work)
    {
        var was_training = training;
        eval();
        try
        {
            using (no_grad()) return work();
        }
        finally
        {
            train(was_training);
        }
    }

    static Tensor Normals(Random random, int rows, int columns)
    {
        var values = new float[rows * columns];
        for (var i = 0; i < values.Length; i++) values[i] = (float)Mixture.Gaussian(random);
        return tensor(values, [rows, columns]);
    }

    StrokeRows Rows(float[] data) => config.timing ? new Stroke6(data) : new Stroke5(data);

    /// <summary>The tensor in the model's dtype and on its device.</summary>
    Tensor Local(Tensor t)
    {
        var reference = decoder.fc_params.weight;
        return t.to(reference.dtype, reference.device);
    }

    /// <summary>
    /// Draws batch sequences in parallel: the decoder starts from its initial state for z, reads the start token and
    /// then the prefix rows (all but the last, which becomes the first input of the loop), then feeds back its own
    /// draws until every sequence has drawn its end row or max_length new rows.
    /// </summary>
    List<StrokeRows> Decode(Tensor? z, int batch, StrokeRows prefix, double temperature, Random random, int? max_length)
    {
        var limit = max_length ?? config.max_seq_len;
        if (limit < 1) throw new ArgumentOutOfRangeException(nameof(max_length), max_length, "draw at least one row");
        var width = config.stroke_width;
        var start = config.timing ? Stroke6.StartToken : Stroke5.StartToken;
        using var scope = NewDisposeScope();

        var state = decoder.initial_state(z, batch);
        var x = Local(tensor(Enumerable.Repeat(start, batch).SelectMany(r => r).ToArray(), [batch, width]));
        if (prefix.Length > 0)
        {
            float[] read = [.. start, .. prefix.Data[..^width]];
            (_, state) = decoder.run(Local(tensor(read, [1, prefix.Length, width])), z, state);
            x = Local(tensor(prefix.Data[^width..], [1, width]));
        }

        var rows = Enumerable.Range(0, batch).Select(_ => new List<float>()).ToArray();
        var done = new bool[batch];
        for (var step = 0; step < limit && done.Contains(false); step++)
        {
            using var step_scope = NewDisposeScope();
            var (output, next) = decoder.run(x.unsqueeze(1), z, state);
            var draws = decoder.fc_params.call(output.select(1, 0)).sample(temperature, random);
            var input = new float[batch * width];
            for (var b = 0; b < batch; b++)
            {
                var (dx, dy, dt, pen) = draws[b];
                float[] row = config.timing
                    ? [(float)dx, (float)dy, (float)dt, pen == 0 ? 1 : 0, pen == 1 ? 1 : 0, pen == 2 ? 1 : 0]
                    : [(float)dx, (float)dy, pen == 0 ? 1 : 0, pen == 1 ? 1 : 0, pen == 2 ? 1 : 0];
                row.CopyTo(input, b * width);
                if (done[b]) continue;
                if (pen == 2) done[b] = true;
                else rows[b].AddRange(row);
            }
            // The previous state and input live in this method's scope; freeing them now keeps memory flat over long drawings.
            foreach (var used in new[] { state.h, state.c, x }) used.Dispose();
            state = (next.h.MoveToOuterDisposeScope(), next.c.MoveToOuterDisposeScope());
            x = Local(tensor(input, [batch, width])).MoveToOuterDisposeScope();
        }
        return rows.Select(r => Rows(r.ToArray())).ToList();
    }
}
