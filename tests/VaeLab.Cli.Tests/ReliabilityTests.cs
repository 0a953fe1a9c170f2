using System.Diagnostics;
using System.IO.Compression;
using System.Security.Cryptography;
using TorchSharp;
using static TorchSharp.torch;

namespace VaeLab.Cli.Tests;

/// <summary>
/// Issue 12's failures, each as it was met: files that crashed the process are read by `vaelab` in a child process
/// (under a 1 GiB heap limit, as in a small container), and every failure is one line naming what and where, with
/// exit code 1 for bad data and 2 for bad usage. The hostile files are tests/fixtures/data/hostile (gen_hostile.py).
/// </summary>
[Collection(NotebookCommands.Name)]
public sealed class ReliabilityTests : IDisposable
{
    static readonly string Hostile = Path.Combine(TestRepository.Root, "tests", "fixtures", "data", "hostile");
    readonly string folder = Directory.CreateTempSubdirectory("vaelab-reliability-").FullName;
    readonly LoopbackServer server = new();

    public void Dispose()
    {
        server.Dispose();
        Directory.Delete(folder, recursive: true);
    }

    /// <summary>The built `vaelab` in a process of its own, where a stack overflow or an allocation failure cannot take the tests down.</summary>
    static readonly Dictionary<string, string> SmallHeap = new() { ["DOTNET_GCHeapHardLimit"] = "0x40000000" };

    static Process StartChild(params string[] args) => VaelabChild.Start(SmallHeap, args);

    static Task<Invocation> RunChild(params string[] args) => VaelabChild.Run(SmallHeap, args);

