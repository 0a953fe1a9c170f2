namespace VaeLab.Data.Strokes;

/// <summary>
/// Stroke-5, sketch-rnn's model format: rows (dx, dy, p1, p2, p3) with a one-hot pen state: p1 the pen
/// stays down after the point, p2 it lifts, p3 the drawing has ended (end and padding rows).
/// </summary>
public sealed class Stroke5(float[] data) : StrokeRows(data, 5)
{
    public enum Pen { Down, Lifted, End }

    /// <summary>The row that starts every sequence fed to the decoder.</summary>
    public static readonly float[] StartToken = [0, 0, 1, 0, 0];

    public override int Width => 5;
    public override int OffsetColumns => 2;
    public override bool PenDown(int row) => this[row, 2] == 1;
    public override Stroke5 WithData(float[] data) => new(data);

    internal static void Set(Span<float> row, float dx, float dy, Pen pen)
    {
        row[0] = dx;
        row[1] = dy;
        row[2] = pen == Pen.Down ? 1 : 0;
        row[3] = pen == Pen.Lifted ? 1 : 0;
        row[4] = pen == Pen.End ? 1 : 0;
    }

    /// <summary>The rows before the first end row as stroke-3, pen_lifted taken from p2 (sketch-rnn's to_normal_strokes).</summary>
    public Stroke3 ToStroke3()
    {
        var rows = 0;
        while (rows < Length && this[rows, 4] != 1) rows++;
        var data = new float[rows * 3];
        for (var i = 0; i < rows; i++)
        {
            data[i * 3] = this[i, 0];
            data[i * 3 + 1] = this[i, 1];
            data[i * 3 + 2] = this[i, 3];
        }
        return new Stroke3(data);
    }
}
