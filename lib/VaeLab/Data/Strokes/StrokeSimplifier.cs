namespace VaeLab.Data.Strokes;

/// <summary>
/// Ramer-Douglas-Peucker simplification of strokes in absolute coordinates, as seed 001 applies to raw
/// QuickDraw data (epsilon 1.0) and Google applied to the simplified data (epsilon 2.0).
/// </summary>
public static class StrokeSimplifier
{
    /// <summary>
    /// Keeps both endpoints and drops interior points while each dropped point stays within
    /// <paramref name="epsilon"/> of the segment joining the kept points around it. Distances are to the
    /// segment, not to its infinite line (as the rdp package measures), so that the guarantee also holds where
    /// a stroke doubles back. Timing, when present, stays with the kept points.
    /// </summary>
    public static Stroke Rdp(Stroke stroke, double epsilon)
    {
        if (!(epsilon >= 0)) throw new ArgumentOutOfRangeException(nameof(epsilon), epsilon, "must be 0 or more");
        var n = stroke.Length;
        if (n < 3) return stroke;
        var keep = new bool[n];
        keep[0] = keep[n - 1] = true;
        // An explicit stack: a long stroke can split into thousands of ranges.
        var ranges = new Stack<(int First, int Last)>();
        ranges.Push((0, n - 1));
        while (ranges.Count > 0)
        {
            var (first, last) = ranges.Pop();
            var farthest = -1;
            var distance = epsilon;
            for (var i = first + 1; i < last; i++)
            {
                var d = SegmentDistance(stroke, i, first, last);
                if (d > distance) (farthest, distance) = (i, d);
            }
            if (farthest < 0) continue;
            keep[farthest] = true;
            ranges.Push((first, farthest));
            ranges.Push((farthest, last));
        }
        float[] Kept(float[] values) => values.Where((_, i) => keep[i]).ToArray();
        return new Stroke(Kept(stroke.X), Kept(stroke.Y), stroke.T is { } t ? Kept(t) : null);
    }

    public static Drawing Rdp(Drawing drawing, double epsilon) =>
        drawing with { Strokes = drawing.Strokes.Select(s => Rdp(s, epsilon)).ToList() };

    /// <summary>Distance from point <paramref name="i"/> to the segment from point <paramref name="a"/> to point <paramref name="b"/>.</summary>
    internal static double SegmentDistance(Stroke stroke, int i, int a, int b)
    {
        double ax = stroke.X[a], ay = stroke.Y[a];
        double dx = stroke.X[b] - ax, dy = stroke.Y[b] - ay;
        double px = stroke.X[i] - ax, py = stroke.Y[i] - ay;
        var length2 = dx * dx + dy * dy;
        var along = length2 == 0 ? 0 : Math.Clamp((px * dx + py * dy) / length2, 0, 1);
        return Math.Sqrt(Math.Pow(px - along * dx, 2) + Math.Pow(py - along * dy, 2));
    }
}
