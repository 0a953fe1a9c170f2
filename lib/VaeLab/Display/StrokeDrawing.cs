using System.Globalization;
using System.Net;
using System.Text;


namespace VaeLab.Display;

/// <summary>One pen-down stroke: points in drawing coordinates (y down, as QuickDraw stores them) and,
/// optionally, the time of each point in milliseconds.</summary>
public sealed class PenStroke
{
    public IReadOnlyList<double> X { get; }
    public IReadOnlyList<double> Y { get; }
    public IReadOnlyList<double>? T { get; }

    /// <summary>A CSS colour for this stroke, e.g. to tell a given prefix from a model's completion; null uses the drawing's.</summary>
    public string? Color { get; init; }

    public PenStroke(IReadOnlyList<double> x, IReadOnlyList<double> y, IReadOnlyList<double>? t = null)
    {
        if (x.Count == 0) throw new ArgumentException("a stroke needs at least one point", nameof(x));
        if (y.Count != x.Count) throw new ArgumentException($"a stroke with {x.Count} x values has {y.Count} y values", nameof(y));
        if (t is not null && t.Count != x.Count) throw new ArgumentException($"a stroke with {x.Count} points has {t.Count} times", nameof(t));
        if (t is not null && t[^1] < t[0]) throw new ArgumentException($"a stroke's times must not go back: it starts at {t[0]} ms and ends at {t[^1]} ms", nameof(t));
        (X, Y, T) = (x, y, t);
    }
}

public enum StrokeReplay
{
    /// <summary>A still drawing.</summary>
    Off,
    /// <summary>Every stroke drawn at the same pen speed, one after another with a short pause between them.</summary>
    ConstantSpeed,
    /// <summary>Each stroke starts and lasts as the recorded times say.</summary>
    RecordedTiming,
}

/// <summary>When a stroke starts drawing and how long it takes, in seconds.</summary>
public readonly record struct StrokeTiming(double Delay, double Duration);

/// <summary>
/// A pen drawing shown as SVG, fitted and centred in a square box. It can replay itself with CSS alone
/// (each stroke's dash offset animated, starts chained), so it plays without scripts, in a notebook, an
/// exported page or an image viewer; in HTML a small button restarts it.
/// </summary>
[TypeFormatterSource(typeof(FormatterSource<StrokeDrawing>))]
public sealed class StrokeDrawing : IRenderable
{
    public IReadOnlyList<PenStroke> Strokes { get; }
    public string? Caption { get; init; }

    /// <summary>Side of the square box, in pixels.</summary>
    public double Size { get; init; } = 160;

    /// <summary>Free space between the drawing and the edge of the box, in pixels.</summary>
    public double Padding { get; init; } = 8;

    public double StrokeWidth { get; init; } = 2.5;
    public string Color { get; init; } = "#222";

    /// <summary>How the drawing replays: by default with its recorded times when every stroke has them, otherwise at constant speed.</summary>
    public StrokeReplay Replay
    {
        get;
        init => field = value != StrokeReplay.RecordedTiming || HasTimes ? value
            : throw new ArgumentException("replay with recorded timing needs times on every stroke", nameof(Replay));
    }

    /// <summary>Pen speed of <see cref="StrokeReplay.ConstantSpeed"/>, in box pixels per second.</summary>
    public double Speed { get; init => field = Positive(value, nameof(Speed)); } = 400;

    /// <summary>Pause between strokes at <see cref="StrokeReplay.ConstantSpeed"/>, in seconds.</summary>
    public double Pause { get; init; } = 0.1;

    /// <summary>How much faster than recorded <see cref="StrokeReplay.RecordedTiming"/> plays (2 = twice as fast).</summary>
    public double TimeScale { get; init => field = Positive(value, nameof(TimeScale)); } = 1;

    public bool HasTimes => Strokes.Count > 0 && Strokes.All(s => s.T is not null);

    public StrokeDrawing(params IEnumerable<PenStroke> strokes)
    {
        Strokes = strokes.ToList();
        Replay = HasTimes ? StrokeReplay.RecordedTiming : StrokeReplay.ConstantSpeed;
    }

    /// <summary>The strokes' points in box pixels: scaled uniformly so the longer extent spans the box less
    /// its padding, and centred.</summary>
    public IReadOnlyList<(double x, double y)[]> BoxPoints()
    {
        var xs = Strokes.SelectMany(s => s.X).ToList();
        var ys = Strokes.SelectMany(s => s.Y).ToList();
        if (xs.Count == 0) return [];
        var (minX, minY) = (xs.Min(), ys.Min());
        var (width, height) = (xs.Max() - minX, ys.Max() - minY);
        var extent = Math.Max(width, height);
        var scale = extent > 0 ? (Size - 2 * Padding) / extent : 1;
        var (left, top) = ((Size - width * scale) / 2, (Size - height * scale) / 2);
        return Strokes.Select(s => s.X.Select((x, i) => (left + (x - minX) * scale, top + (s.Y[i] - minY) * scale)).ToArray()).ToList();
    }

