namespace VaeLab.Data.Strokes;

/// <summary>Sketch-rnn's training augmentations, for any stroke format.</summary>
public static class StrokeAugment
{
    /// <summary>
    /// Multiplies dx by one random factor and dy by another, each uniform in [1 - s, 1 + s] (sketch-rnn's
    /// random_scale). Time offsets and pen states are left alone.
    /// </summary>
    public static T RandomScale<T>(T strokes, double s, Random random) where T : StrokeRows
    {
        var fx = (random.NextDouble() - 0.5) * 2 * s + 1;
        var fy = (random.NextDouble() - 0.5) * 2 * s + 1;
        var data = (float[])strokes.Data.Clone();
        for (var row = 0; row < strokes.Length; row++)
        {
            data[row * strokes.Width] = (float)(data[row * strokes.Width] * fx);
            data[row * strokes.Width + 1] = (float)(data[row * strokes.Width + 1] * fy);
        }
        return (T)strokes.WithData(data);
    }

    /// <summary>
    /// Sketch-rnn's augment_strokes: from the fourth point of a stroke on, each pen-down row is, with probability
    /// <paramref name="p"/>, merged into the previous kept row (their offsets, dt included, are added), so the point
    /// before it disappears and the two segments around that point join. Rows where the pen lifts are never
    /// merged and every remaining point stays where it was, so the drawing keeps its strokes and its outline.
    /// </summary>
    public static T MergeSegments<T>(T strokes, double p, Random random) where T : StrokeRows
    {
        var width = strokes.Width;
        var kept = new List<float>(strokes.Data.Length);
        var previousDown = false;
        var run = 0;
        for (var row = 0; row < strokes.Length; row++)
        {
            var down = strokes.PenDown(row);
            run = down && previousDown ? run + 1 : 0;
            if (down && previousDown && run > 2 && random.NextDouble() < p)
            {
                for (var c = 0; c < strokes.OffsetColumns; c++) kept[kept.Count - width + c] += strokes[row, c];
                continue;
            }
            kept.AddRange(strokes.Row(row));
            previousDown = down;
        }
        return (T)strokes.WithData(kept.ToArray());
    }
}
