using VaeLab.Data.Hershey;
using VaeLab.Data.QuickDraw;

namespace VaeLab.Tests.Data.Hershey;

/// <summary>The glyph dataset on Debian's fonts, and the jitter and QuickDraw placement it uses.</summary>
public class HersheyDatasetTests
{
    static readonly string[] ThreeFonts = ["futural", "timesr", "scripts"];

    static IEnumerable<(float X, float Y)> Points(IEnumerable<Stroke> strokes) => strokes.SelectMany(s => s.X.Zip(s.Y));

    [Fact]
    public void SamplesAreLabelledByCharacterAcrossFontsAndCopies()
    {
        var data = HersheyDataset.FromDebianFonts(HersheyDataset.Digits, ThreeFonts, copies: 4, jitter: new StrokeJitter());
        Assert.Equal(10 * 3 * 4, data.Count);
        Assert.Equal(HersheyDataset.Digits.Select(c => c.ToString()), data.Classes);
        var drawings = data.ToList();
        Assert.Equal(data.Count, drawings.Count);
        for (var i = 0; i < data.Count; i++) Assert.Equal(data.Classes[data.Label(i)], drawings[i].Word);
        Assert.All(drawings.GroupBy(d => d.Word), g => Assert.Equal(12, g.Count()));
        Assert.Equal(data.Count, drawings.Select(d => d.KeyId).Distinct().Count());
        // Each class holds all three fonts.
        Assert.All(drawings.GroupBy(d => d.Word), g => Assert.Equal(ThreeFonts, g.Select(d => d.KeyId.Split('/')[0]).Distinct()));
        Assert.Throws<ArgumentOutOfRangeException>(() => data[data.Count]);
        Assert.Throws<ArgumentOutOfRangeException>(() => data.Label(-1));
    }

    [Fact]
    public void WithoutJitterSamplesAreTheGlyphsThemselves()
    {
        var fonts = ThreeFonts.Select(n => HersheyFont.Load(n)).ToList();
        var data = new HersheyDataset(fonts, "Ab7");
        Assert.Equal(9, data.Count);
        for (var i = 0; i < data.Count; i++)
        {
            var font = fonts.Single(f => data[i].KeyId.StartsWith(f.Name + "/"));
            Assert.Equal(font[data[i].Word[0]].Strokes, data[i].Strokes);
        }
    }

    [Fact]
    public void JitterIsDeterministicPerSeedAndSampleWhateverTheOrderOfAccess()
    {
        var jitter = new StrokeJitter();
        var data = HersheyDataset.FromDebianFonts("xyz", ThreeFonts, copies: 5, jitter: jitter, seed: 3);
        var again = HersheyDataset.FromDebianFonts("xyz", ThreeFonts, copies: 5, jitter: jitter, seed: 3);
        var forwards = data.ToList();
        var backwards = Enumerable.Range(0, again.Count).Reverse().Select(i => again[i]).Reverse().ToList();
        Assert.Equal(forwards, backwards);
        var other = HersheyDataset.FromDebianFonts("xyz", ThreeFonts, copies: 5, jitter: jitter, seed: 4);
        Assert.All(Enumerable.Range(0, data.Count), i => Assert.NotEqual(forwards[i].Strokes, other[i].Strokes));
        // Copies of one glyph differ from each other but keep its strokes and points.
        var glyph = HersheyFont.Load("futural")['x'].Strokes;
        var copies = forwards.Where(d => d.KeyId.StartsWith($"futural/{(int)'x'}/")).ToList();
        Assert.Equal(5, copies.Count);
        Assert.Equal(5, copies.Select(d => d.Strokes[0].X[0]).Distinct().Count());
        Assert.All(copies, d => Assert.Equal(glyph.Select(s => s.Length), d.Strokes.Select(s => s.Length)));
    }

    [Fact]
    public void HundredsOfSamplesPerClassFromAllLatinFontsOnTheQuickDrawCanvas()
    {
        var data = HersheyDataset.FromDebianFonts(HersheyDataset.Digits + HersheyDataset.Uppercase, copies: 20, jitter: new StrokeJitter(), quickDrawCanvas: true);
        Assert.Equal(36 * HersheyFont.LatinFonts.Count * 20, data.Count);
        Assert.True(data.Count / data.Classes.Count >= 300);
        foreach (var d in data.Where((_, i) => i % 97 == 0))
        {
            var points = Points(d.Strokes).ToList();
            Assert.Equal(0, points.Min(p => p.X), 1e-3);
            Assert.Equal(0, points.Min(p => p.Y), 1e-3);
            Assert.Equal(255, Math.Max(points.Max(p => p.X), points.Max(p => p.Y)), 1e-3);
        }
        // Drawn as seed 000 draws QuickDraw data, every sample leaves ink.
        using (torch.NewDisposeScope())
        {
            var inked = Raster.ToTensor(data.Take(64).ToList(), RasterOptions.Seed000).lt(0.5).sum(new long[] { 1, 2, 3 });
            Assert.All(inked.data<long>().ToArray(), n => Assert.True(n > 20));
        }
    }

