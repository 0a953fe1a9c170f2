using System.Text.Json;

namespace VaeLab.Tests.Data.Strokes;

public class RasterTests
{
    static readonly RasterOptions Pixels = new() { Width = 40, Height = 24, Scale = RasterScale.Pixels };

    static Stroke Line(params (float X, float Y)[] points) => new(points.Select(p => p.X).ToArray(), points.Select(p => p.Y).ToArray());

    static float At(float[] image, int width, int x, int y) => image[y * width + x];

    [Theory]
    [InlineData(1f, 9f)]
    [InlineData(1.5f, 9.3f)]
    [InlineData(2.5f, 11.5f)]
    [InlineData(4f, 10.8f)]
    [InlineData(0.5f, 10.2f)]
    public void EveryColumnOfAHorizontalLineHoldsExactlyItsWidthOfInk(float width, float y)
    {
        // The edge ramp is the band convolved with a 1-px box, so the samples of a column integrate it exactly.
        var image = Raster.Draw([Line((5, y), (30, y))], Pixels with { LineWidth = width });
        for (var x = 10; x <= 25; x++)
        {
            var column = Enumerable.Range(0, Pixels.Height).Sum(r => At(image, Pixels.Width, x, r));
            Assert.Equal(width, column, 1e-4);
        }
        // Total ink: the rectangle plus the two round caps (one disc, pi w^2 / 4), plus about pi / 12 that a 1-px
        // ramp adds to a disc's area; within a quarter pixel of that.
        var total = image.Sum();
        Assert.InRange(total, 25 * width + MathF.PI * width * width / 4 + MathF.PI / 12 - 0.25, 25 * width + MathF.PI * width * width / 4 + MathF.PI / 12 + 0.25);
        // Nothing beyond half the width plus half a pixel.
        for (var r = 0; r < Pixels.Height; r++)
            if (MathF.Abs(r - y) >= (width + 1) / 2)
                Assert.All(Enumerable.Range(0, Pixels.Width), x => Assert.Equal(0f, At(image, Pixels.Width, x, r)));
    }

    [Fact]
    public void Seed000AtAnotherSizeScalesTheMarginWithIt()
    {
        Assert.Equal(RasterOptions.Seed000, RasterOptions.Seed000At(64));
        Assert.Equal(RasterOptions.Seed000 with { Width = 128, Height = 128, Margin = 10 }, RasterOptions.Seed000At(128));
        Assert.Equal(RasterOptions.Seed000 with { Width = 16, Height = 16, Margin = 1 }, RasterOptions.Seed000At(16));
    }

    [Fact]
    public void AnAliasedOnePixelHorizontalLineInksItsTruncatedRowFromEndToEnd()
    {
        var image = Raster.Draw([Line((5.7f, 9.8f), (30.2f, 9.8f))], Pixels with { AntiAlias = false });
        for (var x = 0; x < Pixels.Width; x++)
            for (var r = 0; r < Pixels.Height; r++)
                Assert.Equal(r == 9 && x is >= 5 and <= 30 ? 1f : 0f, At(image, Pixels.Width, x, r));
    }

    [Fact]
    public void AntiAliasedEdgesLieBetweenZeroAndOneAndTheCentreIsFull()
    {
        var image = Raster.Draw([Line((3.2f, 2.7f), (35.9f, 20.1f)), Line((30, 3), (6.4f, 19))], Pixels with { LineWidth = 2 });
        Assert.All(image, v => Assert.InRange(v, 0f, 1f));
        Assert.Contains(image, v => v is > 0.05f and < 0.95f);
        Assert.Equal(1f, At(image, Pixels.Width, 19, 11), 1e-5);
    }

    public static TheoryData<bool, float> Modes => new() { { true, 1 }, { true, 2.5f }, { false, 1 }, { false, 3 } };

