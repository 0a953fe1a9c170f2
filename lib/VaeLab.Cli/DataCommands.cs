using System.CommandLine;
using System.Formats.Tar;
using Spectre.Console;
using VaeLab.Data;

namespace VaeLab.Cli;

/// <summary>
/// <c>vaelab data get</c> downloads public datasets into a cache folder (resumably, skipping complete files) and
/// <c>vaelab data inspect</c> tells what a data file holds. Exit codes: 0 done, 1 a failed download or an unreadable
/// file, 2 bad usage.
/// </summary>
static class DataCommands
{
    /// <summary>Overrides every dataset's root URL, e.g. to point the downloads at a mirror (or at a test server).</summary>
    public const string BaseUrlVariable = "VAELAB_DATA_URL";

    static readonly HttpClient Http = new() { Timeout = TimeSpan.FromSeconds(60) };

    public static Command Create(IAnsiConsole console, TextWriter error) => new("data", "Download datasets and inspect data files")
    {
        Get(console, error),
        Inspect(console, error),
    };

    static Command Get(IAnsiConsole console, TextWriter error)
    {
        var names = DataSources.Images.Keys.Prepend("quickdraw").Concat(DataSources.Manual.Keys).ToArray();
        var dataset = new Argument<string>("dataset") { Description = $"One of {string.Join(", ", names)}" };
        dataset.AcceptOnlyFromAmong(names);
        var categories = new Option<string>("--categories") { Description = "QuickDraw categories, comma-separated (e.g. cat,sun)" };
        var format = new Option<string>("--format")
        {
            Description = $"QuickDraw format: {string.Join(", ", DataSources.QuickDrawFormats.Keys)}",
            DefaultValueFactory = _ => "simplified",
        };
        format.AcceptOnlyFromAmong([.. DataSources.QuickDrawFormats.Keys]);
        var dir = new Option<string>("--dir") { Description = "Cache folder", DefaultValueFactory = _ => "data" };
        var baseUrl = new Option<string?>("--base-url") { Description = $"Root URL replacing the dataset's own (default: ${BaseUrlVariable} when set)" };

        var command = new Command("get", "Download a dataset into the cache folder (data/<dataset>/...), resuming partial files")
        {
            dataset, categories, format, dir, baseUrl,
        };
        command.SetAction(async (result, cancel) =>
        {
            var name = result.GetValue(dataset)!;
            if (DataSources.Manual.TryGetValue(name, out var instructions))
            {
                console.WriteLine(instructions);
                return 0;
            }
            DataSource source;
            try
            {
                source = name == "quickdraw"
                    ? DataSources.QuickDraw(SplitList(result.GetValue(categories)), result.GetValue(format)!)
                    : DataSources.Images[name];
            }
            catch (ArgumentException e)
            {
                error.WriteLine($"vaelab data get: {e.Message}");
                return 2;
            }
            var root = result.GetValue(baseUrl) ?? Environment.GetEnvironmentVariable(BaseUrlVariable);
            if (root is not null) source = source with { Root = root };
            return await Download(source, result.GetValue(dir)!, console, error, cancel);
        });
        return command;
    }

    static IReadOnlyList<string> SplitList(string? list)
    {
        var items = (list ?? "").Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        var bad = items.FirstOrDefault(c => c.IndexOfAny(['/', '\\']) >= 0 || c is "." or "..");
        return bad is null ? items : throw new ArgumentException($"--categories: '{bad}' is not a category name", nameof(list));
    }

