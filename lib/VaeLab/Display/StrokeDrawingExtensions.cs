using VaeLab.Data.Strokes;

namespace VaeLab.Display;

/// <summary>Drawings and stroke sequences (stroke-3, -5 or -6, as models read and write them) as <see cref="StrokeDrawing"/>s.</summary>
public static class StrokeDrawingExtensions
{
    /// <summary>The drawing's strokes; with timing it replays as recorded unless <paramref name="replay"/> says otherwise.</summary>
    public static StrokeDrawing ToStrokeDrawing(this Drawing drawing, string? caption = null, StrokeReplay? replay = null) =>
        Create(drawing.Strokes.Where(s => s.Length > 0)
            .Select(s => new PenStroke(Doubles(s.X), Doubles(s.Y), s.T is null ? null : Doubles(s.T))).ToList(), caption, replay);

    /// <summary>
    /// A sequence of offset rows as a drawing, up to its first end-of-drawing row. With <paramref name="scale"/> the offsets
    /// are denormalised first (stroke-6 times become milliseconds again). Stroke-6 drawings carry their times, a negative dt
    /// (a model can draw one) counting as 0 so that time never runs back. Rows from <paramref name="highlightFrom"/> on,
    /// such as a model's continuation of a given beginning, are drawn in <paramref name="highlightColor"/>.
    /// </summary>
    public static StrokeDrawing ToStrokeDrawing(this StrokeRows sketch, string? caption = null, StrokeScale? scale = null,
        int? highlightFrom = null, string highlightColor = "#d62728", StrokeReplay? replay = null)
    {
        var rows = scale is null ? sketch : scale.Denormalize(sketch);
        var timed = rows.OffsetColumns == 3;
        var strokes = new List<PenStroke>();
        List<double> xs = [], ys = [], ts = [];
        var highlighted = false;
        void Flush()
        {
            if (xs.Count > 0) strokes.Add(new PenStroke(xs.ToArray(), ys.ToArray(), timed ? ts.ToArray() : null) { Color = highlighted ? highlightColor : null });
            xs.Clear();
            ys.Clear();
            ts.Clear();
        }
        double x = 0, y = 0, t = 0;
        for (var i = 0; i < rows.Length && !(rows.Width > 3 && rows[i, rows.Width - 1] == 1); i++)
        {
            (x, y) = (x + rows[i, 0], y + rows[i, 1]);
            if (timed) t += Math.Max(0, rows[i, 2]);
            // A new stroke, or the segment into the first highlighted point, takes the colour of the part it belongs to.
            if (xs.Count == 0) highlighted = i >= highlightFrom;
            xs.Add(x);
            ys.Add(y);
            ts.Add(t);
            if (i + 1 == highlightFrom && rows.PenDown(i))
            {
                Flush();
                highlighted = true;
                xs.Add(x);
                ys.Add(y);
                ts.Add(t);
            }
            if (!rows.PenDown(i)) Flush();
        }
        Flush();
        return Create(strokes, caption, replay);
    }

    static StrokeDrawing Create(List<PenStroke> strokes, string? caption, StrokeReplay? replay) =>
        replay is { } mode ? new StrokeDrawing(strokes) { Caption = caption, Replay = mode } : new StrokeDrawing(strokes) { Caption = caption };

    static double[] Doubles(float[] values) => Array.ConvertAll(values, v => (double)v);
}
