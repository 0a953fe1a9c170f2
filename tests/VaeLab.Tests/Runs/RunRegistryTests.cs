using System.Diagnostics;
using Microsoft.Data.Sqlite;
using VaeLab.Tests.Torch;

namespace VaeLab.Tests.Runs;

public sealed class RunRegistryTests : IDisposable
{
    readonly string folder = Directory.CreateTempSubdirectory("vaelab-registry-").FullName;

    public void Dispose() => Directory.Delete(folder, recursive: true);

    string Db => Path.Combine(folder, RunRegistry.FileName);

    internal static RunRecord Record(string id, int? pid = null, RunStatus status = RunStatus.Running, string notebook = "conv-vae") =>
        new(id, notebook, $"{notebook}/runs/{id}", """{"epochs":2}""", "abc123", false, """{"torchsharp":"0.107.0"}""", "cpu", 2, status,
            pid ?? Environment.ProcessId, Environment.MachineName, DateTimeOffset.Now);

    /// <summary>The writes a child process makes in <see cref="ConcurrentProcessesLoseNoWrite"/>.</summary>
    internal static void WriteMetrics(string db, string run, int count)
    {
        var registry = new RunRegistry(db);
        for (var epoch = 0; epoch < count; epoch++)
            registry.add_metrics(run, epoch, [KeyValuePair.Create("train.loss", 1.0 / (epoch + 1))]);
    }

    [Fact]
    public void ARunReadsBackAsItWasAddedWithItsMetricsDataFilesAndArtifacts()
    {
        var registry = new RunRegistry(Db);
        var record = Record("20250101-120000-00aa11");
        registry.add(record);
        registry.add_metrics(record.id, 0, [KeyValuePair.Create("train.loss", 2.0), KeyValuePair.Create("valid.loss", 2.5)]);
        registry.add_metrics(record.id, 0, [KeyValuePair.Create("train.loss", 1.5)]);
        registry.add_metrics(record.id, null, [KeyValuePair.Create("test_mse", 0.25)]);
        registry.add_data_file(record.id, "/data/train.bin", "ff00");
        registry.add_artifact(record.id, "model", "models/model.safetensors");
        Assert.True(registry.end(record.id, RunStatus.Finished, record.started.AddMinutes(1)));
        Assert.False(registry.end(record.id, RunStatus.Interrupted, record.started.AddMinutes(2)));

        var read = new RunRegistry(Db).get(record.id)!;

        Assert.Equal(record with { status = RunStatus.Finished, ended = record.started.AddMinutes(1) }, read);
        Assert.Equal([new RunMetric(null, "test_mse", 0.25), new RunMetric(0, "train.loss", 1.5), new RunMetric(0, "valid.loss", 2.5)], registry.metrics(record.id));
        Assert.Equal([new RunDataFile("/data/train.bin", "ff00")], registry.data_files(record.id));
        Assert.Equal([new RunArtifact("model", "models/model.safetensors")], registry.artifacts(record.id));

        registry.remove(record.id);
        Assert.Null(registry.get(record.id));
        Assert.Empty(registry.metrics(record.id));
    }

    [Fact]
    public void ManyThreadsWritingAtOnceLoseNothing()
    {
        var registry = new RunRegistry(Db);
        var ids = Enumerable.Range(0, 8).Select(i => $"20250101-120000-0000{i:x2}").ToList();
        foreach (var id in ids) registry.add(Record(id));

        // A registry per thread, and each call its own connection: every write contends for the database's one lock.
        Parallel.ForEach(ids, new ParallelOptions { MaxDegreeOfParallelism = ids.Count }, id =>
        {
            var own = new RunRegistry(Db);
            for (var epoch = 0; epoch < 25; epoch++)
            {
                own.add_metrics(id, epoch, [KeyValuePair.Create("train.loss", (double)epoch)]);
                own.add_artifact(id, "figure", $"figures/{epoch}.svg");
            }
        });

        Assert.All(ids, id => Assert.Equal(25, registry.metrics(id).Count));
        Assert.All(ids, id => Assert.Equal(25, registry.artifacts(id).Count));
    }

    [Fact]
    public async Task ConcurrentProcessesLoseNoWrite()
    {
        var registry = new RunRegistry(Db);
        string[] ids = ["20250101-120000-00bb01", "20250101-120000-00bb02"];
        foreach (var id in ids) registry.add(Record(id));

        var children = ids.Select(id => Task.Run(() => TestProcess.Run(new Dictionary<string, string?>(), "registry-writes", Db, id, "150"))).ToArray();
        await Task.WhenAll(children);

        Assert.All(children, c => Assert.True(c.Result.exit_code == 0, c.Result.stderr));
        Assert.All(ids, id => Assert.Equal(150, registry.metrics(id).Count));
    }

    [Fact]
    public void ARunningRunWhoseProcessIsGoneIsMarkedInterruptedByTheNextOpen()
    {
        using var ended = Process.Start(new ProcessStartInfo("true"))!;
        ended.WaitForExit();
        var registry = new RunRegistry(Db);
        registry.add(Record("20250101-120000-00cc01", pid: ended.Id));
        registry.add(Record("20250101-120000-00cc02")); // this process: alive
        registry.add(Record("20250101-120000-00cc03", pid: ended.Id) with { host = "another-machine" });

        var reopened = new RunRegistry(Db);

        var stale = reopened.get("20250101-120000-00cc01")!;
        Assert.Equal(RunStatus.Interrupted, stale.status);
        Assert.NotNull(stale.ended);
        Assert.Contains($"process {ended.Id} ended", stale.message);
        Assert.Equal(RunStatus.Running, reopened.get("20250101-120000-00cc02")!.status);
        Assert.Equal(RunStatus.Running, reopened.get("20250101-120000-00cc03")!.status);
    }

    [Fact]
    public void ACorruptDatabaseIsReportedNamingTheFile()
    {
        File.WriteAllBytes(Db, Enumerable.Range(0, 4096).Select(i => (byte)(i * 7)).ToArray());

        var error = Assert.Throws<RunRegistryException>(() => new RunRegistry(Db));

        Assert.StartsWith($"{Db}: not a readable SQLite database", error.Message);
        Assert.Contains("move it aside", error.Message);
    }

    [Fact]
    public void ALockedDatabaseIsReportedNamingTheFileAfterTheTimeout()
    {
        var registry = new RunRegistry(Db, TimeSpan.FromSeconds(1));
        using var holder = new SqliteConnection($"Data Source={Db};Pooling=False");
        holder.Open();
        using var transaction = holder.BeginTransaction(deferred: false);

        var clock = Stopwatch.StartNew();
        var error = Assert.Throws<RunRegistryException>(() => registry.add(Record("20250101-120000-00dd01")));

        Assert.Equal($"{Db}: locked by another process for over 1 s; try again when it is done", error.Message);
        Assert.InRange(clock.Elapsed.TotalSeconds, 0.9, 10);
    }
}
