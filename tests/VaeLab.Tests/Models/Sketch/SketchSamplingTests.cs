namespace VaeLab.Tests.Models.Sketch;

[Collection(TrainingSerial.Name)]
public class SketchSamplingTests
{
    static void AssertSame(IReadOnlyList<StrokeRows> a, IReadOnlyList<StrokeRows> b)
    {
        Assert.Equal(a.Count, b.Count);
        for (var i = 0; i < a.Count; i++) Assert.Equal(a[i].Data, b[i].Data);
    }

    /// <summary>Sets the pen logits' biases, e.g. to make the end state certain or impossible.</summary>
    static void PenBias(SketchRnn model, double down, double lifted, double end)
    {
        var bias = model.decoder.fc_params.bias;
        using (no_grad())
        using (var pen = bias[^3..])
        using (var values = tensor(new[] { (float)down, (float)lifted, (float)end }))
            pen.copy_(values);
    }

    [Fact]
    public void GenerationIsReproducibleFromItsSeedAlone()
    {
        manual_seed(0);
        using var model = new SketchRnn(SketchTesting.Small);
        var first = model.generate(3, temperature: 0.8, seed: 7, max_length: 8);
        manual_seed(123);
        using (var noise = randn(10)) { }
        AssertSame(first, model.generate(3, temperature: 0.8, seed: 7, max_length: 8));
        Assert.NotEqual(first.SelectMany(s => s.Data), model.generate(3, temperature: 0.8, seed: 8, max_length: 8).SelectMany(s => s.Data));
        Assert.True(model.training, "sampling restores the training mode");
    }

    [Fact]
    public void DrawingStopsAtTheEndTokenOrAtMaxLength()
    {
        manual_seed(1);
        using var model = new SketchRnn(SketchTesting.Small);
        PenBias(model, 0, 0, 50);
        Assert.All(model.generate(4, seed: 1), s => Assert.Equal(0, s.Length));
        PenBias(model, 0, 0, -50);
        var drawings = model.generate(4, seed: 1, max_length: 7);
        Assert.All(drawings, s =>
        {
            var rows = Assert.IsType<Stroke5>(s);
            Assert.Equal(7, rows.Length);
            for (var r = 0; r < rows.Length; r++) Assert.Equal(1, rows[r, 2] + rows[r, 3]);
        });
    }

    [Fact]
    public void TheTimingAwareModelDrawsDt()
    {
        using var scope = NewDisposeScope();
        manual_seed(2);
        using var model = new SketchRnn(SketchTesting.SmallDoodler);
        PenBias(model, 20, 0, -20);
        // mu_dt is the fourth block of M outputs; a bias of 2.5 there with a tiny temperature fixes dt near 2.5.
        var m = (int)model.decoder.fc_params.num_mixture;
        using (no_grad())
        {
            model.decoder.fc_params.weight.zero_();
            using var mu_t = model.decoder.fc_params.bias[(3 * m)..(4 * m)];
            mu_t.fill_(2.5);
        }
        var drawing = Assert.IsType<Stroke6>(model.generate(1, temperature: 1e-6, seed: 3, max_length: 5)[0]);
        Assert.Equal(5, drawing.Length);
        for (var r = 0; r < 5; r++) Assert.Equal(2.5, drawing[r, 2], 0.01);
        Assert.Equal(5, drawing.ToStrokes().Sum(s => s.Length));
    }

    [Fact]
    public void ReconstructionUsesMuUnlessAskedToSample()
    {
        using var scope = NewDisposeScope();
        manual_seed(3);
        using var model = new SketchRnn(SketchTesting.Small);
        var sketches = SketchTesting.Sketches(2);
        using var batch = SketchBatches.to_batch(sketches, false);
        var (mu, _) = model.encoder!.call(batch.Strokes[.., 1..], batch.Lengths);
        Assert.True(model.encode(sketches).allclose(mu));
        Assert.False(model.encode(sketches, sample: true, seed: 1).allclose(mu));
        Assert.True(model.encode(sketches, sample: true, seed: 1).Equals(model.encode(sketches, sample: true, seed: 1)));
        AssertSame(model.reconstruct(sketches, 0.5, seed: 4, max_length: 6), model.decode(mu, 0.5, seed: 4, max_length: 6));
    }

    [Fact]
    public void InterpolationRunsBetweenTheTwoLatents()
    {
        using var scope = NewDisposeScope();
        manual_seed(4);
        using var model = new SketchRnn(SketchTesting.Small);
        var sketches = SketchTesting.Sketches(2);
        var ends = model.encode(sketches);
        foreach (var spherical in new[] { true, false })
        {
            var path = model.interpolate(sketches[0], sketches[1], 5, spherical);
            Assert.Equal([5L, 4], path.shape);
            Assert.True(path[0].allclose(ends[0], 1e-5, 1e-6) && path[4].allclose(ends[1], 1e-5, 1e-6));
        }
        Assert.True(model.interpolate(sketches[0], sketches[1], 3, spherical: false)[1].allclose((ends[0] + ends[1]) / 2, 1e-5, 1e-6));
    }

    [Fact]
    public void SlerpFollowsTheGreatCircle()
    {
        using var scope = NewDisposeScope();
        var (e1, e2) = (tensor(new[] { 2.0, 0, 0 }), tensor(new[] { 0, 2.0, 0 }));
        var half = SketchRnn.slerp(e1, e2, 0.5);
        Assert.True(half.allclose(tensor(new[] { Math.Sqrt(2), Math.Sqrt(2), 0 }), 1e-12, 1e-12));
        var third = SketchRnn.slerp(e1, e2, 1.0 / 3);
        Assert.True(third.allclose(tensor(new[] { 2 * Math.Cos(Math.PI / 6), 2 * Math.Sin(Math.PI / 6), 0 }), 1e-12, 1e-12));
        Assert.True(SketchRnn.slerp(e1, e1 * 3, 0.5).allclose(e1 * 2, 1e-12, 1e-12), "parallel vectors fall back to lerp");
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void CompletionContinuesFromThePrefixState(bool timing)
    {
        using var scope = NewDisposeScope();
        manual_seed(5);
        var config = timing ? SketchTesting.SmallDoodler : SketchTesting.Small;
        using var model = new SketchRnn(config);
        model.eval();
        PenBias(model, 20, 0, -20);
        StrokeRows prefix = timing ? SketchTesting.TimedSketches(1)[0] : SketchTesting.Sketches(1)[0];
        var rows = SketchBatches.model_rows(prefix, timing);
        var completion = model.complete([prefix], temperature: 1e-6, seed: 6, max_length: 3)[0];
        Assert.Equal(rows.Length + 3, completion.Length);
        Assert.Equal(rows.Data, completion.Data[..rows.Data.Length]);

        // The first new row is the mean of the most likely component after the decoder has read [start, prefix] from z = 0.
        using var batch = SketchBatches.to_batch([prefix], timing);
        using (no_grad())
        {
            var z = zeros(1, config.z_size);
            var (output, _) = model.decoder.run(batch.Strokes, z, model.decoder.initial_state(z, 1));
            var mixture = model.decoder.fc_params.call(output[.., ^1]);
            var j = mixture.pi_logits.argmax(-1).item<long>();
            Assert.Equal(mixture.mu_x[0, j].ToDouble(), completion[rows.Length, 0], 0.01);
            Assert.Equal(mixture.mu_y[0, j].ToDouble(), completion[rows.Length, 1], 0.01);
        }
    }
}
