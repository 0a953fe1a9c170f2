namespace VaeLab.Tests.Runs;

public sealed class RunFolderTests : IDisposable
{
    readonly string root = Directory.CreateTempSubdirectory("vaelab-run-folder-").FullName;

    public void Dispose() => Directory.Delete(root, recursive: true);

    string Experiments => Path.Combine(root, "experiments");

    RunFolder MakeRun(string notebook, string id)
    {
        var run = new RunFolder(Path.Combine(Experiments, notebook, "runs", id));
        Directory.CreateDirectory(run.models_folder);
        return run;
    }

    [Fact]
    public void ARunIdAFolderAndAModelFileEachResolveToTheirRun()
    {
        var run = MakeRun("conv-vae", "20250101-120000-a1b2c3");
        File.WriteAllText(run.model_path(), "");

        var byId = RunFolder.resolve(run.id, Experiments);
        var byFolder = RunFolder.resolve(run.path + "/", Experiments);
        var byFile = RunFolder.resolve(run.model_path(), Experiments);

        Assert.Equal(new ModelSource(run, null), byId);
        Assert.Equal(new ModelSource(run, null), byFolder);
        Assert.Equal(new ModelSource(run, run.model_path()), byFile);
        Assert.Equal(run.model_path(), byId.model_file());
        Assert.Equal("conv-vae", byId.run!.notebook);
    }

    [Fact]
    public void AModelTheRunDoesNotHaveIsNamedWithThoseItHas()
    {
        var run = MakeRun("cvae-completion", "20250101-120000-a1b2c3");
        File.WriteAllText(run.model_path("full"), "");
        File.WriteAllText(run.model_path("no-decoder-z"), "");

        var error = Assert.Throws<FileNotFoundException>(() => RunFolder.resolve(run.id, Experiments).model_file());

        Assert.Contains("has no model 'model'", error.Message);
        Assert.Contains("it has full, no-decoder-z", error.Message);
    }

    [Fact]
    public void AFolderOutsideTheExperimentsRunsIsRefused()
    {
        MakeRun("conv-vae", "20250101-120000-a1b2c3");
        var outside = Directory.CreateDirectory(Path.Combine(root, "elsewhere", "20250101-120000-a1b2c3")).FullName;
        var climbing = Path.Combine(Experiments, "conv-vae", "runs", "..", "..", "..", "elsewhere", "20250101-120000-a1b2c3");
        var link = Path.Combine(Experiments, "conv-vae", "runs", "20250101-130000-d4e5f6");
        Directory.CreateSymbolicLink(link, outside);

        foreach (var path in new[] { outside, climbing, link, Path.Combine(Experiments, "conv-vae") })
        {
            var error = Assert.Throws<ArgumentException>(() => RunFolder.resolve(path, Experiments));
            Assert.Contains($"is not a run folder: runs are {Experiments}/<notebook>/runs/<run id>/", error.Message);
        }
    }

    [Fact]
    public void AnUnknownRunIdOrPathIsRefusedNamingIt()
    {
        Directory.CreateDirectory(Experiments);

        var id = Assert.Throws<DirectoryNotFoundException>(() => RunFolder.resolve("20250101-120000-ffffff", Experiments));
        var neither = Assert.Throws<ArgumentException>(() => RunFolder.resolve("../../etc", Experiments));
        var file = Assert.Throws<FileNotFoundException>(() => RunFolder.resolve("missing.pth", Experiments));

        Assert.Contains($"no run 20250101-120000-ffffff in {Experiments}", id.Message);
        Assert.Contains("'../../etc' is neither a run id, a run folder, nor a .safetensors or .pth file", neither.Message);
        Assert.Contains("missing.pth: no such weights file", file.Message);
    }

    [Fact]
    public void TheExperimentsFolderIsTheNearestAtOrAboveTheStart()
    {
        var notebooks = Directory.CreateDirectory(Path.Combine(root, "notebooks", "deeper")).FullName;
        Directory.CreateDirectory(Experiments);

        Assert.Equal(Experiments, RunFolder.experiments_folder(notebooks));
        Assert.Equal(Experiments, RunFolder.experiments_folder(root));
    }

    [Fact]
    public void NewIdsSortByTimeAndDiffer()
    {
        var ids = Enumerable.Range(0, 20).Select(_ => RunFolder.new_id()).ToList();

        Assert.All(ids, id => Assert.True(RunFolder.is_run_id(id), id));
        Assert.Equal(ids.Count, ids.Distinct().Count());
        Assert.StartsWith(DateTime.Now.ToString("yyyyMMdd"), ids[0]);
    }
}
