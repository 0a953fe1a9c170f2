using System.Text.Json;
using System.Text.Json.Serialization;
using VaeLab.Data.Strokes;

namespace VaeLab.Cli.Serve;

/// <summary>
/// One stroke as the page records it: points on QuickDraw's 256-wide canvas (0-255, y down), and the milliseconds since
/// the drawing's first point. Numbers may be null or "NaN" in the JSON, so that validation can say which one is bad
/// rather than the parser failing on the whole body.
/// </summary>
public sealed record StrokeInput(double?[]? x, double?[]? y, double?[]? t);

/// <summary>
/// The body of every POST: the run (an id, a run folder or a model file), the model within it where the run has more
/// than one of the kind, and what each endpoint reads: strokes (complete, classify), samples (complete), k (classify),
/// temperature and seed (classify, sample).
/// </summary>
public sealed record DrawingRequest
{
    public string? run { get; init; }
    public string? model { get; init; }
    public StrokeInput[]? strokes { get; init; }
    public int? samples { get; init; }
    public int? k { get; init; }
    public double? temperature { get; init; }
    public int? seed { get; init; }
}

/// <summary>What the server accepts, and the checks that turn a request's strokes into the library's.</summary>
public static class DrawingLimits
{
    /// <summary>Bytes of a request body; Kestrel refuses more (a 200-point drawing takes about 6 KB).</summary>
    public const long MaxBodyBytes = 256 * 1024;

    /// <summary>Points of one drawing, over all its strokes: the recurrent models read one step per point.</summary>
    public const int MaxPoints = 2000;

    public const int MaxStrokes = 200;
    public const int MaxSamples = 16;
    public const double MaxTemperature = 2;

    /// <summary>Coordinates beyond this, on either side of the 0-255 canvas, are not a drawing.</summary>
    public const double MaxCoordinate = 10_000;

    public static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web)
    {
        NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals,
        UnmappedMemberHandling = JsonUnmappedMemberHandling.Disallow,
    };

    /// <summary>
    /// The request's strokes as the library's, or the problems with them keyed by where they are ("strokes[2].x[5]").
    /// Strokes without points are dropped (a tap that the page recorded as nothing); a drawing left without any is empty.
    /// </summary>
    public static (IReadOnlyList<Stroke> strokes, Dictionary<string, string[]> errors) Strokes(StrokeInput[]? input)
    {
        var errors = new Dictionary<string, string[]>();
        if (input is null || input.All(s => (s?.x?.Length ?? 0) == 0))
        {
            errors["strokes"] = ["the drawing is empty: draw something first"];
            return ([], errors);
        }
        var points = input.Sum(s => s?.x?.Length ?? 0);
        if (input.Length > MaxStrokes) errors["strokes"] = [$"{input.Length} strokes, more than the {MaxStrokes} a drawing may have"];
        else if (points > MaxPoints) errors["strokes"] = [$"{points} points, more than the {MaxPoints} a drawing may have"];
        if (errors.Count > 0) return ([], errors);

        var strokes = new List<Stroke>();
        for (var i = 0; i < input.Length; i++)
        {
            var where = $"strokes[{i}]";
            if (input[i] is not { x: { } x } stroke)
            {
                errors[where] = ["a stroke needs x and y arrays"];
                continue;
            }
            if (x.Length == 0) continue;
            if (stroke.y?.Length != x.Length)
            {
                errors[$"{where}.y"] = [$"has {stroke.y?.Length ?? 0} values for {x.Length} x values"];
                continue;
            }
            if (stroke.t is { } t && t.Length != x.Length)
            {
                errors[$"{where}.t"] = [$"has {t.Length} values for {x.Length} points"];
                continue;
            }
            var xs = Finite(x, $"{where}.x", MaxCoordinate, errors);
            var ys = Finite(stroke.y, $"{where}.y", MaxCoordinate, errors);
            var ts = stroke.t is null ? null : Finite(stroke.t, $"{where}.t", double.MaxValue, errors);
            if (xs is not null && ys is not null && (stroke.t is null || ts is not null)) strokes.Add(new Stroke(xs, ys, ts));
        }
        return (strokes, errors);
    }

    /// <summary>The values as floats, or null after recording the first that is missing, not finite or out of range.</summary>
    static float[]? Finite(double?[] values, string where, double limit, Dictionary<string, string[]> errors)
    {
        var result = new float[values.Length];
        for (var i = 0; i < values.Length; i++)
        {
            if (values[i] is not { } value || !double.IsFinite(value) || Math.Abs(value) > limit)
            {
                errors[$"{where}[{i}]"] = [values[i] is null ? "is missing (null)"
                    : !double.IsFinite(values[i]!.Value) ? $"is {values[i]}, not a finite number"
                    : $"is {values[i]}, beyond ±{limit} of the 0-255 canvas"];
                return null;
            }
            result[i] = (float)value;
        }
        return result;
    }
}
