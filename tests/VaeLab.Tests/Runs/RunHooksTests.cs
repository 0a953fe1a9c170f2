using System.Text.Json.Nodes;
using Microsoft.DotNet.Interactive.Formatting;
using VaeLab.Display;

namespace VaeLab.Tests.Runs;

/// <summary>What a notebook's run gets: reported metrics and displayed figures only from its cells; a model per name; the
/// init_from and resume_from parameters. Run.current is the process's: these tests run one at a time, with the other
/// training tests.</summary>
[Collection(TrainingSerial.Name)]
public sealed class RunHooksTests : IDisposable
{
    readonly string experiments = Directory.CreateTempSubdirectory("vaelab-run-hooks-").FullName;

    public void Dispose() => Directory.Delete(experiments, recursive: true);

    static readonly string Pth = Path.Combine(AppContext.BaseDirectory, "fixtures", "cli", "seed004_fashion.pth");

    /// <summary>The model the seed-004 fixture holds.</summary>
    static ConvVae Seed004(int latent_dim = 8) => new(new ConvVaeConfig { image_channels = 1, image_size = 64, latent_dim = latent_dim, max_filters = 32 });

    [Fact]
    public void WhatIsReportedOrShownOutsideANotebookCellIsNotTheRuns()
    {
        using var scope = NewDisposeScope();
        var run = Run.start("conv-vae", experiments: experiments);
        Notebook.report("test_mse", 0.25);
        new ImageGrid([Image.FromBatch(ones(2, 1, 4, 4))]) { Title = "Reconstructions" }.ToDisplayString(Mime.Html);
        run.finish();

        // A test or a script rendering values while a run is going, as a notebook cell does: only a cell's are the run's
        // (tests/VaeLab.Notebooks.Tests/RunNotebookTests.cs shows a cell's).
        Assert.Empty(run.registry.metrics(run.id));
        Assert.False(Directory.Exists(run.folder.figures_folder));
    }

    [Fact]
    public void ARunThatTrainsSeveralModelsNamesEachInItsMetricsHistoryAndCheckpoints()
    {
        var run = Run.start("cvae-completion", experiments: experiments);
        var progress = run.track(model: "no-decoder-z");
        progress.Report(new TrainingProgress(ProgressKind.Epoch, new TrainerPosition(1, 1, 0), 1, 1,
            epoch_record: new EpochRecord(0, 1, new Dictionary<string, double> { ["loss"] = 2 }, new Dictionary<string, double> { ["loss"] = 3 }, 0.5)));
        run.finish();

        Assert.Contains(new RunMetric(0, "no-decoder-z.valid.loss", 3), run.registry.metrics(run.id));
        Assert.Equal("no-decoder-z", (string?)JsonNode.Parse(File.ReadAllLines(run.folder.history_path).Single())!["model"]);
        Assert.Equal(Path.Combine(run.folder.path, "checkpoint-no-decoder-z.safetensors"), run.checkpoint_path_of("no-decoder-z"));
    }

    [Fact]
    public void InitFromLoadsAPthOrARunsModelAndNamesTheKeysThatDoNotFit()
    {
        using var scope = NewDisposeScope();
        var run = Run.start("conv-vae", experiments: experiments);
        manual_seed(1);
        var from_pth = Seed004();
        Assert.Equal(Pth, run.init_from(from_pth, Pth));
        var expected = Weights.read(Pth);
        foreach (var (key, tensor) in from_pth.state_dict()) TensorAssert.Identical(expected[key], tensor, key);
        run.save_model("model", from_pth, from_pth.config);
        run.finish();

        var next = Run.start("conv-vae", experiments: experiments);
        manual_seed(2);
        var from_run = Seed004();
        Assert.Equal(run.folder.model_path(), next.init_from(from_run, run.id));
        foreach (var (key, tensor) in from_run.state_dict()) TensorAssert.Identical(expected[key], tensor, key);
        Assert.Null(next.init_from(from_run, ""));

        var error = Assert.Throws<ArgumentException>(() => next.init_from(Seed004(latent_dim: 4), Pth));
        Assert.Contains($"{Pth}: the weights do not fit ConvVae: wrong shapes: ", error.Message);
        Assert.Contains("encoder.proj_mu.weight is [8, ", error.Message);
        var part = Path.Combine(experiments, "part.safetensors");
        safetensors.save_file(new Dictionary<string, Tensor> { ["encoder.proj_mu.weight"] = expected["encoder.proj_mu.weight"] }, part);
        var partial = Seed004();
        var before = partial.encoder.proj_mu.weight!.clone();
        error = Assert.Throws<ArgumentException>(() => next.init_from(partial, part));
        Assert.StartsWith($"{part}: the weights do not fit ConvVae: missing keys: encoder.", error.Message);
        TensorAssert.Identical(before, partial.encoder.proj_mu.weight!, "a weight of a model that was refused");
        next.finish();
    }

    [Fact]
    public void ResumeFromARunThatStoppedBeforeAModelsFirstCheckpointTrainsItFromTheStart()
    {
        using var scope = NewDisposeScope();
        var first = Run.start("cvae-completion", experiments: experiments);
        first.fail(new OperationCanceledException("killed"));
        var run = Run.start("cvae-completion", experiments: experiments);
        var model = nn.Linear(2, 2);
        var trainer = new Trainer<Tensor>(model, [optim.SGD(model.parameters(), 0.1)], (x, _) => new Dictionary<string, Tensor> { ["loss"] = model.call(x).sum() });

        Assert.Null(run.resume_from(trainer, first.id, model: "full"));
        Assert.Equal(new TrainerPosition(0, 0, 0), trainer.position);
        var error = Assert.Throws<ArgumentException>(() => run.resume_from(trainer, first.checkpoint_path_of("full"), model: "full"));
        Assert.Contains("give the run id or folder", error.Message);
        run.finish();
    }

    [Fact]
    public void ResumeFromNamesTheParametersThatDifferFromTheResumedRunsOnce()
    {
        using var scope = NewDisposeScope();
        Trainer<Tensor> Trainer(nn.Module<Tensor, Tensor> model) =>
            new(model, [optim.SGD(model.parameters(), 0.1)], (x, _) => new Dictionary<string, Tensor> { ["loss"] = model.call(x).sum() });
        var first = Run.start("cvae-completion", new { epochs = 2, lr = 0.1, resume_from = "" }, experiments: experiments);
        var model = nn.Linear(2, 2);
        Trainer(model).save_checkpoint(first.checkpoint_path);
        first.finish();

        var run = Run.start("cvae-completion", new { epochs = 4, lr = 0.1, resume_from = first.id }, experiments: experiments);
        var printed = new StringWriter();
        var console = Console.Out;
        Console.SetOut(printed);
        try
        {
            run.resume_from(Trainer(model), first.id);
            run.resume_from(Trainer(model), first.id);
        }
        finally
        {
            Console.SetOut(console);
        }
        var said = printed.ToString().Split('\n').Where(l => l.StartsWith("parameters that differ")).ToList();
        Assert.Equal([$"parameters that differ from those of {first.id}: epochs 2 -> 4"], said);
        run.finish();
    }
}
