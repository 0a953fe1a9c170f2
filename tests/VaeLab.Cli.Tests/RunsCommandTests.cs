using System.Diagnostics;
using VaeLab.Models.Sketch;
using VaeLab.Training;

namespace VaeLab.Cli.Tests;

/// <summary>Run.start keeps the process's current run: these tests run one at a time, as the notebook commands' do.</summary>
[Collection(NotebookCommands.Name)]
public sealed class RunsCommandTests : IDisposable
{
    readonly string root = Directory.CreateTempSubdirectory("vaelab-runs-cli-").FullName;

    string Experiments => Path.Combine(root, "experiments");

    public void Dispose() => Directory.Delete(root, recursive: true);

    // 80 columns, as when piped: a run's line, a SHA-256 or a metric's name must not wrap.
    Task<Invocation> Runs(params string[] args) => Vaelab.RunAt(80, ["runs", .. args, "--experiments", Experiments]);

    /// <summary>A finished run with two epochs of losses, a test accuracy, a data file and a saved model.</summary>
    Run Trained(string notebook, object parameters, double last_loss, bool finish = true)
    {
        var run = Run.start(notebook, parameters, experiments: Experiments);
        var progress = run.track();
        foreach (var (epoch, loss) in new[] { (0, last_loss + 1), (1, last_loss) })
            progress.Report(new TrainingProgress(ProgressKind.Epoch, new TrainerPosition(epoch + 1, epoch + 1, 0), 2, 1,
                epoch_record: new EpochRecord(epoch, 1, new Dictionary<string, double> { ["loss"] = loss + 0.5 }, new Dictionary<string, double> { ["loss"] = loss }, 1)));
        var data = Path.Combine(root, "train.txt");
        File.WriteAllText(data, "abc");
        run.data_file(data);
        using var model = new DoodleCnn(2);
        run.save_model("model", model, model.config);
        run.metric("accuracy", 0.5 + last_loss / 10);
        if (finish) run.finish();
        return run;
    }

    [Fact]
    public async Task ListShowsEachRunWithItsStatusAndHeadlineMetrics()
    {
        var first = Trained("doodle-classifier", new { epochs = 2, lr = 0.1 }, 1.25);
        var second = Trained("doodle-classifier", new { epochs = 2, lr = 0.2 }, 2.5, finish: false);

        var result = await Runs("list");

        Assert.Equal(0, result.ExitCode);
        Assert.Matches($@"{first.id} +doodle-classifier +finished .*2 epochs, valid.loss 1.25, accuracy 0.625", result.Output);
        Assert.Matches($@"{second.id} +doodle-classifier +running .*2 epochs, valid.loss 2.5, accuracy 0.75", result.Output);
        second.finish();
    }

    [Fact]
    public async Task ShowGivesParametersVersionsDataFilesMetricsAndArtifacts()
    {
        var run = Trained("doodle-classifier", new { epochs = 2, lr = 0.1 }, 1.25);

        var result = await Runs("show", run.id);

        Assert.Equal(0, result.ExitCode);
        Assert.Matches(@"status +finished", result.Output);
        Assert.Matches(@"libtorch +\d+\.\d+", result.Output);
        Assert.Matches(@"lr +0.1", result.Output);
        Assert.Matches(@"train.txt +ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad", result.Output);
        Assert.Matches(@"accuracy +0.625", result.Output);
        Assert.Matches(@"2 +1 +1.75 +1.25", result.Output); // epoch 2: seconds, train.loss, valid.loss
        Assert.Matches(@"model +models/model.safetensors", result.Output);
    }

    [Fact]
    public async Task CompareShowsTheParametersThatDifferAndTheMetricsSideBySide()
    {
        var a = Trained("doodle-classifier", new { epochs = 2, lr = 0.1 }, 1.25);
        var b = Trained("doodle-classifier", new { epochs = 2, lr = 0.2 }, 2.5);

        var result = await Runs("compare", a.id, b.id);
        var all = await Runs("compare", a.folder.path, b.id, "--all");

        Assert.Equal(0, result.ExitCode);
        Assert.Matches(@"lr +0.1 +0.2", result.Output);
        Assert.DoesNotMatch(@"epochs +2 +2", result.Output);
        Assert.Matches(@"valid.loss +1.25 +2.5", result.Output);
        Assert.Matches(@"accuracy +0.625 +0.75", result.Output);
        Assert.Matches(@"epochs +2 +2", all.Output);
    }

