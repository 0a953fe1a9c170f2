using System.Text.Json.Nodes;

namespace VaeLab.Tests.Runs;

/// <summary>Run.current is the process's: these tests run one at a time, with the other training tests.</summary>
[Collection(TrainingSerial.Name)]
public sealed class RunTests : IDisposable
{
    readonly string experiments = Directory.CreateTempSubdirectory("vaelab-runs-").FullName;

    public void Dispose() => Directory.Delete(experiments, recursive: true);

    [Fact]
    public void AFinishedRunHasItsFolderRowMetricsModelAndDataFiles()
    {
        using var scope = NewDisposeScope();
        var data = Path.Combine(experiments, "train.txt");
        File.WriteAllText(data, "abc");
        var epochs = 2;
        var lr = 0.5;

        var run = Run.start("doodle-classifier", new { epochs, lr, categories = new[] { "cat", "dog" } }, experiments: experiments);
        var sha = run.data_file(data);
        var log = new StringWriter();
        var progress = run.track(new EpochLog { Writer = log });
        foreach (var epoch in new[] { 0, 1 })
            progress.Report(new TrainingProgress(ProgressKind.Epoch, new TrainerPosition(epoch + 1, epoch + 1, 0), 2, 1,
                epoch_record: new EpochRecord(epoch, 1, new Dictionary<string, double> { ["loss"] = 2.0 - epoch }, new Dictionary<string, double> { ["loss"] = 3.0 - epoch }, 0.5)));
        using var model = new DoodleCnn(2);
        var saved = run.save_model("model", model, model.config, new { categories = new[] { "cat", "dog" } });
        run.metric("accuracy", 0.75);
        run.finish();

        // SHA-256 of "abc", FIPS 180-2's example.
        Assert.Equal("ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad", sha);
        Assert.Equal(Path.Combine(experiments, "doodle-classifier", "runs", run.id, "models", "model.safetensors"), saved);
        Assert.Equal(2, log.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries).Length);
        Assert.Equal(2, File.ReadAllLines(run.folder.history_path).Length);
        Assert.Equal(2, SavedModel.load<DoodleCnn>(saved).num_classes);

        var row = RunRegistry.open(experiments).get(run.id)!;
        Assert.Equal(RunStatus.Finished, row.status);
        Assert.Equal($"doodle-classifier/runs/{run.id}", row.folder);
        Assert.Equal("""{"epochs":2,"lr":0.5,"categories":["cat","dog"]}""", row.parameters);
        Assert.Equal(Environment.ProcessId, row.pid);
        Assert.Equal("cpu", row.device);
        var registry = RunRegistry.open(experiments);
        Assert.Contains(new RunMetric(1, "valid.loss", 2.0), registry.metrics(run.id));
        Assert.Contains(new RunMetric(null, "accuracy", 0.75), registry.metrics(run.id));
        Assert.Equal([new RunArtifact("model", "models/model.safetensors")], registry.artifacts(run.id));
        Assert.Equal([new RunDataFile(data, sha)], registry.data_files(run.id));

        var json = JsonNode.Parse(File.ReadAllText(run.folder.run_json))!;
        Assert.Equal("finished", (string?)json["status"]);
        Assert.Equal(2, (int)json["parameters"]!["epochs"]!);
        Assert.Equal(sha, (string?)json["data_files"]![0]!["sha256"]);
        Assert.Equal(0.75, (double)json["metrics"]!["accuracy"]!);
        Assert.False(string.IsNullOrEmpty((string?)json["versions"]!["libtorch"]));
        Assert.Equal("/*/", File.ReadAllLines(Path.Combine(experiments, "doodle-classifier", "runs", ".gitignore"))[1]);
    }

    [Fact]
    public void ARunLeftUnfinishedIsInterruptedByTheNextRunOfTheProcessAndAFailureKeepsItsError()
    {
        var first = Run.start("conv-vae", experiments: experiments);
        var second = Run.start("conv-vae", experiments: experiments);
        second.fail(new InvalidOperationException("no data"));

        var registry = RunRegistry.open(experiments);
        Assert.Equal(RunStatus.Interrupted, registry.get(first.id)!.status);
        Assert.Equal("InvalidOperationException: no data", registry.get(second.id)!.message);
        Assert.Equal(RunStatus.Failed, registry.get(second.id)!.status);
        Assert.Null(Run.current);
    }

    [Fact]
    public void ParametersThatAreNotAnObjectAreRefused()
    {
        var error = Assert.Throws<ArgumentException>(() => Run.start("conv-vae", 3, experiments: experiments));

        Assert.Contains("must be an object or a dictionary of named values, not a Int32", error.Message);
    }
}
