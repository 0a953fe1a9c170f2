namespace VaeLab.Data.Strokes;

/// <summary>
/// A drawing as a sequence of pen movements, one row per point, stored flat in row-major order. The first
/// columns are offsets from the previous point (dx, dy and, with timing, dt); the last ones the pen state.
/// </summary>
public abstract class StrokeRows
{
    protected StrokeRows(float[] data, int width)
    {
        if (data.Length % width != 0) throw new ArgumentException($"{data.Length} values do not make rows of {width}", nameof(data));
        Data = data;
    }

    public float[] Data { get; }

    /// <summary>Values per row.</summary>
    public abstract int Width { get; }

    /// <summary>Leading offset columns: dx, dy, and dt where there is timing.</summary>
    public abstract int OffsetColumns { get; }

    public int Length => Data.Length / Width;

    public float this[int row, int column] => Data[row * Width + column];

    public ReadOnlySpan<float> Row(int row) => Data.AsSpan(row * Width, Width);

    /// <summary>Whether the pen stays on the paper after this row's point (it draws the next segment).</summary>
    public abstract bool PenDown(int row);

    /// <summary>A sequence of the same format over other rows.</summary>
    public abstract StrokeRows WithData(float[] data);

    public override string ToString() => $"{GetType().Name}({Length} rows)";
}
