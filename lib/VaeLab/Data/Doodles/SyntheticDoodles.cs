using VaeLab.Data.Strokes;
namespace VaeLab.Data.Doodles;

/// <summary>The shape classes of <see cref="SyntheticDoodles"/>.</summary>
public enum DoodleShape { Circle, Square, Triangle, Star, Spiral, Zigzag, Cross, House }

/// <summary>
/// Timed doodles of simple shapes for testing timing-aware models without QuickDraw data: each is placed, sized,
/// turned and stretched at random on QuickDraw's 0-255 canvas, its outline wobbles as a hand's does, and
/// <see cref="DoodleTiming"/> moves the pen along it, so strokes carry t in milliseconds like QuickDraw raw data
/// (Stroke6.FromStrokes applies). Single-stroke shapes are drawn in one go; crosses and houses take two strokes.
/// </summary>
public static class SyntheticDoodles
{
    public static IReadOnlyList<DoodleShape> Shapes { get; } = Enum.GetValues<DoodleShape>();

    /// <summary>
    /// <paramref name="perClass"/> doodles of each shape, class by class; doodle i is drawn with its own generator
    /// seeded from (<paramref name="seed"/>, i), so a seed always gives the same list.
    /// </summary>
    public static List<Drawing> Generate(int perClass, int seed, IEnumerable<DoodleShape>? shapes = null, DoodleTiming? timing = null)
    {
        if (perClass < 0) throw new ArgumentOutOfRangeException(nameof(perClass), perClass, "must be 0 or more");
        var classes = (shapes ?? Shapes).ToList();
        return Enumerable.Range(0, classes.Count * perClass)
            .Select(i => Draw(classes[i / perClass], new Random(unchecked(seed * 1_000_003 + i)), timing, $"{seed}/{i}")).ToList();
    }

    /// <summary>One doodle; its <see cref="Drawing.Word"/> is the shape's name in lower case.</summary>
    public static Drawing Draw(DoodleShape shape, Random random, DoodleTiming? timing = null, string keyId = "")
    {
        double Uniform(double low, double high) => low + random.NextDouble() * (high - low);
        var size = Uniform(40, 68);
        double cx = 128 + Uniform(-15, 15), cy = 128 + Uniform(-15, 15);
        double angle = Uniform(-0.15, 0.15), stretch = Uniform(0.9, 1.1);
        double cos = Math.Cos(angle), sin = Math.Sin(angle);
        var paths = Outline(shape, random).Select(points =>
        {
            var wobbly = Wobble(points, random, amplitude: 0.02);
            return new Stroke(
                wobbly.Select(p => (float)(cx + size * (cos * p.X * stretch - sin * p.Y / stretch))).ToArray(),
                wobbly.Select(p => (float)(cy + size * (sin * p.X * stretch + cos * p.Y / stretch))).ToArray());
        }).ToList();
        // A shaky hand adds noise to every recorded point; the canvas ends at 0 and 255.
        var strokes = (timing ?? new DoodleTiming()).Apply(paths, random).Select(s => new Stroke(
            s.X.Select(x => Math.Clamp(x + (float)(0.4 * StrokeJitter.Gaussian(random)), 0, 255)).ToArray(),
            s.Y.Select(y => Math.Clamp(y + (float)(0.4 * StrokeJitter.Gaussian(random)), 0, 255)).ToArray(), s.T)).ToList();
        return new Drawing(keyId, shape.ToString().ToLowerInvariant(), "", true, null, strokes);
    }

