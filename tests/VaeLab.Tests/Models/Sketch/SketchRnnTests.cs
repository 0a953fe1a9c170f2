namespace VaeLab.Tests.Models.Sketch;

[Collection(TrainingSerial.Name)]
public class SketchRnnTests
{
    [Fact]
    public void OutputsHaveTheBatchStepAndMixtureShapes()
    {
        using var scope = NewDisposeScope();
        manual_seed(0);
        foreach (var (config, sketches) in new (SketchRnnConfig, IReadOnlyList<StrokeRows>)[]
        {
            (SketchTesting.Small, SketchTesting.Sketches(3)),
            (SketchTesting.SmallDoodler, SketchTesting.TimedSketches(3)),
        })
        {
            using var model = new SketchRnn(config);
            using var batch = SketchBatches.to_batch(sketches, config.timing, 10);
            var (mixture, mu, log_var, z) = model.call(batch);
            foreach (var t in new[] { mixture.pi_logits, mixture.mu_x, mixture.mu_y, mixture.sigma_x, mixture.sigma_y, mixture.rho })
                Assert.Equal([3L, 10, 3], t.shape);
            Assert.Equal([3L, 10, 3], mixture.pen_logits.shape);
            Assert.Equal(config.timing, mixture.temporal);
            if (config.timing) Assert.Equal([3L, 10, 3], mixture.sigma_t!.shape);
            foreach (var t in new[] { mu!, log_var!, z! }) Assert.Equal([3L, 4], t.shape);
        }
    }

    [Fact]
    public void StateDictFollowsSeed003()
    {
        manual_seed(0);
        using var model = new SketchRnn(SketchTesting.Small);
        ModelTesting.AssertLikePyTorch(model, "seed003_draw", "sketch.json");
    }

    [Fact]
    public void VariantsChangeTheDecoderAndTheHead()
    {
        using var scope = NewDisposeScope();
        manual_seed(0);
        using var layerNorm = new SketchRnn(SketchTesting.SmallDoodler);
        var keys = layerNorm.state_dict().Keys.ToList();
        Assert.Contains("decoder.cells.1.gate_norm_weight", keys);
        Assert.Contains("encoder.lstm.weight_ih_l1_reverse", keys);
        Assert.DoesNotContain(keys, k => k.StartsWith("decoder.lstm"));
        Assert.Equal([64L, 6 + 4], layerNorm.decoder.cells![0].weight_ih.shape);
        Assert.Equal([8L * 3 + 3, 16], layerNorm.decoder.fc_params.weight.shape);
        nn.init.constant_(layerNorm.encoder!.fc_sigma.bias!, 50);
        using var batch = SketchBatches.to_batch(SketchTesting.TimedSketches(2), timing: true);
        Assert.Equal(10, layerNorm.call(batch).log_var!.max().ToDouble(), 6);

        using var unconditional = new SketchRnn(SketchTesting.Small with { conditional = false });
        Assert.Null(unconditional.encoder);
        Assert.Null(unconditional.decoder.fc_hc);
        Assert.Equal([64L, 5], unconditional.named_parameters().Single(p => p.name == "decoder.lstm.weight_ih_l0").parameter.shape);
    }

    [Fact]
    public void TheEncoderReadsEachSketchOnlyUpToItsLength()
    {
        using var scope = NewDisposeScope();
        manual_seed(1);
        using var model = new SketchRnn(SketchTesting.Small);
        var sketches = SketchTesting.Sketches(3);
        using var tight = SketchBatches.to_batch(sketches, false);
        using var padded = SketchBatches.to_batch(sketches, false, 12);
        var (mu, log_var) = model.encoder!.call(tight.Strokes[.., 1..], tight.Lengths);
        var (mu_padded, log_var_padded) = model.encoder.call(padded.Strokes[.., 1..], padded.Lengths);
        Assert.True(mu.allclose(mu_padded, 1e-5, 1e-7) && log_var.allclose(log_var_padded, 1e-5, 1e-7), "extra padding rows change nothing");

        using var alone = SketchBatches.to_batch([sketches[1]], false);
        var (mu_alone, _) = model.encoder.call(alone.Strokes[.., 1..], alone.Lengths);
        Assert.True(mu_alone[0].allclose(mu[1], 1e-5, 1e-7), "a sketch encodes the same beside longer ones");
    }

    [Fact]
    public void SchedulesFollowMagentasClosedForms()
    {
        var magenta = new SketchRnnConfig();
        var doodler = SketchRnnConfig.Doodler;
        foreach (var step in new long[] { 0, 1, 10, 1000, 50000 })
        {
            Assert.Equal((1e-3 - 1e-5) * Math.Pow(0.9999, step) + 1e-5, magenta.learning_rate_at(step), 1e-15);
            Assert.Equal(0.5 - (0.5 - 0.01) * Math.Pow(0.99995, step), magenta.kl_weight_at(step), 1e-15);
            Assert.Equal(1e-3 * Math.Pow(0.9999, step), doodler.learning_rate_at(step), 1e-15);
            Assert.Equal(1 - 0.99 * Math.Pow(0.99995, step), doodler.kl_weight_at(step), 1e-15);
        }
    }

