using VaeLab.Data;
using VaeLab.Data.Hershey;

namespace VaeLab.Tests.Data.Hershey;

/// <summary>The .jhf parser on made-up lines and on Debian's hershey-fonts-data (installed by scripts/setup.sh).</summary>
public class HersheyTests
{
    static HersheyFont Parse(string text) => HersheyFont.Parse(new StringReader(text), "test.jhf", "test");

    static DataFormatException Bad(string text) => Assert.Throws<DataFormatException>(() => Parse(text));

    static (float MinX, float MaxX, float MinY, float MaxY) Bounds(IEnumerable<Stroke> strokes)
    {
        var xs = strokes.SelectMany(s => s.X).ToList();
        var ys = strokes.SelectMany(s => s.Y).ToList();
        return (xs.Min(), xs.Max(), ys.Min(), ys.Max());
    }

    [Fact]
    public void ParsesMarginsPointsAndPenUps()
    {
        // Characters stand for their code minus 'R' (82): I = -9, [ = 9, F = -12, J = -8, Z = 8, M = -5, T = 2, W = 5.
        var font = Parse("12345  9I[RFJ[ RRFZ[ RMTWT\n  502  1JZ\n");
        Assert.Equal(2, font.Glyphs.Count);
        var a = font.Glyphs[0];
        Assert.Equal((12345, -9, 9), (a.Id, a.Left, a.Right));
        Assert.Equal([new Stroke([0, -8], [-12, 9]), new Stroke([0, 8], [-12, 9]), new Stroke([-5, 5], [2, 2])], a.Strokes);
        Assert.Equal(new HersheyGlyph(502, -8, 8, []), font.Glyphs[1]);
        Assert.Same(font.Glyphs[1], font['!']);
        Assert.Throws<ArgumentOutOfRangeException>(() => font['#']);
    }

    [Fact]
    public void AGlyphMayContinueOnTheFollowingLinesAndBlankLinesAreSkipped()
    {
        var font = Parse("\r\n12345  9I[RFJ[ RR\r\nFZ[ RMT\r\nWT\r\n\r\n12345  1JZ\r\n");
        Assert.Equal(2, font.Glyphs.Count);
        Assert.Equal(Parse("12345  9I[RFJ[ RRFZ[ RMTWT").Glyphs[0], font.Glyphs[0]);
    }

    [Theory]
    [InlineData("12345  9I", "line 1", "at least 10 characters (id, count, margins), found 9")]
    [InlineData("12a45  1JZ", "line 1", "glyph id '12a45'")]
    [InlineData("12345  xJZ", "line 1", "pair count '  x'")]
    [InlineData("12345  0JZ", "line 1", "pair count '  0'")]
    [InlineData("12345  1JZ\n12345  2JZRFR", "line 2", "announces 2 pairs (4 characters) but has 5")]
    [InlineData("12345  1JZ\n12345  3JZRF", "line 2", "announces 3 pairs (6 characters) but has 4")]
    [InlineData("12345  3JZRF\n12345  1JZ", "line 1", "announces 3 pairs (6 characters) but has 14")]
    [InlineData("12345  3JZR\tRF", "line 1", "pair 1 holds '\t' (code 9)")]
    [InlineData("12345  3JZ FRF", "line 1", "pair 1 holds ' '")]
    [InlineData("12345  2 RRF", "line 1", "pair 0 holds ' '")]
    [InlineData("12345  2JZRF\n\n12345  2JZRé", "line 3", "holds 'é'")]
    public void MalformedLinesNameTheFileAndLine(string text, string location, string reason)
    {
        var error = Bad(text);
        Assert.Equal("test.jhf", error.File);
        Assert.Equal(location, error.Location);
        Assert.Contains(reason, error.Reason);
        Assert.StartsWith($"test.jhf: {location}: ", error.Message);
    }

    public static TheoryData<string> InstalledFonts => [.. Directory.GetFiles(HersheyFont.DebianDirectory, "*.jhf").Select(Path.GetFileNameWithoutExtension).Order()!];

    [Theory]
    [MemberData(nameof(InstalledFonts))]
    public void EveryInstalledFontParsesWithAGlyphPerLineAndCoordinatesInRange(string name)
    {
        var font = HersheyFont.Load(name);
        var lines = File.ReadAllLines(Path.Combine(HersheyFont.DebianDirectory, name + ".jhf")).Where(l => l.Length > 0).ToList();
        // Debian's files hold one glyph per line: 96 (ASCII 32-127), except the Japanese kana and the markers.
        Assert.Equal(name switch { "japanese" => 193, "markers" => 97, _ => 96 }, font.Glyphs.Count);
        Assert.Equal(lines.Count, font.Glyphs.Count);
        for (var g = 0; g < font.Glyphs.Count; g++)
        {
            var glyph = font.Glyphs[g];
            // The header's pair count = margins + points + the pen-ups between strokes (no file has empty strokes).
            Assert.Equal(int.Parse(lines[g].AsSpan(5, 3)), 1 + glyph.Strokes.Sum(s => s.Length) + Math.Max(glyph.Strokes.Count - 1, 0));
            Assert.All(glyph.Strokes.SelectMany(s => s.X.Concat(s.Y)), v => Assert.InRange(v, -49, 44));
            Assert.True(glyph.Left <= glyph.Right, $"glyph {g}: margins {glyph.Left} > {glyph.Right}");
        }
    }

    [Fact]
    public void KnownGlyphsOfFuturaLight()
    {
        var font = HersheyFont.Load("futural");
        Assert.Empty(font[' '].Strokes);
        // 'A': two legs from the apex (0, -12) to the baseline y = 9, and the bar at y = 2.
        Assert.Equal(3, font['A'].Strokes.Count);
        Assert.Equal((-8f, 8f, -12f, 9f), Bounds(font['A'].Strokes));
        // 'O' is one closed stroke of 21 points.
        var o = Assert.Single(font['O'].Strokes);
        Assert.Equal(21, o.Length);
        Assert.Equal((o.X[0], o.Y[0]), (o.X[^1], o.Y[^1]));
        // 'i': the dot, then the stem from the x-height (y = -5) down to the baseline.
        Assert.Equal([5, 2], font['i'].Strokes.Select(s => s.Length));
        Assert.Equal(new Stroke([0, 0], [-5, 9]), font['i'].Strokes[1]);
        // Capitals and digits stand on the baseline and reach the cap height; only Q's tail goes below.
        foreach (var c in HersheyDataset.Uppercase + HersheyDataset.Digits)
        {
            var (_, _, top, bottom) = Bounds(font[c].Strokes);
            Assert.Equal(c == 'Q' ? 11f : 9f, bottom);
            Assert.Equal(-12f, top);
        }
    }

    [Fact]
    public void AMissingFontSaysWhichPackageInstallsIt()
    {
        var error = Assert.Throws<FileNotFoundException>(() => HersheyFont.Load("nosuchfont"));
        Assert.Contains("hershey-fonts-data", error.Message);
    }
}
