using VaeLab.Data.Strokes;

namespace VaeLab.Metrics;

/// <summary>The distances between generated and real values of one offset column.</summary>
/// <param name="jensen_shannon">Normalised Jensen-Shannon divergence of the histograms, in [0, 1].</param>
/// <param name="wasserstein">1-D Wasserstein (earth mover's) distance of the samples.</param>
public sealed record DistributionDistance(double jensen_shannon, double wasserstein);

/// <summary>
/// How far generated offsets are from real ones, per column (seed 001's evaluation of dx, dy and dt): the Jensen-Shannon
/// divergence of two histograms over a common range, divided by ln 2 so that identical histograms give 0 and disjoint
/// ones 1, and the exact 1-D Wasserstein distance, the area between the two empirical CDFs. Seed 001 divides density
/// histograms (np.histogram(density=True)), which scales its JS by 1 / bin width; here the histograms are probabilities.
/// </summary>
public static class StrokeDistances
{
    /// <summary>Both distances for dx, dy and, when every sketch is stroke-6, dt, keyed by column name.</summary>
    public static IReadOnlyDictionary<string, DistributionDistance> compare(IEnumerable<StrokeRows> real, IEnumerable<StrokeRows> generated, int bins = 400)
    {
        var (a, b) = (real.ToList(), generated.ToList());
        var names = a.Concat(b).All(s => s is Stroke6) ? new[] { "dx", "dy", "dt" } : ["dx", "dy"];
        return names.Select((name, column) => (name, column)).ToDictionary(e => e.name, e =>
        {
            var (x, y) = (Column(a, e.column), Column(b, e.column));
            return new DistributionDistance(jensen_shannon(x, y, bins), wasserstein(x, y));
        });
    }

    static double[] Column(IEnumerable<StrokeRows> sketches, int column) =>
        sketches.SelectMany(s => Enumerable.Range(0, s.Length).Select(row => (double)s[row, column])).ToArray();

    /// <summary>
    /// Counts of each sample in bins equal-width bins spanning the smallest to the largest value of both, the last bin
    /// closed on the right, as np.histogram with a common range (a single repeated value gets the range v +- 0.5).
    /// </summary>
    public static (double[] a, double[] b, double[] edges) histograms(IReadOnlyList<double> a, IReadOnlyList<double> b, int bins)
    {
        if (bins < 1) throw new ArgumentOutOfRangeException(nameof(bins), bins, "at least one bin");
        if (a.Count == 0 || b.Count == 0) throw new ArgumentException("both samples need values");
        var (low, high) = (Math.Min(a.Min(), b.Min()), Math.Max(a.Max(), b.Max()));
        if (low == high) (low, high) = (low - 0.5, high + 0.5);
        var edges = Enumerable.Range(0, bins + 1).Select(i => low + (high - low) * i / bins).ToArray();
        double[] Count(IReadOnlyList<double> values)
        {
            var counts = new double[bins];
            foreach (var v in values)
            {
                var i = (int)Math.Min(bins - 1, Math.Floor((v - low) / (high - low) * bins));
                // The division can land one bin off at an edge; the edges themselves decide, as numpy's do.
                if (i > 0 && v < edges[i]) i--;
                else if (i < bins - 1 && v >= edges[i + 1]) i++;
                counts[i]++;
            }
            return counts;
        }
        return (Count(a), Count(b), edges);
    }

    /// <summary>JS(P || Q) / ln 2 for the histograms of the two samples (see <see cref="histograms"/>), each normalised to sum to 1.</summary>
    public static double jensen_shannon(IReadOnlyList<double> a, IReadOnlyList<double> b, int bins = 400)
    {
        var (ca, cb, _) = histograms(a, b, bins);
        var (na, nb) = (ca.Sum(), cb.Sum());
        var divergence = 0.0;
        for (var i = 0; i < bins; i++)
        {
            var (p, q) = (ca[i] / na, cb[i] / nb);
            var m = (p + q) / 2;
            if (p > 0) divergence += 0.5 * p * Math.Log(p / m);
            if (q > 0) divergence += 0.5 * q * Math.Log(q / m);
        }
        return divergence / Math.Log(2);
    }

    /// <summary>
    /// W1 = integral |F_a(x) - F_b(x)| dx of the empirical CDFs, summed exactly over the intervals between consecutive
    /// sorted values of both samples (scipy.stats.wasserstein_distance without weights).
    /// </summary>
    public static double wasserstein(IReadOnlyList<double> a, IReadOnlyList<double> b)
    {
        if (a.Count == 0 || b.Count == 0) throw new ArgumentException("both samples need values");
        var (u, v) = (a.Order().ToArray(), b.Order().ToArray());
        int i = 0, j = 0;
        var previous = Math.Min(u[0], v[0]);
        var distance = 0.0;
        while (i < u.Length || j < v.Length)
        {
            var next = Math.Min(i < u.Length ? u[i] : double.PositiveInfinity, j < v.Length ? v[j] : double.PositiveInfinity);
            distance += Math.Abs((double)i / u.Length - (double)j / v.Length) * (next - previous);
            while (i < u.Length && u[i] == next) i++;
            while (j < v.Length && v[j] == next) j++;
            previous = next;
        }
        return distance;
    }
}