    /// <summary>Start and length of each stroke's animation under <see cref="Replay"/> (at constant speed when it is off).</summary>
    public IReadOnlyList<StrokeTiming> Timings()
    {
        if (Replay == StrokeReplay.RecordedTiming)
        {
            var origin = Strokes.Min(s => s.T![0]);
            return Strokes.Select(s => new StrokeTiming((s.T![0] - origin) / 1000 / TimeScale, (s.T[^1] - s.T[0]) / 1000 / TimeScale)).ToList();
        }
        var timings = new List<StrokeTiming>();
        var start = 0.0;
        foreach (var points in BoxPoints())
        {
            var duration = Length(points) / Speed;
            timings.Add(new StrokeTiming(start, duration));
            start += duration + Pause;
        }
        return timings;
    }

    static double Length((double x, double y)[] points) =>
        points.Skip(1).Select((p, i) => double.Hypot(p.x - points[i].x, p.y - points[i].y)).Sum();

    static double Positive(double value, string name) =>
        value > 0 ? value : throw new ArgumentOutOfRangeException(name, value, $"{name} must be positive");

    // pathLength="1" makes every stroke one dash long; offsets a little over 1 hide the round cap at the start.
    internal const string ReplayStyle = "<style>.vaelab-play path{stroke-dasharray:1 2;animation:vaelab-draw linear both}" +
                                        "@keyframes vaelab-draw{from{stroke-dashoffset:1.001}to{stroke-dashoffset:0}}</style>";

    /// <summary>A button that restarts every replaying drawing beside it, by taking their animation class off and on.</summary>
    internal const string ReplayButton = "<button type=\"button\" style=\"display:block;margin:2px auto\" onclick=\"" +
        "this.parentNode.querySelectorAll('svg.vaelab-play').forEach(function (s) { s.classList.remove('vaelab-play'); " +
        "s.getBoundingClientRect(); s.classList.add('vaelab-play'); })\">replay</button>";

    internal const string SvgNamespace = "http://www.w3.org/2000/svg";

    public string ToSvg() => Svg(standalone: true);

    /// <summary>The svg element: a document of its own (with the namespace and the replay style), or one to place in a
    /// larger SVG that carries both (<see cref="StrokeGrid.ToSvg"/>).</summary>
    internal string Svg(bool standalone)
    {
        static string N(double v) => v.ToString("0.##", CultureInfo.InvariantCulture);
        static string S(double v) => v.ToString("0.###", CultureInfo.InvariantCulture) + "s";
        var play = Replay != StrokeReplay.Off;
        var svg = new StringBuilder(standalone ? $"<svg xmlns=\"{SvgNamespace}\" " : "<svg ")
            .Append($"class=\"vaelab-strokes{(play ? " vaelab-play" : "")}\" width=\"{N(Size)}\" height=\"{N(Size)}\" viewBox=\"0 0 {N(Size)} {N(Size)}\">");
        if (play && standalone) svg.Append(ReplayStyle);
        svg.Append("<rect width=\"100%\" height=\"100%\" fill=\"#fff\" />")
            .Append($"<g fill=\"none\" stroke=\"{WebUtility.HtmlEncode(Color)}\" stroke-width=\"{N(StrokeWidth)}\" stroke-linecap=\"round\" stroke-linejoin=\"round\">");
        var timings = play ? Timings() : null;
        var box = BoxPoints();
        for (var s = 0; s < box.Count; s++)
        {
            var points = box[s];
            // A lone point gets a tiny segment: a path needs length to show a round cap and to carry a dash.
            var d = $"M{N(points[0].x)} {N(points[0].y)}" + (points.Length == 1 ? "l0.01 0" : "L" + string.Join(" ", points.Skip(1).Select(p => $"{N(p.x)} {N(p.y)}")));
            svg.Append($"<path d=\"{d}\"");
            if (Strokes[s].Color is { } color) svg.Append($" stroke=\"{WebUtility.HtmlEncode(color)}\"");
            if (timings is not null) svg.Append($" pathLength=\"1\" style=\"animation-delay:{S(timings[s].Delay)};animation-duration:{S(timings[s].Duration)}\"");
            svg.Append(" />");
        }
        return svg.Append("</g></svg>").ToString();
    }

    public string ToHtml() => Html(button: Replay != StrokeReplay.Off);

    internal string Html(bool button) =>
        "<figure class=\"vaelab-drawing\" style=\"display:inline-block;margin:2px;text-align:center\">" + ToSvg() +
        (Caption is null ? "" : $"<figcaption>{WebUtility.HtmlEncode(Caption)}</figcaption>") +
        (button ? ReplayButton : "") + "</figure>";

    public override string ToString() =>
        $"StrokeDrawing of {Strokes.Count} strokes, {Strokes.Sum(s => s.X.Count)} points" + (Caption is null ? "" : $" \"{Caption}\"");

    static IReadOnlyList<string> IRenderable.MimeTypes => [Mime.Html, Mime.Svg, Mime.Text];

    string IRenderable.Render(string mimeType) => mimeType switch
    {
        Mime.Html => ToHtml(),
        Mime.Svg => ToSvg(),
        Mime.Text => ToString(),
        _ => throw Mime.Unsupported(typeof(StrokeDrawing), mimeType),
    };
}
