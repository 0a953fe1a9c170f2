using Reduction = TorchSharp.torch.nn.Reduction;

namespace VaeLab.Tests.Models.Sketch;

/// <summary>Test-set costs of Sketch-RNN, model summaries of models that take stroke batches, and the epoch log.</summary>
[Collection(TrainingSerial.Name)]
public class SketchEvaluationTests
{
    [Fact]
    public void EvaluateAveragesOverSketchesNotBatches()
    {
        manual_seed(3);
        var config = SketchTesting.Small with { batch_size = 3 };
        using var model = new SketchRnn(config);
        var sketches = SketchTesting.Sketches(7, seed: 5);
        model.train();

        var costs = model.evaluate(sketches, seed: 1);

        // KL does not depend on the draw of z: its mean over all seven sketches, from one pass, is the reference.
        using (var scope = NewDisposeScope())
        using (no_grad())
        {
            using var all = SketchBatches.to_batch(sketches, timing: false);
            var (mu, log_var) = model.encoder!.call(all.Strokes[.., 1..], all.Lengths);
            Assert.Equal(Losses.gaussian_kl(mu, log_var, Reduction.Mean).ToDouble(), costs["kl"], 5);
        }
        Assert.Equal(costs["recon"] + config.kl_weight * Math.Max(costs["kl"], config.kl_tolerance), costs["loss"], 5);
        Assert.Equal(costs["stroke"] + costs["pen"], costs["recon"], 5);
        Assert.Equal(costs, model.evaluate(sketches, seed: 1));
        Assert.True(model.training);
        Assert.Equal(costs["kl"], model.evaluate(sketches, kl_weight: 0, seed: 1)["kl"], 5);
        Assert.Equal(costs["recon"], model.evaluate(sketches, kl_weight: 0, seed: 1)["loss"], 5);
    }

    [Fact]
    public void SummaryRunsAForwardPassGivenAsAnAction()
    {
        manual_seed(0);
        using var model = new SketchRnn(SketchTesting.Small);
        using var batch = SketchBatches.to_batch(SketchTesting.Sketches(2), timing: false);
        model.train();

        var summary = model.summary(() => model.call(batch));

        ModelTesting.AssertSummary(model, summary, ("encoder.fc_mu", [2L, 4]));
        Assert.Equal(["", "encoder", "encoder.lstm", "encoder.fc_sigma", "encoder.fc_mu", "decoder.fc_hc", "decoder.lstm", "decoder.fc_params"],
            summary.rows.Select(r => r.path));
        Assert.True(model.training);
    }

    [Fact]
    public void EpochLogWritesOneLinePerEpochWithTheChosenLosses()
    {
        var writer = new StringWriter();
        var log = new EpochLog("recon", "kl") { Writer = writer };
        var position = new TrainerPosition(8, 1, 0);
        var epoch = new EpochRecord(1, 4, new Dictionary<string, double> { ["loss"] = 2, ["kl"] = 0.123456, ["recon"] = 1.5 },
            new Dictionary<string, double> { ["recon"] = 1.75 }, 3.04);

        log.Report(new TrainingProgress(ProgressKind.Step, position, 5, 4));
        log.Report(new TrainingProgress(ProgressKind.Epoch, position, 5, 4, epoch_record: epoch));
        log.Report(new TrainingProgress(ProgressKind.Epoch, position, 5, 4, epoch_record: epoch with { validation = new Dictionary<string, double>() }));

        Assert.Equal("epoch 2/5  recon 1.5  kl 0.1235 | valid recon 1.75 | 3.0 s\nepoch 2/5  recon 1.5  kl 0.1235 | 3.0 s\n",
            writer.ToString().ReplaceLineEndings("\n"));
    }
}