    [Theory]
    [MemberData(nameof(Modes))]
    public void FlippingTheStrokesFlipsTheImage(bool antiAlias, float width)
    {
        var options = Pixels with { AntiAlias = antiAlias, LineWidth = width };
        var random = new Random(7);
        // Whole coordinates for aliased lines: they truncate, and truncation is not symmetric about the centre.
        (float, float) Point()
        {
            float x = random.Next(options.Width), y = random.Next(options.Height);
            return antiAlias ? (x + (float)random.NextDouble() - 0.5f, y + (float)random.NextDouble() - 0.5f) : (x, y);
        }
        for (var trial = 0; trial < 20; trial++)
        {
            var strokes = Enumerable.Range(0, 3).Select(_ => Line(Enumerable.Range(0, 4).Select(_ => Point()).ToArray())).ToList();
            var image = Raster.Draw(strokes, options);
            var mirrored = Raster.Draw(strokes.Select(s => new Stroke(s.X.Select(x => options.Width - 1 - x).ToArray(), s.Y)).ToList(), options);
            var upsideDown = Raster.Draw(strokes.Select(s => new Stroke(s.X, s.Y.Select(y => options.Height - 1 - y).ToArray())).ToList(), options);
            for (var y = 0; y < options.Height; y++)
                for (var x = 0; x < options.Width; x++)
                {
                    Assert.Equal(At(image, options.Width, x, y), At(mirrored, options.Width, options.Width - 1 - x, y), 1e-4);
                    Assert.Equal(At(image, options.Width, x, y), At(upsideDown, options.Width, x, options.Height - 1 - y), 1e-4);
                }
        }
    }

    [Fact]
    public void DilationAndErosionOfKnownPatterns()
    {
        // A bright pixel grows to a 3x3 block, cut by the border at a corner; erosion shrinks a 3x3 block back to its centre.
        var image = new float[6 * 5];
        image[2 * 6 + 3] = 1;
        image[0] = 0.5f;
        Raster.Dilate(image, 6, 5);
        for (var y = 0; y < 5; y++)
            for (var x = 0; x < 6; x++)
            {
                var expected = Math.Abs(x - 3) <= 1 && Math.Abs(y - 2) <= 1 ? 1f : x <= 1 && y <= 1 ? 0.5f : 0f;
                Assert.Equal(expected, image[y * 6 + x]);
            }
        image[0] = image[1] = image[6] = image[7] = 0;
        Raster.Erode(image, 6, 5);
        Assert.Equal(1f, image.Sum());
        Assert.Equal(1f, image[2 * 6 + 3]);
        // On white, erosion grows a black dot (seed 000 thickens its strokes this way).
        var white = Enumerable.Repeat(1f, 25).ToArray();
        white[12] = 0;
        Raster.Erode(white, 5, 5);
        Assert.Equal(16f, white.Sum());
        Assert.Throws<ArgumentException>(() => Raster.Erode(white, 4, 5));
    }

    [Fact]
    public void ErosionAndDilationMatchPillowsMinAndMaxFilters()
    {
        foreach (var c in Fixture.GetProperty("erosion").EnumerateArray())
        {
            int width = c.GetProperty("width").GetInt32(), height = c.GetProperty("height").GetInt32();
            var eroded = Floats(c, "image");
            var dilated = Floats(c, "image");
            Raster.Erode(eroded, width, height);
            Raster.Dilate(dilated, width, height);
            Assert.Equal(Floats(c, "eroded"), eroded);
            Assert.Equal(Floats(c, "dilated"), dilated);
        }
    }

    [Fact]
    public void OnePixelAliasedLinesMatchPillowsImageDrawLine()
    {
        // Same rule as Pillow (truncated endpoints, nearest pixel per step, ties in the direction of travel): exact.
        foreach (var c in Fixture.GetProperty("aliased").EnumerateArray().Where(c => c.GetProperty("width").GetInt32() == 1))
            Assert.Equal(Floats(c, "image"), DrawCase(c, antiAlias: false));
    }

