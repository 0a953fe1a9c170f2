namespace VaeLab.Data.Strokes;

/// <summary>
/// Stroke-3, sketch-rnn's storage format: rows (dx, dy, pen_lifted), where pen_lifted = 1 marks the last
/// point of a stroke. The first row is the first point's offset from the origin.
/// </summary>
public sealed class Stroke3(float[] data) : StrokeRows(data, 3)
{
    public override int Width => 3;
    public override int OffsetColumns => 2;
    public override bool PenDown(int row) => this[row, 2] == 0;
    public override Stroke3 WithData(float[] data) => new(data);

    /// <summary>
    /// Absolute strokes to offsets (sketch-rnn's lines_to_strokes). Timing is dropped, and so are strokes
    /// without points, which stroke-3 cannot hold; everything else comes back from <see cref="ToStrokes"/>.
    /// </summary>
    public static Stroke3 FromStrokes(IEnumerable<Stroke> strokes)
    {
        var rows = new List<float>();
        float x = 0, y = 0;
        foreach (var stroke in strokes)
            for (var i = 0; i < stroke.Length; i++)
            {
                rows.Add(stroke.X[i] - x);
                rows.Add(stroke.Y[i] - y);
                rows.Add(i == stroke.Length - 1 ? 1 : 0);
                (x, y) = (stroke.X[i], stroke.Y[i]);
            }
        return new Stroke3(rows.ToArray());
    }

    /// <summary>
    /// Offsets back to absolute strokes, split after each lifted pen. Points after the last lift (a sequence
    /// cut short) make a final stroke.
    /// </summary>
    public IReadOnlyList<Stroke> ToStrokes()
    {
        var strokes = new List<Stroke>();
        List<float> xs = [], ys = [];
        float x = 0, y = 0;
        for (var i = 0; i < Length; i++)
        {
            x += this[i, 0];
            y += this[i, 1];
            xs.Add(x);
            ys.Add(y);
            if (PenDown(i) && i < Length - 1) continue;
            strokes.Add(new Stroke(xs.ToArray(), ys.ToArray()));
            xs.Clear();
            ys.Clear();
        }
        return strokes;
    }

    /// <summary>
    /// Stroke-5 rows (dx, dy, p1 pen down, p2 pen lifted, p3 end), padded with [0,0,0,0,1] up to
    /// <paramref name="nmax"/> rows when given (sketch-rnn's to_big_strokes).
    /// </summary>
    public Stroke5 ToStroke5(int? nmax = null)
    {
        var rows = nmax ?? Length;
        if (rows < Length) throw new ArgumentOutOfRangeException(nameof(nmax), nmax, $"shorter than the {Length} rows of the sequence");
        var data = new float[rows * 5];
        for (var i = 0; i < rows; i++)
        {
            var row = data.AsSpan(i * 5, 5);
            if (i < Length) Stroke5.Set(row, this[i, 0], this[i, 1], this[i, 2] == 0 ? Stroke5.Pen.Down : Stroke5.Pen.Lifted);
            else Stroke5.Set(row, 0, 0, Stroke5.Pen.End);
        }
        return new Stroke5(data);
    }
}
