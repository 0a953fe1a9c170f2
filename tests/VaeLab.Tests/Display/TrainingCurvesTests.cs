using System.Text.Json;
using VaeLab.Display;

namespace VaeLab.Tests.Display;

public class TrainingCurvesTests
{
    // Two epochs of 2 and 3 steps; the first validated "loss", the second too, plus a "kl" only the training steps have.
    static readonly TrainingHistory History = new(
        [.. new[] { 5.0, 4, 3.5, 3, 2.5 }.Select((loss, i) => new StepRecord(i, i < 2 ? 0 : 1, new Dictionary<string, double> { ["loss"] = loss, ["kl"] = i }, [1e-3], 1, null))],
        [
            new EpochRecord(0, 2, new Dictionary<string, double> { ["loss"] = 4.5 }, new Dictionary<string, double> { ["loss"] = 4.2 }, 1.25),
            new EpochRecord(1, 3, new Dictionary<string, double> { ["loss"] = 3 }, new Dictionary<string, double> { ["loss"] = 2.9 }, 2),
        ],
        false);

    static double[] Numbers(JsonElement trace, string axis) => [.. trace.GetProperty(axis).EnumerateArray().Select(v => v.GetDouble())];

    [Fact]
    public void StepsAreALineAndValidationsMarkersAtTheStepsThatEndedTheirEpochs()
    {
        var data = JsonDocument.Parse(TrainingCurves.Of(History, "loss", "Loss").ToJson()).RootElement.GetProperty("data");

        Assert.Equal(2, data.GetArrayLength());
        Assert.Equal(("lines", "train"), (data[0].GetProperty("mode").GetString(), data[0].GetProperty("name").GetString()));
        Assert.Equal([1.0, 2, 3, 4, 5], Numbers(data[0], "x"));
        Assert.Equal([5.0, 4, 3.5, 3, 2.5], Numbers(data[0], "y"));
        Assert.Equal(("markers", "validation"), (data[1].GetProperty("mode").GetString(), data[1].GetProperty("name").GetString()));
        Assert.Equal([2.0, 5], Numbers(data[1], "x"));
        Assert.Equal([4.2, 2.9], Numbers(data[1], "y"));
    }

    [Fact]
    public void RunsShareAFigureUnderTheirNamesAndAMissingLossIsNamed()
    {
        var figure = new Figure().Add(History, "kl", "first").Add(History, "loss", "second");
        var names = JsonDocument.Parse(figure.ToJson()).RootElement.GetProperty("data").EnumerateArray().Select(t => t.GetProperty("name").GetString());

        // "kl" was never validated, so its run has no markers.
        Assert.Equal(["first train", "second train", "second validation"], names);
        var e = Assert.Throws<ArgumentException>(() => TrainingCurves.Of(History, "mse"));
        Assert.Contains("no 'mse' (it has loss, kl)", e.Message);
    }

    [Fact]
    public void TheLogPrintsOneLinePerEpochAndThenRunsItsAction()
    {
        var writer = new StringWriter();
        var seen = new List<int>();
        var log = new EpochLog("loss") { Prefix = "run: ", Writer = writer, Then = record => seen.Add(record.epoch) };
        var position = new TrainerPosition(5, 2, 0);

        log.Report(new TrainingProgress(ProgressKind.Step, position, 3, 3, step: History.steps[0]));
        log.Report(new TrainingProgress(ProgressKind.Epoch, position, 3, 3, epoch_record: History.epochs[1]));
        log.Report(new TrainingProgress(ProgressKind.Checkpoint, position, 3, 3, checkpoint: "run.safetensors"));

        Assert.Equal("run: epoch 2/3  loss 3 | valid loss 2.9 | 2.0 s" + Environment.NewLine, writer.ToString());
        Assert.Equal([1], seen);
        var all = new StringWriter();
        new EpochLog { Writer = all }.Report(new TrainingProgress(ProgressKind.Epoch, position, 3, 3, epoch_record: History.epochs[0] with { validation = null }));
        Assert.Equal("epoch 1/3  loss 4.5 | 1.3 s" + Environment.NewLine, all.ToString());
    }
}
