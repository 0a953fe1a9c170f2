using VaeLab.Data.Strokes;
namespace VaeLab.Data.Doodles;

/// <summary>
/// A model of how a person moves a pen along given paths, producing QuickDraw-like raw strokes: points recorded
/// every few milliseconds (so they bunch up where the pen is slow), t in whole milliseconds since the first point.
/// The pen eases in at the start of a stroke and out at its end, slows at corners (down to the slow speed at right
/// angles and sharper ones, less at gentler turns), and rests between strokes before moving to the next one.
/// Speeds are in path units per millisecond.
/// </summary>
/// <param name="Speed">Top speed, reached on straight stretches away from ends and corners.</param>
/// <param name="SlowSpeed">Speed at the ends of a stroke and at sharp corners.</param>
/// <param name="EaseLength">Distance over which the pen speeds up after an end or corner and slows down before one.</param>
/// <param name="SampleInterval">Mean time between recorded points; each interval is drawn uniformly within +-50% of it.</param>
/// <param name="PauseMin">Shortest rest between strokes, before the pen travels (at <paramref name="Speed"/>) to the next start.</param>
/// <param name="PauseMax">Longest rest between strokes.</param>
public sealed record DoodleTiming(double Speed = 0.5, double SlowSpeed = 0.06, double EaseLength = 20, double SampleInterval = 16,
    double PauseMin = 120, double PauseMax = 450)
{
    // Steps of the arc-length integration of dt = ds / v: fine against the sampling, coarse enough to stay cheap.
    const double Step = 0.5;

    /// <summary>
    /// Timed strokes along the paths of <paramref name="paths"/> (their own timing is ignored): every output point
    /// lies on its path, the first and last points of each path included; one-point paths stay single points.
    /// </summary>
    public IReadOnlyList<Stroke> Apply(IReadOnlyList<Stroke> paths, Random random)
    {
        if (!(SlowSpeed > 0 && Speed >= SlowSpeed && double.IsFinite(Speed))) throw new InvalidOperationException($"speeds must satisfy 0 < SlowSpeed ({SlowSpeed}) <= Speed ({Speed})");
        if (!(EaseLength > 0)) throw new InvalidOperationException($"EaseLength {EaseLength} must be positive");
        if (!(PauseMin >= 0 && PauseMax >= PauseMin)) throw new InvalidOperationException($"pauses must satisfy 0 <= PauseMin ({PauseMin}) <= PauseMax ({PauseMax})");
        if (!(SampleInterval >= 2)) throw new InvalidOperationException($"SampleInterval {SampleInterval} must be at least 2 ms so that recorded times increase");
        var strokes = new List<Stroke>();
        double time = 0;
        (float X, float Y)? last = null;
        foreach (var path in paths.Where(p => p.Length > 0))
        {
            if (last is var (lx, ly))
            {
                var travel = Math.Sqrt(Math.Pow(path.X[0] - lx, 2) + Math.Pow(path.Y[0] - ly, 2));
                time += PauseMin + random.NextDouble() * (PauseMax - PauseMin) + travel / Speed;
            }
            var stroke = Trace(path, time, random);
            strokes.Add(stroke);
            time = stroke.T![^1];
            last = (stroke.X[^1], stroke.Y[^1]);
        }
        return strokes;
    }

    Stroke Trace(Stroke path, double start, Random random)
    {
        // Arc length at each vertex and the turn (0..pi) the path makes there.
        var n = path.Length;
        var along = new double[n];
        for (var i = 1; i < n; i++) along[i] = along[i - 1] + Math.Sqrt(Math.Pow(path.X[i] - path.X[i - 1], 2) + Math.Pow(path.Y[i] - path.Y[i - 1], 2));
        var length = along[^1];
        var corners = new List<(double At, double Turn)>();
        for (var i = 1; i < n - 1; i++)
        {
            double ux = path.X[i] - path.X[i - 1], uy = path.Y[i] - path.Y[i - 1], vx = path.X[i + 1] - path.X[i], vy = path.Y[i + 1] - path.Y[i];
            if ((ux == 0 && uy == 0) || (vx == 0 && vy == 0)) continue;
            corners.Add((along[i], Math.Abs(Math.Atan2(ux * vy - uy * vx, ux * vx + uy * vy))));
        }

        List<float> xs = [], ys = [], ts = [];
        void Record(double s, double t)
        {
            var (x, y) = PointAt(path, along, s);
            xs.Add(x);
            ys.Add(y);
            ts.Add((float)Math.Round(t));
        }
        var time = start;
        Record(0, time);
        var next = time + NextInterval(random);
        var nearby = 0;
        for (var s = 0.0; s < length;)
        {
            var ds = Math.Min(Step, length - s);
            // Corners come in order along the path: skip those left more than an ease length behind.
            while (nearby < corners.Count && corners[nearby].At < s - EaseLength) nearby++;
            time += ds / SpeedAt(s + ds / 2, length, corners, nearby);
            s += ds;
            if (time >= next && s < length)
            {
                Record(s, time);
                next = time + NextInterval(random);
            }
        }
        if (length > 0) Record(length, Math.Max(time, ts[^1] + 1));
        return new Stroke(xs.ToArray(), ys.ToArray(), ts.ToArray());
    }

    double NextInterval(Random random) => SampleInterval * (0.5 + random.NextDouble());

    /// <summary>Top speed scaled down near the stroke's ends and near corners (from index <paramref name="first"/> on), by the strictest.</summary>
    double SpeedAt(double s, double length, List<(double At, double Turn)> corners, int first)
    {
        var factor = Math.Min(Ease(s), Ease(length - s));
        for (var i = first; i < corners.Count && corners[i].At < s + EaseLength; i++)
        {
            var (at, turn) = corners[i];
            factor = Math.Min(factor, 1 - Math.Min(1, turn / (Math.PI / 2)) * (1 - Ease(Math.Abs(s - at))));
        }
        return SlowSpeed + (Speed - SlowSpeed) * factor;
    }

    /// <summary>0 at distance 0, rising smoothly to 1 at <see cref="EaseLength"/>.</summary>
    double Ease(double distance)
    {
        var u = Math.Clamp(distance / EaseLength, 0, 1);
        return u * u * (3 - 2 * u);
    }

    static (float X, float Y) PointAt(Stroke path, double[] along, double s)
    {
        var i = Array.BinarySearch(along, s);
        if (i >= 0) return (path.X[i], path.Y[i]);
        i = ~i;
        if (i >= along.Length) return (path.X[^1], path.Y[^1]);
        var f = (s - along[i - 1]) / (along[i] - along[i - 1]);
        return ((float)(path.X[i - 1] + f * (path.X[i] - path.X[i - 1])), (float)(path.Y[i - 1] + f * (path.Y[i] - path.Y[i - 1])));
    }
}