    /// <summary>Fetches every file of <paramref name="source"/> under <paramref name="folder"/>, then unpacks archives; 1 when any failed.</summary>
    public static async Task<int> Download(DataSource source, string folder, IAnsiConsole console, TextWriter error, CancellationToken cancel = default)
    {
        if (!Uri.TryCreate(source.Root.EndsWith('/') ? source.Root : source.Root + "/", UriKind.Absolute, out var root) || root.Scheme is not ("http" or "https"))
        {
            error.WriteLine($"vaelab data get: '{source.Root}' is not an http(s) URL");
            return 2;
        }
        var downloader = new Downloader(Http);
        var failed = 0;
        await console.Progress()
            .Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new DownloadedColumn(), new TransferSpeedColumn())
            .StartAsync(async context =>
            {
                foreach (var file in source.Files)
                {
                    var path = Path.Combine(folder, file.Local);
                    var task = context.AddTask(Markup.Escape(file.Local), maxValue: 1);
                    try
                    {
                        var outcome = await downloader.FetchAsync(new Uri(root, file.Remote), path, (done, total) =>
                        {
                            task.MaxValue = total ?? Math.Max(done, 1);
                            task.Value = done;
                        }, cancel, file.Md5);
                        if (outcome == Downloader.Outcome.AlreadyComplete) task.Description = Markup.Escape($"{file.Local} (cached)");
                        task.Value = task.MaxValue;
                    }
                    catch (DownloadException e)
                    {
                        task.StopTask();
                        error.WriteLine($"vaelab data get: {e.Message}");
                        failed++;
                    }
                }
            });
        if (failed == 0 && source.Unpacks is { } unpacked)
        {
            var target = Path.Combine(folder, source.Name);
            if (!Directory.Exists(Path.Combine(target, unpacked)))
            {
                foreach (var archive in source.Files.Select(f => Path.Combine(folder, f.Local)))
                {
                    try { await Unpack(archive, target, cancel); }
                    catch (Exception e) when (e is IOException or InvalidDataException or UnauthorizedAccessException or DataFormatException)
                    {
                        error.WriteLine($"vaelab data get: {archive} does not unpack: {e.Message.ReplaceLineEndings(" ")}; delete it to download it again");
                        return 1;
                    }
                }
                console.WriteLine($"unpacked into {Path.Combine(target, unpacked)}");
            }
        }
        console.WriteLine(failed == 0
            ? $"{source.Name}: {source.Files.Count} file(s) in {Path.Combine(folder, source.Name)}"
            : $"{source.Name}: {failed} of {source.Files.Count} file(s) failed; run again to resume");
        return failed == 0 ? 0 : 1;
    }

    // Unpacks into a temporary folder first, so that an interrupted run does not leave a half-filled folder that looks
    // done; a failed one (a corrupt archive, an entry reaching outside the folder, which .NET refuses) removes it.
    static async Task Unpack(string archive, string target, CancellationToken cancel)
    {
        var temporary = target + ".unpacking";
        if (Directory.Exists(temporary)) Directory.Delete(temporary, recursive: true);
        Directory.CreateDirectory(temporary);
        try
        {
            await using (var gzip = DataFile.OpenRead(archive))
                await TarFile.ExtractToDirectoryAsync(gzip, temporary, overwriteFiles: true, cancel);
            foreach (var entry in Directory.EnumerateFileSystemEntries(temporary))
            {
                var destination = Path.Combine(target, Path.GetFileName(entry));
                if (Directory.Exists(destination)) Directory.Delete(destination, recursive: true);
                Directory.Move(entry, destination);
            }
        }
        finally
        {
            Directory.Delete(temporary, recursive: true);
        }
    }

    static Command Inspect(IAnsiConsole console, TextWriter error)
    {
        var path = new Argument<string>("path") { Description = "A data file: QuickDraw ndjson/.bin/.npy/.npz, IDX, CIFAR binary, .npy (gzipped or not)" };
        var command = new Command("inspect", "Detect a data file's format from its content and summarise what it holds") { path };
        command.SetAction(result =>
        {
            var file = result.GetValue(path)!;
            if (!File.Exists(file))
            {
                error.WriteLine($"vaelab data inspect: {file} " + (Directory.Exists(file) ? "is a folder: give one of its files" : "does not exist"));
                return 2;
            }
            try
            {
                var inspection = DataInspector.Inspect(file);
                console.WriteLine(file);
                foreach (var (key, value) in inspection.Lines()) console.WriteLine($"  {key,-10} {value}");
                return 0;
            }
            catch (Exception e) when (e is IOException or DataFormatException or UnauthorizedAccessException or InvalidDataException)
            {
                error.WriteLine($"vaelab data inspect: {e.Message}");
                return 1;
            }
        });
        return command;
    }
}
