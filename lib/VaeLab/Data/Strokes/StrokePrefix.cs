namespace VaeLab.Data.Strokes;

/// <summary>Beginnings of drawings, for models that complete a partial drawing (seeds 000 and 003).</summary>
public static class StrokePrefix
{
    /// <summary>The drawing with only its first <paramref name="count"/> strokes.</summary>
    public static Drawing FirstStrokes(Drawing drawing, int count)
    {
        if (count < 0 || count > drawing.Strokes.Count)
            throw new ArgumentOutOfRangeException(nameof(count), count, $"the drawing has {drawing.Strokes.Count} strokes");
        return drawing with { Strokes = drawing.Strokes.Take(count).ToList() };
    }

    /// <summary>The first k of n strokes with k = max(floor(n * U[0, 1)), 1), drawn anew on each call (seed 000).</summary>
    public static Drawing RandomFirstStrokes(Drawing drawing, Random random) =>
        FirstStrokes(drawing, Math.Min(drawing.Strokes.Count, Math.Max((int)(drawing.Strokes.Count * random.NextDouble()), 1)));

    /// <summary>The first <paramref name="rows"/> rows of a sequence.</summary>
    public static T FirstRows<T>(T strokes, int rows) where T : StrokeRows
    {
        if (rows < 0 || rows > strokes.Length) throw new ArgumentOutOfRangeException(nameof(rows), rows, $"the sequence has {strokes.Length} rows");
        return (T)strokes.WithData(strokes.Data[..(rows * strokes.Width)]);
    }

    /// <summary>
    /// Cuts off the end of a sequence of L rows as seed 003's forget_ratio f does: keeps the first
    /// idx = randint(round(L (1 - f)), L) rows, both bounds included (Python's random.randint; rounding half to even
    /// as Python's round), and at least one row.
    /// </summary>
    public static T RandomCut<T>(T strokes, double forgetRatio, Random random) where T : StrokeRows
    {
        if (forgetRatio is < 0 or > 1 || double.IsNaN(forgetRatio)) throw new ArgumentOutOfRangeException(nameof(forgetRatio), forgetRatio, "must be in [0, 1]");
        var length = strokes.Length;
        var low = Math.Min(length, Math.Max(1, (int)Math.Round(length * (1 - forgetRatio), MidpointRounding.ToEven)));
        return FirstRows(strokes, random.Next(low, length + 1));
    }
}
