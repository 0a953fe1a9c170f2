namespace VaeLab.Data.Strokes;

/// <summary>
/// One stroke: the points a pen visits between going down and lifting, in absolute coordinates.
/// <see cref="T"/> holds milliseconds since the drawing's first point, when the source recorded them
/// (QuickDraw raw data); simplified and binary data have none.
/// </summary>
public sealed record Stroke
{
    public Stroke(float[] x, float[] y, float[]? t = null)
    {
        if (y.Length != x.Length) throw new ArgumentException($"y has {y.Length} points but x has {x.Length}", nameof(y));
        if (t is not null && t.Length != x.Length) throw new ArgumentException($"t has {t.Length} points but x has {x.Length}", nameof(t));
        X = x;
        Y = y;
        T = t;
    }

    public float[] X { get; }
    public float[] Y { get; }
    public float[]? T { get; }
    public int Length => X.Length;
    public bool HasTiming => T is not null;

    public bool Equals(Stroke? other) =>
        other is not null && X.AsSpan().SequenceEqual(other.X) && Y.AsSpan().SequenceEqual(other.Y) &&
        (T is null ? other.T is null : other.T is not null && T.AsSpan().SequenceEqual(other.T));

    public override int GetHashCode() => HashCode.Combine(Length, Length > 0 ? X[0] : 0, Length > 0 ? Y[0] : 0);
}

/// <summary>A QuickDraw drawing: its metadata and its strokes in absolute coordinates.</summary>
/// <param name="KeyId">The drawing's unique id (a decimal number in Google's files).</param>
/// <param name="Word">The category the player was asked to draw.</param>
/// <param name="CountryCode">Two-letter country code of the player.</param>
/// <param name="Recognized">Whether the game's classifier recognised the drawing.</param>
/// <param name="Timestamp">When it was drawn; null where the source has no time.</param>
public sealed record Drawing(string KeyId, string Word, string CountryCode, bool Recognized, DateTimeOffset? Timestamp,
    IReadOnlyList<Stroke> Strokes)
{
    public bool HasTiming => Strokes.Count > 0 && Strokes.All(s => s.HasTiming);

    public bool Equals(Drawing? other) =>
        other is not null && KeyId == other.KeyId && Word == other.Word && CountryCode == other.CountryCode &&
        Recognized == other.Recognized && Timestamp == other.Timestamp && Strokes.SequenceEqual(other.Strokes);

    public override int GetHashCode() => HashCode.Combine(KeyId, Word, Strokes.Count);
}