    [Fact]
    public void WideAliasedLinesTraceTheSamePathsAsPillowsPolygons()
    {
        // Pillow fills a rectangle with square ends per segment, reaching (w - 1) / 2 on one side and rounding the
        // other side up (so a width-2 line leans to one side); ours are symmetric round-capped bands. A per-pixel
        // match is not expected, so the test asks for the same path and thickness: (a) at most 2 pixels of either
        // image farther than one pixel from the other's ink (measured: at most 1, at a round cap), (b) ink within
        // -20%/+40% of Pillow's (measured 0.88 to 1.29, the caps adding ink), (c) IoU over all cases at least 0.7
        // (measured 0.80; one-pixel shifts of a 2-px line alone halve a per-case IoU).
        int intersection = 0, union = 0;
        foreach (var c in Fixture.GetProperty("aliased").EnumerateArray().Where(c => c.GetProperty("width").GetInt32() > 1))
        {
            var size = c.GetProperty("size").GetInt32();
            var ours = DrawCase(c, antiAlias: false);
            var theirs = Floats(c, "image");
            Assert.InRange(FartherThanOnePixel(ours, theirs, size), 0, 2);
            Assert.InRange(FartherThanOnePixel(theirs, ours, size), 0, 2);
            Assert.InRange(ours.Sum() / theirs.Sum(), 0.8, 1.4);
            intersection += ours.Zip(theirs).Count(p => p.First > 0 && p.Second > 0);
            union += ours.Zip(theirs).Count(p => p.First > 0 || p.Second > 0);
        }
        Assert.True(intersection >= 0.7 * union, $"IoU {intersection}/{union}");
    }

    /// <summary>Inked pixels of <paramref name="a"/> with no inked pixel of <paramref name="b"/> among their 3x3 neighbours.</summary>
    static int FartherThanOnePixel(float[] a, float[] b, int size)
    {
        var grown = (float[])b.Clone();
        Raster.Dilate(grown, size, size);
        return a.Zip(grown).Count(p => p.First > 0 && p.Second == 0);
    }

    [Fact]
    public void AntiAliasedCoverageIsCloseToTheAreaCoveredAtSixteenTimesTheResolution()
    {
        // The distance ramp approximates a pixel's covered area: exactly across straight edges, less well where the
        // edge curves within the pixel (caps), and where strokes cross, since the larger coverage is kept rather than
        // the union's area (up to 0.38 too little there). Measured over these cases: mean error at most 0.0072,
        // errors over 0.15 on at most 5 of 1024 pixels, all under 0.39, totals within 6%. The bounds leave margin
        // for the 1/16-px reference grid; a shifted or mis-scaled line would fail the mean by a wide margin.
        foreach (var c in Fixture.GetProperty("coverage").EnumerateArray())
        {
            var ours = DrawCase(c, antiAlias: true);
            var area = Floats(c, "image");
            var errors = ours.Zip(area, (a, b) => MathF.Abs(a - b)).ToArray();
            Assert.True(errors.Average() < 0.012, $"mean error {errors.Average()}");
            Assert.True(errors.Count(e => e > 0.15f) <= 12, $"{errors.Count(e => e > 0.15f)} errors over 0.15");
            Assert.True(errors.Max() < 0.45, $"max error {errors.Max()}");
            Assert.Equal(1, ours.Sum() / area.Sum(), 0.07);
        }
    }

    /// <summary>Distance from (x, y) to the segment from a to b, in doubles.</summary>
    static double Distance(double x, double y, double ax, double ay, double bx, double by)
    {
        double dx = bx - ax, dy = by - ay, length2 = dx * dx + dy * dy;
        var t = length2 == 0 ? 0 : Math.Clamp(((x - ax) * dx + (y - ay) * dy) / length2, 0, 1);
        return Math.Sqrt(Math.Pow(x - ax - t * dx, 2) + Math.Pow(y - ay - t * dy, 2));
    }

