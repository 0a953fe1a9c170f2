using TorchSharp;
using static TorchSharp.torch;

namespace VaeLab.Metrics;

/// <summary>
/// Principal component analysis of the rows of an [N, D] matrix, as scikit-learn's PCA: the components are the
/// eigenvectors of the sample covariance (divisor N - 1) with the largest eigenvalues, which are the explained
/// variances. Each component's sign makes its largest-magnitude entry positive, so results do not depend on the
/// eigensolver. The covariance comes from torch in float64, on the rows' device; its eigenvectors from cyclic Jacobi
/// rotations on the CPU, which are exact to rounding for the small D of latent spaces (the cost grows as D^3: a second or
/// two at D = 512). The mean and the components are kept in the rows' dtype and on their device.
/// Products use mm, not matmul: TorchSharp's matmul aborts the process on an error instead of throwing.
/// </summary>
public sealed class Pca : IDisposable
{
    Pca(Tensor mean, Tensor components, double[] variance, double total)
    {
        this.mean = mean;
        this.components = components;
        explained_variance = variance;
        explained_variance_ratio = [.. variance.Select(v => total > 0 ? v / total : 0)];
    }

    /// <summary>The mean row, [D], subtracted before projecting.</summary>
    public Tensor mean { get; }

    /// <summary>[k, D], unit rows in order of decreasing variance.</summary>
    public Tensor components { get; }

    public IReadOnlyList<double> explained_variance { get; }
    public IReadOnlyList<double> explained_variance_ratio { get; }

    /// <summary>Fits the first <paramref name="n_components"/> components to the rows of <paramref name="x"/> ([N, D], N at least 2).</summary>
    public static Pca fit(Tensor x, int n_components = 2)
    {
        if (x.dim() != 2) throw new ArgumentException($"PCA takes an [N, D] matrix, got [{string.Join(", ", x.shape)}]", nameof(x));
        var (n, d) = (x.size(0), x.size(1));
        if (n < 2) throw new ArgumentException($"PCA needs at least 2 rows, got {n}", nameof(x));
        if (n_components < 1 || n_components > d)
            throw new ArgumentOutOfRangeException(nameof(n_components), n_components, $"between 1 and the {d} columns");

        using var scope = NewDisposeScope();
        using var _ = no_grad();
        var rows = x.detach().to(float64);
        var center = rows.mean([0]);
        var centered = rows - center;
        var covariance = centered.t().mm(centered) / (n - 1);
        var (values, vectors) = SymmetricEigen(covariance.cpu().contiguous().data<double>().ToArray(), (int)d);

        var order = Enumerable.Range(0, (int)d).OrderByDescending(i => values[i]).Take(n_components).ToArray();
        var basis = new double[n_components * d];
        for (var k = 0; k < n_components; k++)
        {
            var column = order[k];
            var largest = Enumerable.Range(0, (int)d).MaxBy(r => Math.Abs(vectors[r * d + column]));
            var sign = vectors[largest * d + column] < 0 ? -1 : 1;
            for (var r = 0; r < d; r++) basis[k * d + r] = sign * vectors[r * d + column];
        }
        var variance = order.Select(i => Math.Max(values[i], 0)).ToArray();
        var total = values.Sum(v => Math.Max(v, 0));
        var components = tensor(basis).reshape(n_components, d).to(x.dtype, x.device);
        return new Pca(center.to(x.dtype).MoveToOuterDisposeScope(), components.MoveToOuterDisposeScope(), variance, total);
    }

    /// <summary>The rows of <paramref name="x"/> ([N, D]) in component coordinates, [N, k].</summary>
    public Tensor transform(Tensor x)
    {
        if (x.dim() != 2 || x.size(1) != mean.size(0))
            throw new ArgumentException($"PCA.transform takes an [N, {mean.size(0)}] matrix (the width it was fitted to), got [{string.Join(", ", x.shape)}]", nameof(x));
        using var scope = NewDisposeScope();
        using var _ = no_grad();
        return (x.detach().to(mean.dtype) - mean).mm(components.t()).MoveToOuterDisposeScope();
    }

    /// <summary>Fits to <paramref name="x"/> and projects it: its first <paramref name="n_components"/> principal coordinates.</summary>
    public static Tensor fit_transform(Tensor x, int n_components = 2)
    {
        using var pca = fit(x, n_components);
        return pca.transform(x);
    }

    public void Dispose()
    {
        mean.Dispose();
        components.Dispose();
    }

    /// <summary>
    /// Eigenvalues and eigenvectors (the columns of a row-major d x d array) of a symmetric matrix by cyclic Jacobi:
    /// each rotation zeroes one off-diagonal pair, and sweeps repeat until the off-diagonal part vanishes against
    /// the diagonal (convergence is quadratic, a handful of sweeps).
    /// </summary>
    static (double[] values, double[] vectors) SymmetricEigen(double[] matrix, int d)
    {
        var a = (double[])matrix.Clone();
        var v = new double[d * d];
        for (var i = 0; i < d; i++) v[i * d + i] = 1;
        for (var sweep = 0; sweep < 100; sweep++)
        {
            double off = 0, diagonal = 0;
            for (var p = 0; p < d; p++)
            {
                diagonal += a[p * d + p] * a[p * d + p];
                for (var q = p + 1; q < d; q++) off += a[p * d + q] * a[p * d + q];
            }
            if (off <= 1e-30 * diagonal || off == 0) break;
            for (var p = 0; p < d - 1; p++)
            for (var q = p + 1; q < d; q++)
            {
                var apq = a[p * d + q];
                if (apq == 0) continue;
                var theta = (a[q * d + q] - a[p * d + p]) / (2 * apq);
                var t = (theta >= 0 ? 1 : -1) / (Math.Abs(theta) + Math.Sqrt(theta * theta + 1));
                var c = 1 / Math.Sqrt(t * t + 1);
                var s = t * c;
                for (var k = 0; k < d; k++)
                {
                    double akp = a[k * d + p], akq = a[k * d + q];
                    a[k * d + p] = c * akp - s * akq;
                    a[k * d + q] = s * akp + c * akq;
                }
                for (var k = 0; k < d; k++)
                {
                    double apk = a[p * d + k], aqk = a[q * d + k];
                    a[p * d + k] = c * apk - s * aqk;
                    a[q * d + k] = s * apk + c * aqk;
                }
                a[p * d + q] = a[q * d + p] = 0;
                for (var k = 0; k < d; k++)
                {
                    double vkp = v[k * d + p], vkq = v[k * d + q];
                    v[k * d + p] = c * vkp - s * vkq;
                    v[k * d + q] = s * vkp + c * vkq;
                }
            }
        }
        return ([.. Enumerable.Range(0, d).Select(i => a[i * d + i])], v);
    }
}