    [Fact]
    public void TheTrainerAdvancesBothSchedulesEveryStep()
    {
        manual_seed(2);
        var config = SketchTesting.Small with { batch_size = 2, learning_rate = 0.01, decay_rate = 0.5, min_learning_rate = 0.001, kl_decay_rate = 0.5 };
        using var model = new SketchRnn(config);
        var data = SketchTesting.Sketches(4);
        var trainer = model.trainer(new TrainerOptions { epochs = 2, handle_ctrl_c = false });
        var history = trainer.fit(epoch => SketchBatches.epoch(data, config, epoch));
        Assert.Equal(4, history.steps.Count);
        foreach (var step in history.steps)
        {
            Assert.Equal(config.learning_rate_at(step.step), step.lr[0], 12);
            Assert.Equal(config.kl_weight_at(step.step), step.kl_weight, 12);
            Assert.Null(step.grad_norm);
        }
    }

    [Fact]
    public void MagentaClipsEachGradientElement()
    {
        using var scope = NewDisposeScope();
        manual_seed(3);
        using var model = new SketchRnn(SketchTesting.Small with { grad_clip = 1e-4 });
        using var batch = SketchBatches.to_batch(SketchTesting.Sketches(4), false, 12);
        model.train_step(batch, new StepContext(0, 0, 0.5));
        var grads = model.parameters().Select(p => p.grad!.abs().max().ToDouble()).ToList();
        Assert.All(grads, g => Assert.True(g <= 1e-4 + 1e-12));
        Assert.Contains(grads, g => g > 0.99e-4);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void ATinyDatasetIsLearnedInAFewDozenSteps(bool timing)
    {
        manual_seed(4);
        var config = (timing ? SketchTesting.SmallDoodler : SketchTesting.Small) with { learning_rate = 0.02, kl_weight_start = 0.5 };
        using var model = new SketchRnn(config);
        IReadOnlyList<StrokeRows> data = timing ? SketchTesting.TimedSketches(4) : SketchTesting.Sketches(4);
        var history = model.trainer(new TrainerOptions { epochs = 30, handle_ctrl_c = false })
            .fit(epoch => SketchBatches.epoch(data, config, epoch, augment: false));
        var first = history.steps[0].losses["recon"];
        var last = history.steps.TakeLast(5).Average(s => s.losses["recon"]);
        Assert.True(last < 0.5 * first, $"recon went from {first:F3} to {last:F3}");
    }

    [Fact]
    public void TheUnconditionalModelTrainsOnTheReconstructionAlone()
    {
        using var scope = NewDisposeScope();
        manual_seed(5);
        using var model = new SketchRnn(SketchTesting.Small with { conditional = false });
        using var batch = SketchBatches.to_batch(SketchTesting.Sketches(3), false, 12);
        var output = model.call(batch);
        Assert.Null(output.mu);
        var losses = model.losses(batch, kl_weight: 0.5);
        Assert.Equal(0, losses["kl"].ToDouble());
        Assert.Equal(losses["recon"].ToDouble(), losses["loss"].ToDouble());
    }

    [Fact]
    public void BatchesArePaddedToMaxSeqLenAndReproducible()
    {
        var config = SketchTesting.Small with { batch_size = 3 };
        var data = SketchTesting.Sketches(7);
        var first = SketchBatches.epoch(data, config, epoch: 2, seed: 9).ToList();
        var again = SketchBatches.epoch(data, config, epoch: 2, seed: 9).ToList();
        Assert.Equal([3, 3, 1], first.Select(b => (int)b.Strokes.size(0)));
        Assert.All(first, b => Assert.Equal(12, b.Nmax));
        Assert.All(first.Zip(again), p => Assert.True(p.First.Strokes.Equals(p.Second.Strokes)));
        var other = SketchBatches.epoch(data, config, epoch: 3, seed: 9).ToList();
        Assert.False(first[0].Strokes.Equals(other[0].Strokes));
        foreach (var b in first.Concat(again).Concat(other)) b.Dispose();

        var tooLong = new Stroke3(new float[13 * 3]);
        Assert.Contains("max_seq_len", Assert.Throws<ArgumentException>(() => SketchBatches.epoch(new List<Stroke3> { tooLong }, config, 0).ToList()).Message);
        Assert.Throws<ArgumentException>(() => SketchBatches.to_batch(SketchTesting.Sketches(2), timing: true));
    }
}
