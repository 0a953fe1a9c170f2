using VaeLab.Data.Strokes;
namespace VaeLab.Data.QuickDraw;

/// <summary>QuickDraw's simplified-data placement for drawings from other sources.</summary>
public static class QuickDrawCanvas
{
    /// <summary>
    /// Moves the strokes' bounding box to the origin and scales it by one factor so that its larger side spans 0-255,
    /// as Google aligned and scaled the simplified drawings (coordinates stay fractional; timing is kept). A drawing
    /// without extent (one point) only moves to the origin.
    /// </summary>
    public static IReadOnlyList<Stroke> Fit(IReadOnlyList<Stroke> strokes)
    {
        var points = strokes.SelectMany(s => s.X.Zip(s.Y)).ToList();
        if (points.Count == 0) return strokes;
        float minX = points.Min(p => p.First), minY = points.Min(p => p.Second);
        var extent = Math.Max(points.Max(p => p.First) - minX, points.Max(p => p.Second) - minY);
        var scale = extent > 0 ? 255 / extent : 1;
        return strokes.Select(s => new Stroke(
            s.X.Select(x => (x - minX) * scale).ToArray(), s.Y.Select(y => (y - minY) * scale).ToArray(), s.T)).ToList();
    }
}
