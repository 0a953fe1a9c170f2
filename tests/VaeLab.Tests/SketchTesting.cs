namespace VaeLab.Tests;

/// <summary>Small Sketch-RNN configurations and synthetic sketches for the Sketch*, Predict* tests.</summary>
static class SketchTesting
{
    public static SketchRnnConfig Small => new()
    {
        enc_rnn_size = 8, dec_rnn_size = 16, z_size = 4, num_mixture = 3, batch_size = 4, max_seq_len = 12,
    };

    public static SketchRnnConfig SmallDoodler => SketchRnnConfig.Doodler with
    {
        enc_rnn_size = 8, dec_rnn_size = 16, z_size = 4, num_mixture = 3, batch_size = 4, max_seq_len = 12,
    };

    /// <summary>Offsets (dx, dy, pen lifted) of simple drawings: a square, a triangle, a zigzag, two parallel lines.</summary>
    static readonly float[][] Shapes =
    [
        [0.2f, 0.1f, 0, 1, 0, 0, 0, 1, 0, -1, 0, 0, 0, -1, 1],
        [0.1f, 0.2f, 0, 1, 0, 0, -0.5f, 1, 0, -0.5f, -1, 1],
        [0, 0, 0, 0.5f, 0.5f, 0, 0.5f, -0.5f, 0, 0.5f, 0.5f, 0, 0.5f, -0.5f, 0, 0.5f, 0.5f, 1],
        [0, 0, 0, 1, 0, 0, 1, 0, 1, -2, 1, 0, 2, 0, 1],
    ];

    /// <summary>Shape kind % 4 with every offset moved by up to +-jitter.</summary>
    public static Stroke3 Sketch(int kind, Random random, double jitter = 0.05)
    {
        var data = (float[])Shapes[kind % Shapes.Length].Clone();
        for (var i = 0; i < data.Length; i++)
            if (i % 3 != 2) data[i] += (float)((random.NextDouble() * 2 - 1) * jitter);
        return new Stroke3(data);
    }

    public static List<Stroke3> Sketches(int count, int seed = 0)
    {
        var random = new Random(seed);
        return Enumerable.Range(0, count).Select(i => Sketch(i, random)).ToList();
    }

    /// <summary>The sketch as stroke-6 with a dt of about 0.5 per point (more after a lifted pen).</summary>
    public static Stroke6 Timed(Stroke3 sketch, Random random)
    {
        var data = new List<float>();
        for (var row = 0; row < sketch.Length; row++)
        {
            var lifted = sketch[row, 2] == 1;
            var pause = row > 0 && sketch[row - 1, 2] == 1 ? 1.5 : 0.5;
            data.AddRange([sketch[row, 0], sketch[row, 1], (float)(pause + 0.05 * random.NextDouble()), lifted ? 0 : 1, lifted ? 1 : 0, 0]);
        }
        return new Stroke6(data.ToArray());
    }

    public static List<Stroke6> TimedSketches(int count, int seed = 0)
    {
        var random = new Random(seed);
        return Sketches(count, seed).Select(s => Timed(s, random)).ToList();
    }
}