    /// <summary>The shape's strokes in a box of about [-1, 1]^2, y down, with a random start and direction where a person would vary them.</summary>
    static List<List<(double X, double Y)>> Outline(DoodleShape shape, Random random)
    {
        var clockwise = random.Next(2) == 0 ? 1 : -1;
        var start = random.NextDouble() * 2 * Math.PI;
        List<(double, double)> Arc(double from, double sweep, Func<double, double> radius, int points) =>
            Enumerable.Range(0, points).Select(i =>
            {
                var u = i / (double)(points - 1);
                var a = from + clockwise * sweep * u;
                return (radius(u) * Math.Cos(a), radius(u) * Math.Sin(a));
            }).ToList();
        // A closed polygon from a random corner, either way round.
        List<(double, double)> Polygon(params (double X, double Y)[] corners)
        {
            var first = random.Next(corners.Length);
            var order = Enumerable.Range(0, corners.Length + 1).Select(k => corners[((first + clockwise * k) % corners.Length + corners.Length) % corners.Length]);
            return order.ToList();
        }
        switch (shape)
        {
            case DoodleShape.Circle:
                // People rarely close a circle exactly: it stops short or overlaps a little.
                return [Arc(start, 2 * Math.PI + (random.NextDouble() - 0.4) * 0.5, _ => 1, 72)];
            case DoodleShape.Square:
                return [Polygon((-1, -1), (1, -1), (1, 1), (-1, 1))];
            case DoodleShape.Triangle:
                return [Polygon((0, -1), (1, 0.75), (-1, 0.75))];
            case DoodleShape.Star:
                return [Enumerable.Range(0, 6).Select(k => (Math.Cos(-Math.PI / 2 + clockwise * k * 4 * Math.PI / 5), Math.Sin(-Math.PI / 2 + clockwise * k * 4 * Math.PI / 5))).ToList()];
            case DoodleShape.Spiral:
                return [Arc(start, 6 * Math.PI, u => 0.05 + 0.95 * u, 150)];
            case DoodleShape.Zigzag:
                var zigzag = Enumerable.Range(0, 7).Select(k => (-1 + k / 3.0, k % 2 == 0 ? 0.5 : -0.5)).ToList();
                if (clockwise < 0) zigzag.Reverse();
                return [zigzag];
            case DoodleShape.Cross:
                List<(double, double)> down = [(0, -1), (0, 1)], across = [(-1, 0), (1, 0)];
                return random.Next(2) == 0 ? [down, across] : [across, down];
            case DoodleShape.House:
                return [Polygon((-0.8, -0.1), (-0.8, 1), (0.8, 1), (0.8, -0.1)), [(-0.95, -0.05), (0, -1), (0.95, -0.05)]];
            default:
                throw new ArgumentOutOfRangeException(nameof(shape), shape, "not a doodle shape");
        }
    }

    /// <summary>
    /// A slow sideways drift along the path, as a hand wanders off an intended line: the sum of three sines of the
    /// distance travelled, <paramref name="amplitude"/> (in outline units) at most, applied perpendicular to the path.
    /// Long straight sides are first split so that they bend too.
    /// </summary>
    static List<(double X, double Y)> Wobble(List<(double X, double Y)> points, Random random, double amplitude)
    {
        var dense = new List<(double X, double Y)> { points[0] };
        for (var i = 1; i < points.Count; i++)
        {
            var (a, b) = (points[i - 1], points[i]);
            var pieces = Math.Max(1, (int)Math.Ceiling(Math.Sqrt(Math.Pow(b.X - a.X, 2) + Math.Pow(b.Y - a.Y, 2)) / 0.1));
            for (var k = 1; k <= pieces; k++) dense.Add((a.X + (b.X - a.X) * k / pieces, a.Y + (b.Y - a.Y) * k / pieces));
        }
        var waves = Enumerable.Range(0, 3).Select(_ => (Frequency: 0.5 + random.NextDouble() * 2, Phase: random.NextDouble() * 2 * Math.PI, Weight: random.NextDouble())).ToList();
        var total = waves.Sum(w => w.Weight);
        var result = new List<(double X, double Y)>(dense.Count);
        double travelled = 0;
        for (var i = 0; i < dense.Count; i++)
        {
            if (i > 0) travelled += Math.Sqrt(Math.Pow(dense[i].X - dense[i - 1].X, 2) + Math.Pow(dense[i].Y - dense[i - 1].Y, 2));
            // The direction of travel here (averaged over the neighbours) gives the sideways normal.
            var (p, q) = (dense[Math.Max(i - 1, 0)], dense[Math.Min(i + 1, dense.Count - 1)]);
            double tx = q.X - p.X, ty = q.Y - p.Y, norm = Math.Sqrt(tx * tx + ty * ty);
            var offset = amplitude * waves.Sum(w => w.Weight * Math.Sin(w.Frequency * travelled + w.Phase)) / total;
            result.Add(norm > 0 ? (dense[i].X - ty / norm * offset, dense[i].Y + tx / norm * offset) : dense[i]);
        }
        return result;
    }
}