    [Theory]
    [InlineData(true, 1f)]
    [InlineData(true, 0.5f)]
    [InlineData(true, 1.7f)]
    [InlineData(true, 3f)]
    [InlineData(false, 1.5f)]
    [InlineData(false, 3f)]
    public void EveryPixelHasTheCoverageOfItsNearestSegment(bool antiAlias, float width)
    {
        // Pixel by pixel in doubles, for images of every shape with strokes that leave them: clamp((w + 1) / 2 - d, 0,
        // min(w, 1)) for the distance d to the nearest segment, or for aliased lines (endpoints truncated) 1 where d is
        // under w / 2. Short steps make the rows of thin bands a few pixels long, longer ones make wide rows.
        var random = new Random(12);
        for (var trial = 0; trial < 60; trial++)
        {
            int w = random.Next(1, 36), h = random.Next(1, 36);
            var options = new RasterOptions { Width = w, Height = h, Scale = RasterScale.Pixels, AntiAlias = antiAlias, LineWidth = width };
            var strokes = Enumerable.Range(0, random.Next(1, 4)).Select(_ =>
            {
                var step = random.Next(2) == 0 ? 0.8 : 6;
                var (x, y) = (random.NextDouble() * (w + 6) - 3, random.NextDouble() * (h + 6) - 3);
                return Line(Enumerable.Range(0, random.Next(1, 12)).Select(_ =>
                {
                    (x, y) = (x + (random.NextDouble() - 0.5) * step, y + (random.NextDouble() - 0.5) * step);
                    return antiAlias ? ((float)x, (float)y) : (MathF.Truncate((float)x), MathF.Truncate((float)y));
                }).ToArray());
            }).ToList();
            var image = Raster.Draw(strokes, options);
            for (var py = 0; py < h; py++)
                for (var px = 0; px < w; px++)
                {
                    var d = strokes.Min(s => Enumerable.Range(0, Math.Max(1, s.Length - 1)).Min(i =>
                        Distance(px, py, s.X[i], s.Y[i], s.X[Math.Min(i + 1, s.Length - 1)], s.Y[Math.Min(i + 1, s.Length - 1)])));
                    if (antiAlias) Assert.Equal(Math.Clamp((width + 1) / 2.0 - d, 0, Math.Min(width, 1)), At(image, w, px, py), 1e-4);
                    // Pixels on the edge of the band go either way in floats.
                    else if (Math.Abs(d - width / 2.0) > 1e-4) Assert.Equal(d < width / 2.0 ? 1f : 0f, At(image, w, px, py));
                }
        }
    }

    [Fact]
    public void Seed000ImagesMatchPillowLinesThroughItsScaleThenAMinFilter()
    {
        foreach (var c in Fixture.GetProperty("seed000").EnumerateArray())
            Assert.Equal(Floats(c, "image"), Raster.Draw(Strokes(c), RasterOptions.Seed000));
    }

    [Fact]
    public void QuickDrawScaleMapsTheCanvasInsideTheMargin()
    {
        var options = RasterOptions.Seed000 with { Thicken = 0 };
        var image = Raster.Draw([Line((0, 0)), Line((255, 128))], options);
        Assert.Equal(2, image.Count(v => v == 0));
        Assert.Equal(0f, At(image, 64, 5, 5));
        // 5 + 255 * 54 / 256 = 58.79 and 5 + 128 * 54 / 256 = 32, truncated as Pillow does.
        Assert.Equal(0f, At(image, 64, 58, 32));
    }

    [Fact]
    public void FitSpansTheImageInsideTheMarginAndCentresTheShorterSide()
    {
        var options = new RasterOptions { Width = 32, Height = 32, Margin = 2, Scale = RasterScale.Fit };
        var image = Raster.Draw([Line((100, 50), (300, 50), (300, 150))], options);
        // Ends on pixel centres are half covered or more; their neighbours outside less.
        var inked = Enumerable.Range(0, image.Length).Where(i => image[i] >= 0.5f).ToList();
        Assert.Equal(2, inked.Min(i => i % 32));
        Assert.Equal(29, inked.Max(i => i % 32));
        // 100 tall of 200 wide: 13.5 px tall, centred on 15.5, from 8.75 to 22.25.
        Assert.Equal(9, inked.Min(i => i / 32));
        Assert.Equal(22, inked.Max(i => i / 32));
        // A single point lands in the middle.
        var dot = Raster.Draw([Line((7, 7))], options with { AntiAlias = false });
        Assert.Equal(1f, dot.Sum());
        Assert.Equal(1f, At(dot, 32, 15, 15));
    }

    [Fact]
    public void ColoursInversionAndThickening()
    {
        var drawing = new Drawing("1", "test", "US", true, null, [Line((10, 20), (200, 220), (240, 30)), Line((60, 60))]);
        var black = Raster.Draw(drawing, RasterOptions.Seed001Classifier);
        var white = Raster.Draw(drawing, RasterOptions.NumpyBitmap);
        Assert.All(black.Zip(white), p => Assert.Equal(1f, p.First + p.Second, 1e-6));
        Assert.Equal(1f, black.Max());
        Assert.True(black.Min() < 0.5f);
        // Thickening dark ink on white is the erosion of the image drawn without it.
        var thin = Raster.Draw(drawing, RasterOptions.Seed000 with { Thicken = 0 });
        Raster.Erode(thin, 64, 64);
        Assert.Equal(thin, Raster.Draw(drawing, RasterOptions.Seed000));
        // Growing bright ink on black is dilation.
        var bright = RasterOptions.Seed000.Inverted();
        var grown = Raster.Draw(drawing, bright with { Thicken = 0 });
        Raster.Dilate(grown, 64, 64);
        Assert.Equal(grown, Raster.Draw(drawing, bright));
    }