    [Fact]
    public async Task PromoteKeepsTheRunInGitWithoutItsCheckpointAndRmTakesItOut()
    {
        Git("init", "-q");
        var run = Trained("conv-vae", new { epochs = 2 }, 1);
        File.WriteAllText(run.checkpoint_path, "");
        Assert.True(Ignored(run.folder.model_path()));

        var promoted = await Runs("promote", run.id, "--name", "baseline");

        Assert.Equal(0, promoted.ExitCode);
        Assert.False(Ignored(run.folder.model_path()));
        Assert.False(Ignored(run.folder.run_json));
        Assert.True(Ignored(run.checkpoint_path));
        Assert.Equal("baseline", RunRegistry.open(Experiments).get(run.id)!.name);
        Assert.Matches(@"baseline", (await Runs("list")).Output);

        var removed = await Runs("rm", run.id);

        Assert.Equal(0, removed.ExitCode);
        Assert.False(Directory.Exists(run.folder.path));
        Assert.Null(RunRegistry.open(Experiments).get(run.id));
        Assert.DoesNotContain(run.id, File.ReadAllText(Path.Combine(Experiments, "conv-vae", "runs", ".gitignore")));
    }

    [Fact]
    public async Task RmRefusesARunningRunAndLeavesEverythingAsItWas()
    {
        var done = Trained("conv-vae", new { epochs = 2 }, 1);
        var running = Trained("conv-vae", new { epochs = 2 }, 1, finish: false);

        var result = await Runs("rm", done.id, running.id);

        Assert.Equal(2, result.ExitCode);
        Assert.Equal($"vaelab runs rm: {running.id} is still running; stop it first\n", result.Error);
        Assert.True(Directory.Exists(done.folder.path));
        Assert.NotNull(RunRegistry.open(Experiments).get(done.id));
        running.finish();
    }

    [Fact]
    public async Task AFolderOutsideTheExperimentsFolderIsRefused()
    {
        Directory.CreateDirectory(Experiments);
        var outside = Directory.CreateDirectory(Path.Combine(root, "20250101-120000-abcdef")).FullName;

        var result = await Runs("show", outside);

        Assert.Equal(2, result.ExitCode);
        Assert.StartsWith($"vaelab runs show: {outside} is not a run folder: runs are {Experiments}/<notebook>/runs/<run id>/", result.Error);
    }

    [Fact]
    public async Task ACorruptRegistryIsNamedInOneLine()
    {
        Directory.CreateDirectory(Experiments);
        var db = Path.Combine(Experiments, RunRegistry.FileName);
        File.WriteAllText(db, new string('x', 4096));

        var result = await Runs("list");

        Assert.Equal(1, result.ExitCode);
        Assert.StartsWith($"vaelab runs list: {db}: not a readable SQLite database", result.Error);
        Assert.Single(result.Error.TrimEnd('\n').Split('\n'));
    }

    [Fact]
    public async Task ANotebookThatFailsUnderVaelabRunLeavesItsRunFailedWithTheError()
    {
        using var repo = new TempRepository();
        Directory.CreateDirectory(Path.Combine(repo.Root, "experiments"));
        var notebook = repo.AddNotebook("failing", TempRepository.ReferenceVaeLab, "//parameters\nint epochs = 3;",
            "var run = VaeLab.Runs.Run.start(\"failing\", new { epochs });", "throw new InvalidOperationException(\"no data\");");

        var result = await Vaelab.Run("run", notebook, "-p", "epochs=4");

        Assert.Equal(1, result.ExitCode);
        var row = Assert.Single(RunRegistry.open(Path.Combine(repo.Root, "experiments")).list("failing"));
        Assert.Equal(RunStatus.Failed, row.status);
        Assert.Contains("InvalidOperationException: no data", row.message);
        Assert.Equal("""{"epochs":4}""", row.parameters);
    }

    void Git(params string[] args)
    {
        var start = new ProcessStartInfo("git") { WorkingDirectory = root, RedirectStandardOutput = true };
        foreach (var arg in args) start.ArgumentList.Add(arg);
        using var git = Process.Start(start)!;
        git.WaitForExit();
        Assert.Equal(0, git.ExitCode);
    }

    bool Ignored(string path)
    {
        var start = new ProcessStartInfo("git", ["check-ignore", "-q", path]) { WorkingDirectory = root };
        using var git = Process.Start(start)!;
        git.WaitForExit();
        return git.ExitCode == 0;
    }
}

