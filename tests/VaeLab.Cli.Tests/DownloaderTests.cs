using System.Formats.Tar;
using System.IO.Compression;
using System.Net.Sockets;
using System.Net;
using Spectre.Console;

namespace VaeLab.Cli.Tests;

public sealed class DownloaderTests : IDisposable
{
    readonly LoopbackServer server = new();
    readonly string folder = Directory.CreateTempSubdirectory("vaelab-download-").FullName;
    readonly byte[] content = new byte[300_000];
    readonly Downloader downloader = new(new HttpClient());

    public DownloaderTests()
    {
        new Random(7).NextBytes(content);
        server.Files["full/binary/cat.bin"] = content;
    }

    public void Dispose()
    {
        server.Dispose();
        Directory.Delete(folder, recursive: true);
    }

    Uri Url => new(server.Root, "full/binary/cat.bin");
    string Target => Path.Combine(folder, "cat.bin");

    [Fact]
    public async Task DownloadsTheWholeFileOnceAndThenFindsItComplete()
    {
        var reports = new List<(long, long?)>();
        Assert.Equal(Downloader.Outcome.Downloaded, await downloader.FetchAsync(Url, Target, (done, total) => reports.Add((done, total))));
        Assert.Equal(content, File.ReadAllBytes(Target));
        Assert.False(File.Exists(Target + ".part"));
        Assert.Equal((content.Length, content.Length), reports[^1]);

        Assert.Equal(Downloader.Outcome.AlreadyComplete, await downloader.FetchAsync(Url, Target));
        Assert.Single(server.Requests);
    }

    [Fact]
    public async Task ResumesATruncatedPartFileWithARangeRequest()
    {
        File.WriteAllBytes(Target + ".part", content[..1000]);
        Assert.Equal(Downloader.Outcome.Resumed, await downloader.FetchAsync(Url, Target));
        Assert.Equal(["full/binary/cat.bin bytes=1000-"], server.Requests);
        Assert.Equal(content, File.ReadAllBytes(Target));
    }

    [Fact]
    public async Task RestartsCleanlyWhenTheServerIgnoresRange()
    {
        server.HonourRange = false;
        File.WriteAllBytes(Target + ".part", new byte[1000]); // wrong bytes: must not survive
        Assert.Equal(Downloader.Outcome.Downloaded, await downloader.FetchAsync(Url, Target));
        Assert.Equal(content, File.ReadAllBytes(Target));
    }

    [Fact]
    public async Task RestartsWhenThePartFileIsLongerThanTheFile()
    {
        File.WriteAllBytes(Target + ".part", new byte[content.Length + 10]);
        await downloader.FetchAsync(Url, Target);
        Assert.Equal(content, File.ReadAllBytes(Target));
    }

    [Fact]
    public async Task AMissingFileFailsWithItsStatusAndUrl()
    {
        var url = new Uri(server.Root, "full/binary/nothing.bin");
        var e = await Assert.ThrowsAsync<DownloadException>(() => downloader.FetchAsync(url, Target));
        Assert.Contains("HTTP 404", e.Message);
        Assert.Contains(url.ToString(), e.Message);
        Assert.False(File.Exists(Target));
    }

    [Fact]
    public async Task AShortTransferKeepsThePartFileAndTheNextRunCompletesIt()
    {
        server.CutAfter = 100_000;
        var e = await Assert.ThrowsAsync<DownloadException>(() => downloader.FetchAsync(Url, Target));
        Assert.Contains(Url.ToString(), e.Message);
        Assert.False(File.Exists(Target));
        Assert.Equal(content[..100_000], File.ReadAllBytes(Target + ".part"));

        server.CutAfter = null;
        Assert.Equal(Downloader.Outcome.Resumed, await downloader.FetchAsync(Url, Target));
        Assert.Equal(content, File.ReadAllBytes(Target));
    }

    [Fact]
    public async Task ARefusedConnectionIsANetworkFailureNamingTheUrl()
    {
        var closed = new TcpListener(IPAddress.Loopback, 0);
        closed.Start();
        var port = ((IPEndPoint)closed.LocalEndpoint).Port;
        closed.Stop();
        var url = new Uri($"http://127.0.0.1:{port}/x.bin");
        var e = await Assert.ThrowsAsync<DownloadException>(() => downloader.FetchAsync(url, Target));
        Assert.Contains("network failure", e.Message);
        Assert.Contains(url.ToString(), e.Message);
    }

