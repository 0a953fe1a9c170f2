namespace VaeLab.Data.Strokes;

/// <summary>
/// Stroke-6, stroke-5 with timing: rows (dx, dy, dt, p1 pen down, p2 pen lifted, p3 end), dt in the
/// source's time unit (milliseconds for QuickDraw raw data). The start token is all zeros, padding rows are
/// [0,0,0,0,0,1], as in the timing-aware Sketch-RNN (seed 001).
/// </summary>
public sealed class Stroke6(float[] data) : StrokeRows(data, 6)
{
    public static readonly float[] StartToken = [0, 0, 0, 0, 0, 0];

    public override int Width => 6;
    public override int OffsetColumns => 3;
    public override bool PenDown(int row) => this[row, 3] == 1;
    public override Stroke6 WithData(float[] data) => new(data);

    /// <summary>
    /// Absolute strokes with timing to offsets: one row per point, dt the time since the previous point (so
    /// the first row of a stroke holds the pause since the last). Strokes without points are dropped.
    /// </summary>
    public static Stroke6 FromStrokes(IEnumerable<Stroke> strokes)
    {
        var rows = new List<float>();
        float x = 0, y = 0, t = 0;
        foreach (var stroke in strokes)
        {
            var times = stroke.T ?? throw new ArgumentException("stroke-6 needs strokes with timing (QuickDraw raw data)", nameof(strokes));
            for (var i = 0; i < stroke.Length; i++)
            {
                var last = i == stroke.Length - 1;
                rows.AddRange([stroke.X[i] - x, stroke.Y[i] - y, times[i] - t, last ? 0 : 1, last ? 1 : 0, 0]);
                (x, y, t) = (stroke.X[i], stroke.Y[i], times[i]);
            }
        }
        return new Stroke6(rows.ToArray());
    }

    /// <summary>Offsets back to absolute strokes with timing, up to the first end row.</summary>
    public IReadOnlyList<Stroke> ToStrokes()
    {
        var strokes = new List<Stroke>();
        List<float> xs = [], ys = [], ts = [];
        float x = 0, y = 0, t = 0;
        for (var i = 0; i < Length && this[i, 5] != 1; i++)
        {
            x += this[i, 0];
            y += this[i, 1];
            t += this[i, 2];
            xs.Add(x);
            ys.Add(y);
            ts.Add(t);
            if (PenDown(i) && i < Length - 1 && this[i + 1, 5] != 1) continue;
            strokes.Add(new Stroke(xs.ToArray(), ys.ToArray(), ts.ToArray()));
            xs.Clear();
            ys.Clear();
            ts.Clear();
        }
        return strokes;
    }

    /// <summary>The rows before the first end row as stroke-3, timing dropped.</summary>
    public Stroke3 ToStroke3()
    {
        var rows = 0;
        while (rows < Length && this[rows, 5] != 1) rows++;
        var data = new float[rows * 3];
        for (var i = 0; i < rows; i++)
        {
            data[i * 3] = this[i, 0];
            data[i * 3 + 1] = this[i, 1];
            data[i * 3 + 2] = this[i, 4];
        }
        return new Stroke3(data);
    }
}