    [Fact]
    public void BadArgumentsAreRefused()
    {
        var futural = HersheyFont.Load("futural");
        Assert.Throws<ArgumentException>(() => new HersheyDataset([], "A"));
        Assert.Throws<ArgumentException>(() => new HersheyDataset([futural], ""));
        Assert.Contains("repeats", Assert.Throws<ArgumentException>(() => new HersheyDataset([futural], "ABA")).Message);
        Assert.Throws<ArgumentOutOfRangeException>(() => new HersheyDataset([futural], "A", copies: 0));
        Assert.Contains("draws nothing for ' '", Assert.Throws<ArgumentException>(() => new HersheyDataset([futural], "A ")).Message);
        Assert.Throws<ArgumentOutOfRangeException>(() => new HersheyDataset([futural], "é"));
    }

    static readonly Stroke[] Shape = [new([0, 10, 10, 0], [0, 0, 20, 20], [0, 10, 20, 30]), new([4, 6], [8, 14], [50, 60])];

    [Fact]
    public void AShiftOnlyJitterMovesEveryPointAlike()
    {
        var moved = new StrokeJitter(Rotation: 0, Scale: 0, Shear: 0, Shift: 2, PointNoise: 0).Apply(Shape, new Random(1));
        var deltas = Points(Shape).Zip(Points(moved), (a, b) => (b.X - a.X, b.Y - a.Y)).Distinct().ToList();
        var (dx, dy) = Assert.Single(deltas.Select(d => (MathF.Round(d.Item1, 4), MathF.Round(d.Item2, 4))).Distinct());
        Assert.InRange(dx, -2, 2);
        Assert.InRange(dy, -2, 2);
        Assert.True(dx != 0 || dy != 0);
        // Timing goes along unchanged.
        Assert.Equal(Shape.Select(s => s.T), moved.Select(s => s.T));
    }

    [Fact]
    public void ARotationOnlyJitterKeepsDistancesFromTheCentreAndTurnsByAtMostItsBound()
    {
        var random = new Random(2);
        for (var trial = 0; trial < 20; trial++)
        {
            var turned = new StrokeJitter(Rotation: 0.3, Scale: 0, Shear: 0, Shift: 0, PointNoise: 0).Apply(Shape, random);
            // The bounding box's centre is (5, 10).
            foreach (var (a, b) in Points(Shape).Zip(Points(turned)))
            {
                Assert.Equal(MathF.Sqrt((a.X - 5) * (a.X - 5) + (a.Y - 10) * (a.Y - 10)), MathF.Sqrt((b.X - 5) * (b.X - 5) + (b.Y - 10) * (b.Y - 10)), 1e-3);
                var angle = Math.Atan2(b.Y - 10, b.X - 5) - Math.Atan2(a.Y - 10, a.X - 5);
                angle = Math.IEEERemainder(angle, 2 * Math.PI);
                Assert.InRange(angle, -0.3 - 1e-4, 0.3 + 1e-4);
            }
        }
    }

    [Fact]
    public void PointNoiseHasTheStandardDeviationAsked()
    {
        var many = new Stroke(new float[20000], new float[20000]);
        var noisy = new StrokeJitter(Rotation: 0, Scale: 0, Shear: 0, Shift: 0, PointNoise: 0.5).Apply([many], new Random(5))[0];
        var values = noisy.X.Concat(noisy.Y).Select(v => (double)v).ToList();
        var mean = values.Average();
        var std = Math.Sqrt(values.Average(v => (v - mean) * (v - mean)));
        // 40000 draws: the mean's standard error is 0.0025, the std's about 0.0018.
        Assert.InRange(mean, -0.015, 0.015);
        Assert.InRange(std, 0.49, 0.51);
    }

    [Fact]
    public void TheQuickDrawCanvasAlignsTopLeftAndScalesTheLargerSideTo255()
    {
        var placed = QuickDrawCanvas.Fit(Shape);
        // 10 wide, 20 tall: factor 12.75.
        Assert.Equal(new Stroke([0, 127.5f, 127.5f, 0], [0, 0, 255, 255], [0, 10, 20, 30]), placed[0]);
        Assert.Equal(new Stroke([51, 76.5f], [102, 178.5f], [50, 60]), placed[1]);
        Assert.Equal(new Stroke([0], [0]), QuickDrawCanvas.Fit([new Stroke([7], [9])])[0]);
        Assert.Empty(QuickDrawCanvas.Fit([]));
    }
}