    [Fact]
    public async Task DataGetQuickdrawFetchesEachCategoryIntoTheCache()
    {
        server.Files["full/binary/sun.bin"] = content[..5000];
        var (code, output, _) = await Run("data", "get", "quickdraw", "--categories", "cat,sun", "--format", "bin",
            "--dir", folder, "--base-url", server.Root.ToString());
        Assert.Equal(0, code);
        Assert.Equal(content, File.ReadAllBytes(Path.Combine(folder, "quickdraw", "bin", "cat.bin")));
        Assert.Equal(content[..5000], File.ReadAllBytes(Path.Combine(folder, "quickdraw", "bin", "sun.bin")));
        Assert.Equal(["full/binary/cat.bin", "full/binary/sun.bin"], server.Requests.Order());

        // Everything is cached: a second run asks nothing.
        Assert.Equal(0, (await Run("data", "get", "quickdraw", "--categories", "cat,sun", "--format", "bin", "--dir", folder,
            "--base-url", server.Root.ToString())).Code);
        Assert.Equal(2, server.Requests.Count);
    }

    [Fact]
    public async Task DataGetReportsAMissingCategoryAndExits1()
    {
        var (code, _, error) = await Run("data", "get", "quickdraw", "--categories", "unicorn", "--format", "npz",
            "--dir", folder, "--base-url", server.Root.ToString());
        Assert.Equal(1, code);
        Assert.Contains("HTTP 404", error);
        Assert.Contains(server.Root + "sketchrnn/unicorn.npz", error);
    }

    [Fact]
    public async Task DataGetCifar10UnpacksTheArchive()
    {
        var archive = new MemoryStream();
        using (var gzip = new GZipStream(archive, CompressionLevel.Fastest, leaveOpen: true))
        using (var tar = new TarWriter(gzip))
            tar.WriteEntry(new PaxTarEntry(TarEntryType.RegularFile, "cifar-10-batches-bin/test_batch.bin") { DataStream = new MemoryStream(content[..3073]) });
        server.Files["cifar-10-binary.tar.gz"] = archive.ToArray();

        Assert.Equal(0, (await Download(WithoutChecksums(DataSources.Images["cifar-10"]) with { Root = server.Root.ToString() }, folder)).Code);
        Assert.Equal(content[..3073], File.ReadAllBytes(Path.Combine(folder, "cifar-10", "cifar-10-batches-bin", "test_batch.bin")));
    }

    [Fact]
    public async Task DataGetRejectsAnUnknownFormatAsBadUsage()
    {
        Assert.Equal(2, (await Run("data", "get", "quickdraw", "--categories", "cat", "--format", "svg", "--dir", folder)).Code);
        Assert.Empty(server.Requests);
    }

    internal static async Task<(int Code, string Output, string Error)> Run(params string[] args)
    {
        var (output, error, console) = Console();
        var root = new System.CommandLine.RootCommand { DataCommands.Create(console, error) };
        var parsed = root.Parse(args);
        var code = parsed.Errors.Count > 0 ? 2 : await parsed.InvokeAsync();
        return (code, output.ToString(), error.ToString());
    }

    /// <summary>What `vaelab data get` does for a dataset, for sources the command line cannot name.</summary>
    internal static async Task<(int Code, string Output, string Error)> Download(DataSource source, string folder)
    {
        var (output, error, console) = Console();
        var code = await DataCommands.Download(source, folder, console, error);
        return (code, output.ToString(), error.ToString());
    }

    /// <summary>A dataset as a mirror without published checksums would serve it: what tests serve is not the real file.</summary>
    internal static DataSource WithoutChecksums(DataSource source) => source with { Files = [.. source.Files.Select(f => f with { Md5 = null })] };

    static (StringWriter Output, StringWriter Error, IAnsiConsole Console) Console()
    {
        var output = new StringWriter();
        var console = AnsiConsole.Create(new AnsiConsoleSettings
        {
            Ansi = AnsiSupport.No,
            Interactive = InteractionSupport.No,
            Out = new AnsiConsoleOutput(output),
        });
        return (output, new StringWriter(), console);
    }
}
