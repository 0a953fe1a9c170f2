namespace VaeLab.Data.Strokes;

/// <summary>
/// A random small affine distortion of a drawing about its bounding box's centre, then Gaussian noise on every point,
/// to turn one clean drawing (a font glyph) into many hand-like variants. Each parameter bounds a uniform draw
/// except <see cref="PointNoise"/>, a standard deviation; distances are in the drawing's units.
/// </summary>
/// <param name="Rotation">Largest rotation, radians.</param>
/// <param name="Scale">Largest relative change of x and of y scale, drawn separately.</param>
/// <param name="Shear">Largest horizontal shear (x += shear * y).</param>
/// <param name="Shift">Largest translation along each axis.</param>
/// <param name="PointNoise">Standard deviation of the noise added to each coordinate.</param>
public sealed record StrokeJitter(double Rotation = 0.12, double Scale = 0.1, double Shear = 0.15, double Shift = 1, double PointNoise = 0.3)
{
    public IReadOnlyList<Stroke> Apply(IReadOnlyList<Stroke> strokes, Random random)
    {
        var points = strokes.SelectMany(s => s.X.Zip(s.Y)).ToList();
        if (points.Count == 0) return strokes;
        var cx = (points.Min(p => p.First) + points.Max(p => p.First)) / 2.0;
        var cy = (points.Min(p => p.Second) + points.Max(p => p.Second)) / 2.0;
        double Uniform(double bound) => (random.NextDouble() * 2 - 1) * bound;
        var angle = Uniform(Rotation);
        double sx = 1 + Uniform(Scale), sy = 1 + Uniform(Scale), shear = Uniform(Shear);
        double tx = Uniform(Shift), ty = Uniform(Shift);
        // Scale, then shear, then rotate: [a b; c d] = R(angle) [1 shear; 0 1] diag(sx, sy).
        double cos = Math.Cos(angle), sin = Math.Sin(angle);
        double a = cos * sx, b = (cos * shear - sin) * sy, c = sin * sx, d = (sin * shear + cos) * sy;
        return strokes.Select(s =>
        {
            var xs = new float[s.Length];
            var ys = new float[s.Length];
            for (var i = 0; i < s.Length; i++)
            {
                double x = s.X[i] - cx, y = s.Y[i] - cy;
                xs[i] = (float)(cx + tx + a * x + b * y + PointNoise * Gaussian(random));
                ys[i] = (float)(cy + ty + c * x + d * y + PointNoise * Gaussian(random));
            }
            return new Stroke(xs, ys, s.T);
        }).ToList();
    }

    /// <summary>A standard normal draw (Box-Muller).</summary>
    internal static double Gaussian(Random random) =>
        Math.Sqrt(-2 * Math.Log(1 - random.NextDouble())) * Math.Cos(2 * Math.PI * random.NextDouble());
}
