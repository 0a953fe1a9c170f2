using TorchSharp.Modules;

namespace VaeLab.Tests.Models.Sketch;

[Collection(TrainingSerial.Name)]
public class PredictTests
{
    static SketchClassifierConfig Small => new()
    {
        enc_rnn_size = 8, z_size = 4, hidden_size = 6, num_classes = 3, categories = ["square", "triangle", "zigzag"], batch_size = 6,
    };

    [Fact]
    public void TopKIsSortedAndLowConfidenceIsOutOfDistribution()
    {
        var unsure = SketchPrediction.FromProbabilities([0.1, 0.5, 0.2, 0.2], 3, 0.8, ["a", "b", "c", "d"]);
        Assert.Equal([1, 2, 3], unsure.classes);
        Assert.Equal([0.5, 0.2, 0.2], unsure.probabilities);
        Assert.Equal(["b", "c", "d"], unsure.names!);
        Assert.True(unsure.out_of_distribution);
        var sure = SketchPrediction.FromProbabilities([0.05, 0.85, 0.1], 1, 0.8);
        Assert.Equal(1, sure.top);
        Assert.False(sure.out_of_distribution);
        Assert.False(SketchPrediction.FromProbabilities([0.8, 0.2], 2, 0.8).out_of_distribution);
        Assert.Throws<ArgumentOutOfRangeException>(() => SketchPrediction.FromProbabilities([0.5, 0.5], 3, 0.8));
    }

    [Fact]
    public void StateDictFollowsSeed003()
    {
        manual_seed(0);
        using var model = new SketchClassifier(Small);
        ModelTesting.AssertLikePyTorch(model, "seed003_predict", "sketch.json");
    }

    [Fact]
    public void PredictionsAreDeterministicProbabilities()
    {
        manual_seed(1);
        using var model = new SketchClassifier(Small);
        var sketches = SketchTesting.Sketches(3);
        var predictions = model.predict(sketches, k: 3);
        Assert.True(model.training, "predict restores the training mode");
        Assert.All(predictions, p =>
        {
            Assert.Equal(1, p.probabilities.Sum(), 5);
            Assert.Equal(p.probabilities.OrderDescending(), p.probabilities);
            Assert.Equal(p.probabilities[0] < 0.8, p.out_of_distribution);
        });
        Assert.Equal(predictions.Select(p => p.probabilities), model.predict(sketches, k: 3).Select(p => p.probabilities));
    }

    [Fact]
    public void PredictionsListThreeClassesOrEveryClassWhenThereAreFewer()
    {
        manual_seed(2);
        using var five = new SketchClassifier(Small with { num_classes = 5, categories = null });
        using var two = new SketchClassifier(Small with { num_classes = 2, categories = ["square", "zigzag"] });
        var sketches = SketchTesting.Sketches(2);

        Assert.All(five.predict(sketches), p => Assert.Equal(3, p.classes.Length));
        Assert.All(two.predict(sketches), p => Assert.Equal([0, 1], p.classes.Order()));
    }

    [Fact]
    public void PrefixBatchesKeepAtLeastHalfOfEachSketch()
    {
        var data = SketchTesting.Sketches(6).Select((s, i) => (s, i % 3)).ToList();
        var (strokes, labels) = Assert.Single(SketchBatches.prefixes(data, Small, epoch: 0));
        using (strokes)
        using (labels)
        {
            Assert.Equal(6, labels.size(0));
            var full = data.Select(d => d.s.Length).Order().ToArray();
            Assert.All(strokes.Lengths, length => Assert.InRange(length, 2, full.Max()));
            Assert.Equal(labels.data<long>().ToArray().Order(), new long[] { 0, 0, 1, 1, 2, 2 });
        }
    }

    [Fact]
    public void TheClassifierLearnsToTellShapesApart()
    {
        manual_seed(2);
        var config = Small with { dropout = 0.1, learning_rate = 0.05 };
        using var model = new SketchClassifier(config);
        var random = new Random(0);
        var data = Enumerable.Range(0, 12).Select(i => (SketchTesting.Sketch(i % 3, random), i % 3)).ToList();
        var history = model.trainer(new TrainerOptions { epochs = 60, handle_ctrl_c = false })
            .fit(epoch => SketchBatches.prefixes(data, config, epoch));
        var predicted = model.predict(data.Select(d => (StrokeRows)d.Item1).ToList(), k: 1).Select(p => p.top);
        var correct = predicted.Zip(data).Count(p => p.First == p.Second.Item2);
        Assert.True(correct >= 11, $"{correct} of 12 training sketches classified right");
        Assert.All(history.steps, s => Assert.NotNull(s.grad_norm));
    }

    [Fact]
    public void ThePredictedClassesDrawModelCompletesThePrefix()
    {
        using var scope = NewDisposeScope();
        manual_seed(3);
        using var classifier = new SketchClassifier(Small);
        var fc3 = (Linear)classifier.classifier.named_children().Single(c => c.name == "fc3").module;
        using (no_grad())
        {
            fc3.weight.zero_();
            fc3.bias!.copy_(tensor(new[] { 0f, 0, 10 }));
        }
        var models = Enumerable.Range(0, 3).Select(_ => new SketchRnn(SketchTesting.Small)).ToList();
        foreach (var (model, end) in models.Zip(new[] { 50.0, 50, -50 }))
        {
            var bias = model.decoder.fc_params.bias;
            using (no_grad())
            using (var pen = bias[^1..])
                pen.fill_(end);
        }
        var prefix = SketchTesting.Sketches(1)[0];
        var (prediction, completion) = classifier.complete(prefix, models, k: 2, max_length: 4);
        Assert.Equal(2, prediction.top);
        Assert.Equal("zigzag", prediction.names![0]);
        Assert.False(prediction.out_of_distribution);
        Assert.Equal(prefix.Length + 4, completion.Length);
        foreach (var model in models) model.Dispose();
    }
}