    [Fact]
    public void TensorsHoldTheImagesOneOrABatch()
    {
        var random = new Random(11);
        var drawings = Enumerable.Range(0, 9).Select(i => new Drawing($"{i}", "test", "US", true, null,
            StrokeTestData.RandomStrokes(random, timing: false))).ToList();
        var options = RasterOptions.Seed000;
        using var batch = Raster.ToTensor(drawings, options);
        Assert.Equal([9L, 1, 64, 64], batch.shape);
        Assert.Equal(torch.float32, batch.dtype);
        var values = batch.data<float>().ToArray();
        for (var i = 0; i < drawings.Count; i++)
            Assert.Equal(Raster.Draw(drawings[i], options), values[(i * 4096)..((i + 1) * 4096)]);
        using var one = Raster.ToTensor(drawings[3], options);
        Assert.Equal([1L, 64, 64], one.shape);
        Assert.Equal(Raster.Draw(drawings[3], options), one.data<float>().ToArray());
    }

    [Fact]
    public void BadInputsAreRefusedNamingWhatIsWrong()
    {
        var nan = Assert.Throws<ArgumentException>(() => Raster.ToTensor([new Drawing("1", "t", "US", true, null, [Line((1, 1), (2, 2)), Line((1, 1), (float.NaN, 2))])], Pixels));
        Assert.Contains("stroke 1", nan.Message);
        Assert.Throws<ArgumentException>(() => Raster.Draw([Line((1, 1), (3e7f, 2))], Pixels));
        Assert.Contains("margin of 14", Assert.Throws<ArgumentException>(() => Raster.Draw([Line((1, 1))], RasterOptions.Square(28) with { Margin = 14 })).Message);
        Assert.Throws<ArgumentException>(() => Raster.Draw([Line((1, 1))], Pixels, new float[10]));
        Assert.Throws<ArgumentOutOfRangeException>(() => Pixels with { LineWidth = 0 });
        Assert.Throws<ArgumentOutOfRangeException>(() => Pixels with { Width = 0 });
        Assert.Throws<ArgumentOutOfRangeException>(() => Pixels with { Margin = -1 });
    }

    [Fact]
    public void StrokesFarOutsideTheImageDrawNothingAndReturnAtOnce()
    {
        var far = Line((-1e7f, -3e6f), (1.6e7f, -1e6f), (-5e6f, 9e6f));
        foreach (var antiAlias in new[] { true, false })
            foreach (var width in new[] { 1f, 3f })
                Assert.Equal(0f, Raster.Draw([far], Pixels with { AntiAlias = antiAlias, LineWidth = width }).Sum());
    }

    static readonly Lazy<JsonElement> fixture = new(() =>
        JsonDocument.Parse(File.ReadAllText(DataFixtures.PathOf("raster.json"))).RootElement);

    static JsonElement Fixture => fixture.Value;

    static float[] Floats(JsonElement c, string name) => c.GetProperty(name).EnumerateArray().Select(v => (float)v.GetDouble()).ToArray();

    static List<Stroke> Strokes(JsonElement c) => c.GetProperty("strokes").EnumerateArray().Select(s =>
    {
        var xy = s.EnumerateArray().Select(v => v.EnumerateArray().Select(n => (float)n.GetDouble()).ToArray()).ToArray();
        return new Stroke(xy[0], xy[1]);
    }).ToList();

    static float[] DrawCase(JsonElement c, bool antiAlias)
    {
        var size = c.GetProperty("size").GetInt32();
        return Raster.Draw(Strokes(c), RasterOptions.Square(size) with
        {
            Scale = RasterScale.Pixels, AntiAlias = antiAlias, LineWidth = (float)c.GetProperty("width").GetDouble(),
        });
    }
}
