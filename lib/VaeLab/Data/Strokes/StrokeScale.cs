namespace VaeLab.Data.Strokes;

/// <summary>
/// The normalising scale of stroke offsets: dx and dy are divided by <see cref="Xy"/>, the standard deviation of
/// all dx and dy values of a training split taken together (as sketch-rnn does), and dt by <see cref="Dt"/>, the
/// standard deviation of its time offsets. Fit it on the training split only and apply it to every split; it
/// serialises with System.Text.Json to travel with a checkpoint.
/// </summary>
public sealed record StrokeScale(double Xy, double? Dt = null)
{
    public static StrokeScale Fit(IEnumerable<Stroke3> train) => new(Std(train, [0, 1]));

    public static StrokeScale Fit(IEnumerable<Stroke6> train)
    {
        var sequences = train as IReadOnlyCollection<Stroke6> ?? train.ToList();
        return new(Std(sequences, [0, 1]), Std(sequences, [2]));
    }

    /// <summary>Population standard deviation (numpy's np.std) of the given columns over all rows, by Welford's method.</summary>
    static double Std(IEnumerable<StrokeRows> sequences, int[] columns)
    {
        long n = 0;
        double mean = 0, m2 = 0;
        foreach (var sequence in sequences)
            for (var row = 0; row < sequence.Length; row++)
                foreach (var column in columns)
                {
                    var x = sequence[row, column];
                    n++;
                    var delta = x - mean;
                    mean += delta / n;
                    m2 += delta * (x - mean);
                }
        var std = Math.Sqrt(m2 / n);
        return std > 0 ? std : throw new ArgumentException($"the training offsets have no spread (std {std} over {n} values)", "train");
    }

    /// <summary>Offsets divided by the scale (pen columns untouched).</summary>
    public T Normalize<T>(T strokes) where T : StrokeRows => Apply(strokes, divide: true);

    /// <summary>Offsets multiplied back by the scale, e.g. for sampled sequences.</summary>
    public T Denormalize<T>(T strokes) where T : StrokeRows => Apply(strokes, divide: false);

    T Apply<T>(T strokes, bool divide) where T : StrokeRows
    {
        var factors = new double[strokes.OffsetColumns];
        factors[0] = factors[1] = Xy;
        if (factors.Length > 2)
            factors[2] = Dt ?? throw new InvalidOperationException("this scale was fitted without timing, so it cannot scale dt");
        var data = (float[])strokes.Data.Clone();
        for (var i = 0; i < data.Length; i++)
        {
            var column = i % strokes.Width;
            if (column < factors.Length) data[i] = (float)(divide ? data[i] / factors[column] : data[i] * factors[column]);
        }
        return (T)strokes.WithData(data);
    }
}