    /// <summary>One line, no stack trace.</summary>
    static void AssertOneLine(string error)
    {
        Assert.Single(error.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.DoesNotContain("   at ", error);
    }

    [Theory]
    [InlineData("nested_header.npz", "/train.npy: header: tuples or lists nest deeper than 8 levels")]
    [InlineData("nested_header.npy", ": header: tuples or lists nest deeper than 8 levels")]
    [InlineData("claims_2gb-images-idx3-ubyte.gz", ": record 0: the file ends inside record 0")]
    [InlineData("directory_claims_2gb.npz", ": train.npy: the entry inflates to")]
    public async Task DataInspectRefusesAHostileFileInOneLineAndLives(string name, string expected)
    {
        var path = Path.Combine(Hostile, name);
        var (code, _, error) = await RunChild("data", "inspect", path);
        Assert.True(code == 1, $"exit code {code}: {error}");
        Assert.StartsWith($"vaelab data inspect: {path}{expected}", error);
        AssertOneLine(error);
    }

    [Fact]
    public async Task AReportWithAMarkdownCellNesting10000QuotesIsWritten()
    {
        using var repo = new TempRepository();
        var notebook = repo.AddNotebook("quotes", "# Deep\n" + new string('>', 10_000) + " the bottom");
        var html = Path.Combine(folder, "quotes.html");
        var (code, _, error) = await RunChild("run", notebook, "--html", html, "--ipynb", Path.Combine(folder, "quotes.ipynb"));
        Assert.True(code == 0, $"exit code {code}: {error}");
        Assert.Contains("the bottom", File.ReadAllText(html));
    }

    [Fact]
    public async Task DataInspectOnAFolderOrAMissingFileSaysSo()
    {
        var onFolder = await Vaelab.Run("data", "inspect", folder);
        Assert.Equal(2, onFolder.ExitCode);
        Assert.Equal($"vaelab data inspect: {folder} is a folder: give one of its files", onFolder.Error.Trim());
        var missing = Path.Combine(folder, "nothing.npy");
        Assert.Equal($"vaelab data inspect: {missing} does not exist", (await Vaelab.Run("data", "inspect", missing)).Error.Trim());
    }

    [Fact]
    public async Task UsageErrorsPointAtTheHelpOfTheCommandAsTyped()
    {
        var result = await Vaelab.Run("data", "get");
        Assert.Equal(2, result.ExitCode);
        Assert.EndsWith("see: vaelab data get --help", result.Error.Trim());
    }

    [Fact]
    public async Task AnUnexpectedFailureIsOneLineAndVerboseShowsWhere()
    {
        // The cache folder is a file: creating folders in it fails in a way no command handles itself.
        var file = Path.Combine(folder, "file");
        File.WriteAllText(file, "");
        var quiet = await Vaelab.Run("data", "get", "mnist", "--dir", file, "--base-url", server.Root.ToString());
        Assert.Equal(1, quiet.ExitCode);
        Assert.StartsWith("vaelab data get: ", quiet.Error);
        AssertOneLine(quiet.Error);
        var verbose = await Vaelab.Run("data", "get", "mnist", "--dir", file, "--base-url", server.Root.ToString(), "--verbose");
        Assert.Equal(1, verbose.ExitCode);
        Assert.Contains("   at ", verbose.Error);
    }

    [Fact]
    public async Task APresetNamingAnUnknownParameterIsNamedAsTheCulprit()
    {
        using var repo = new TempRepository();
        var notebook = repo.AddNotebook("params", "//parameters\nint n = 1;", "System.Console.WriteLine(n);");
        repo.AddPreset("params", "typo", """{ "m": 5 }""");
        var result = await Vaelab.Run("run", notebook, "--preset", "typo");
        Assert.Equal(2, result.ExitCode);
        var preset = Path.Combine(repo.Root, "experiments", "params", "typo.json");
        Assert.StartsWith($"vaelab run: preset 'typo' ({preset}): unknown parameter 'm'; the parameters cell declares n", result.Error);
    }

    [Fact]
    public async Task APageServedInPlaceOfAGzFileIsNotKept()
    {
        var page = "<!DOCTYPE html><title>Moved</title>"u8.ToArray();
        server.Files["x.gz"] = page;
        var target = Path.Combine(folder, "x.gz");
        var downloader = new Downloader(new HttpClient());
        var e = await Assert.ThrowsAsync<DownloadException>(() => downloader.FetchAsync(new Uri(server.Root, "x.gz"), target));
        Assert.Contains("not gzip data", e.Message);
        Assert.False(File.Exists(target) || File.Exists(target + ".part"));

        // A gzip stream cut short (its trailer lost) does not count either; the whole one does.
        var gzip = new MemoryStream();
        using (var writer = new GZipStream(gzip, CompressionLevel.Fastest, leaveOpen: true)) writer.Write(new byte[10_000]);
        server.Files["x.gz"] = gzip.ToArray()[..^8];
        Assert.Contains("does not inflate", (await Assert.ThrowsAsync<DownloadException>(() => downloader.FetchAsync(new Uri(server.Root, "x.gz"), target))).Message);
        server.Files["x.gz"] = gzip.ToArray();
        Assert.Equal(Downloader.Outcome.Downloaded, await downloader.FetchAsync(new Uri(server.Root, "x.gz"), target));
    }

    [Fact]
    public async Task AFileWhoseMd5IsNotThePublishedOneIsNotKept()
    {
        // MNIST's files have published MD5s; what this server sends under their names does not match them.
        server.Files["train-images-idx3-ubyte.gz"] = File.ReadAllBytes(Path.Combine(Hostile, "claims_2gb-images-idx3-ubyte.gz"));
        var result = await Vaelab.Run("data", "get", "mnist", "--dir", folder, "--base-url", server.Root.ToString());
        Assert.Equal(1, result.ExitCode);
        Assert.Contains("its MD5 is", result.Error);
        Assert.Contains("not the published f68b3c2dcbeaaa9fbdd348bbdeb94873", result.Error);
        Assert.Empty(Directory.GetFiles(folder, "*", SearchOption.AllDirectories));

        // Google Cloud Storage gives the MD5 in x-goog-hash: QuickDraw's files are checked against it.
        var content = new byte[5000];
        server.Files["full/binary/cat.bin"] = content;
        server.Headers["full/binary/cat.bin"] = ["x-goog-hash: crc32c=AAAAAA==", $"x-goog-hash: md5={Convert.ToBase64String(MD5.HashData(new byte[1]))}"];
        var quickdraw = await Vaelab.Run("data", "get", "quickdraw", "--categories", "cat", "--format", "bin", "--dir", folder, "--base-url", server.Root.ToString());
        Assert.Equal(1, quickdraw.ExitCode);
        Assert.Contains("its MD5 is", quickdraw.Error);
        server.Headers["full/binary/cat.bin"] = [$"x-goog-hash: md5={Convert.ToBase64String(MD5.HashData(content))}"];
        Assert.Equal(0, (await Vaelab.Run("data", "get", "quickdraw", "--categories", "cat", "--format", "bin", "--dir", folder, "--base-url", server.Root.ToString())).ExitCode);
    }

    [Theory]
    [InlineData("parent_entry.tar.gz")]
    [InlineData("absolute_entry.tar.gz")]
    public async Task AnArchiveWithEntriesOutsideItsFolderFailsInOneLineAndLeavesNothing(string name)
    {
        server.Files["cifar-10-binary.tar.gz"] = File.ReadAllBytes(Path.Combine(Hostile, name));
        // The published MD5 would refuse this archive before unpacking; a mirror without one is what is tested here.
        var (code, _, error) = await DownloaderTests.Download(DownloaderTests.WithoutChecksums(DataSources.Images["cifar-10"]) with { Root = server.Root.ToString() }, folder);
        Assert.Equal(1, code);
        Assert.StartsWith($"vaelab data get: {Path.Combine(folder, "cifar-10", "cifar-10-binary.tar.gz")} does not unpack: ", error);
        AssertOneLine(error);
        Assert.Equal(["cifar-10-binary.tar.gz"], Directory.GetFileSystemEntries(Path.Combine(folder, "cifar-10")).Select(Path.GetFileName));
        Assert.False(File.Exists(Path.Combine(folder, "escaped.bin")) || File.Exists("/tmp/vaelab-escaped.bin"));
    }

    [Fact]
    public async Task TrainingKilledAtRandomMomentsLeavesACheckpointThatLoadsAndResumes()
    {
        using var repo = new TempRepository();
        var checkpoint = Path.Combine(folder, "run.safetensors");
        // Saves after every step, for ever, resuming from the checkpoint when there is one.
        var notebook = repo.AddNotebook("train", TempRepository.ReferenceVaeLab + $$"""

            using TorchSharp;
            using static TorchSharp.torch;
            using VaeLab.Training;
            manual_seed(0);
            var model = nn.Sequential(("layer", nn.Linear(8, 8)));
            var optimizer = optim.Adam(model.parameters(), lr: 1e-3);
            var x = randn(16, 8);
            var trainer = new Trainer<Tensor>(model, [optimizer], (batch, _) =>
            {
                var loss = (model.call(batch) - batch).square().mean();
                loss.backward();
                return new Dictionary<string, Tensor> { ["loss"] = loss };
            }) { options = new TrainerOptions { epochs = 1_000_000, checkpoint_path = @"{{checkpoint}}", checkpoint_every = 1, handle_ctrl_c = false } };
            if (System.IO.File.Exists(@"{{checkpoint}}")) trainer.load_checkpoint(@"{{checkpoint}}");
            trainer.fit(Enumerable.Repeat(x, 10));
            """);
        var random = new Random(12);
        long reached = 0;
        for (var kill = 0; kill < 3; kill++)
        {
            using (var child = StartChild("run", notebook, "--html", Path.Combine(folder, "train.html"), "--ipynb", Path.Combine(folder, "train.ipynb")))
            {
                var started = File.Exists(checkpoint) ? File.GetLastWriteTimeUtc(checkpoint) : DateTime.MinValue;
                while (!child.HasExited && (!File.Exists(checkpoint) || File.GetLastWriteTimeUtc(checkpoint) == started)) await Task.Delay(20);
                await Task.Delay(random.Next(200, 1500));
                if (child.HasExited) Assert.Fail($"the run ended by itself: {await child.StandardError.ReadToEndAsync()}");
                child.Kill(entireProcessTree: true);
                await child.WaitForExitAsync();
            }

            manual_seed(1);
            using var model = nn.Sequential(("layer", nn.Linear(8, 8)));
            using var optimizer = optim.Adam(model.parameters(), lr: 1e-3);
            var contents = VaeLab.Training.Checkpoint.load(checkpoint, model, [optimizer], []);
            Assert.Equal(Enumerable.Range(0, (int)contents.position.step).Select(i => (long)i), contents.history.steps.Select(s => s.step));
            Assert.True(contents.position.step > reached, $"after kill {kill} the run is at step {contents.position.step}, not past {reached}");
            reached = contents.position.step;
            Assert.Empty(Directory.GetFiles(folder, ".run.safetensors.*.tmp"));
        }
    }
}
