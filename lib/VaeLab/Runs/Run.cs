using System.Diagnostics;
using System.Runtime.InteropServices;
using System.Security.Cryptography;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization;
using TorchSharp;
using VaeLab.Training;
using static TorchSharp.torch;

namespace VaeLab.Runs;

/// <summary>
/// A notebook's run: its folder (<see cref="RunFolder"/>) and its row in the registry (<see cref="RunRegistry"/>).
/// <code>
/// var run = Run.start("conv-vae", new { epochs, batch_size, latent_dim, lr, seed }, compute_device);
/// run.data_file(train_images);
/// var trainer = new Trainer&lt;ImageBatch&gt;(...)
/// {
///     options = new() { epochs = epochs, checkpoint_path = run.checkpoint_path, checkpoint_every = 500 },
///     progress = run.track(new EpochLog("loss")),
/// };
/// trainer.fit(...);
/// run.save_model("model", model, config);
/// run.metric("test_mse", test_mse);
/// run.finish();
/// </code>
/// The parameters are what the notebook's parameters cell set, passed as an anonymous object of its variables
/// (<c>new { epochs, lr }</c> names each variable once, and its name becomes the key) or as a dictionary; they go into
/// run.json and the registry as JSON. This works alike in VS Code and under <c>vaelab run</c>, which sets the variables
/// from its presets and -p overrides before the notebook's own cells run.
/// How a run ends: <see cref="finish"/>, or <see cref="fail"/> with the error. A run left unfinished is marked
/// interrupted when the process exits, when the next run of the process starts (a notebook run again from the top
/// after a failed cell), or, after kill -9, by the next registry that opens.
/// </summary>
public sealed class Run
{
    static readonly JsonSerializerOptions Json = new()
    {
        WriteIndented = true,
        Converters = { new JsonStringEnumConverter(JsonNamingPolicy.SnakeCaseLower) },
        NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals,
    };

    static readonly JsonSerializerOptions Line = new() { NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals };

    static readonly object Gate = new();
    static bool exitHandled;

    /// <summary>The run this process started last; null before any.</summary>
    public static Run? current { get; private set; }

    readonly Dictionary<string, string> dataFiles = new();
    readonly Dictionary<string, double> finalMetrics = new();
    bool checkpointRecorded;

    public RunFolder folder { get; }
    public RunRegistry registry { get; }
    public RunRecord record { get; private set; }

    public string id => folder.id;
    public string notebook => folder.notebook;
    public JsonObject parameters => (JsonObject)JsonNode.Parse(record.parameters)!;
    public RunStatus status => record.status;

    /// <summary>Where the trainer checkpoints (TrainerOptions.checkpoint_path): checkpoint.safetensors in the run folder.</summary>
    public string checkpoint_path => folder.checkpoint_path;

    Run(RunFolder folder, RunRegistry registry, RunRecord record)
    {
        this.folder = folder;
        this.registry = registry;
        this.record = record;
    }

    /// <summary>
    /// Starts a run of <paramref name="notebook"/>: makes its folder under the experiments folder (see
    /// <see cref="RunFolder.experiments_folder"/>, or <paramref name="experiments"/>), writes run.json and registers it,
    /// with the git commit and whether the work tree had changes, the versions of TorchSharp, libtorch and .NET, the
    /// device (<paramref name="device"/>, CPU when not given) and libtorch's thread count.
    /// </summary>
    public static Run start(string notebook, object? parameters = null, Device? device = null, string? experiments = null)
    {
        var root = experiments is null ? RunFolder.experiments_folder() : Directory.CreateDirectory(experiments).FullName;
        var registry = RunRegistry.open(root);
        var json = Parameters(parameters);
        lock (Gate)
        {
            try
            {
                current?.End(RunStatus.Interrupted, "a new run started in this process before run.finish()");
            }
            catch (IOException)
            {
                // Its folder or registry has gone (deleted): there is nothing left to mark, and the new run must not fail for it.
            }
            var folder = RunFolder.create(root, notebook, RunFolder.new_id());
            var (commit, dirty) = Git(root);
            using var self = Process.GetCurrentProcess();
            var record = new RunRecord(folder.id, notebook, Path.GetRelativePath(root, folder.path), json.ToJsonString(), commit, dirty,
                Versions().ToJsonString(), (device ?? CPU).ToString(), get_num_threads(), RunStatus.Running, self.Id, Environment.MachineName,
                DateTimeOffset.Now);
            var run = new Run(folder, registry, record);
            run.WriteRunJson();
            registry.add(record);
            current = run;
            if (!exitHandled)
            {
                AppDomain.CurrentDomain.ProcessExit += (_, _) => current?.End(RunStatus.Interrupted, "the process ended before run.finish()");
                exitHandled = true;
            }
            return run;
        }
    }

    /// <summary>Passes the trainer's reports on to <paramref name="then"/> (say, an <see cref="EpochLog"/>), and records each
    /// epoch's losses: a line in history.jsonl and metrics train.&lt;loss&gt;, valid.&lt;loss&gt; and seconds in the registry.</summary>
    public IProgress<TrainingProgress> track(IProgress<TrainingProgress>? then = null) => new Tracker(this, then);

    sealed class Tracker(Run run, IProgress<TrainingProgress>? then) : IProgress<TrainingProgress>
    {
        public void Report(TrainingProgress value)
        {
            if (value is { kind: ProgressKind.Epoch, epoch_record: { } epoch }) run.RecordEpoch(epoch);
            if (value is { kind: ProgressKind.Checkpoint, checkpoint: { } path }) run.RecordCheckpoint(path);
            then?.Report(value);
        }
    }

    void RecordEpoch(EpochRecord epoch)
    {
        File.AppendAllText(folder.history_path, JsonSerializer.Serialize(epoch, Line) + "\n");
        var values = epoch.train.Select(e => KeyValuePair.Create($"train.{e.Key}", e.Value))
            .Concat((epoch.validation ?? new Dictionary<string, double>()).Select(e => KeyValuePair.Create($"valid.{e.Key}", e.Value)))
            .Append(KeyValuePair.Create("seconds", epoch.seconds));
        registry.add_metrics(id, epoch.epoch, values);
    }

    void RecordCheckpoint(string path)
    {
        if (checkpointRecorded) return;
        registry.add_artifact(id, "checkpoint", Relative(path));
        checkpointRecorded = true;
    }

    /// <summary>Saves a trained model as models/&lt;name&gt;.safetensors (see <see cref="SavedModel.save"/>) and records it;
    /// returns its path.</summary>
    public string save_model(string name, nn.Module module, object config, object? normaliser = null)
    {
        if (name.Length == 0 || name.IndexOfAny(Path.GetInvalidFileNameChars()) >= 0 || name is "." or "..")
            throw new ArgumentException($"'{name}' cannot name a model file", nameof(name));
        var path = folder.model_path(name);
        SavedModel.save(path, module, config, normaliser);
        registry.add_artifact(id, "model", Relative(path));
        return path;
    }

    /// <summary>A path in the run's figures/ folder for a figure to be written to, recorded as the run's.</summary>
    public string figure_path(string file_name)
    {
        if (file_name.Length == 0 || file_name.IndexOfAny(Path.GetInvalidFileNameChars()) >= 0)
            throw new ArgumentException($"'{file_name}' cannot name a figure file", nameof(file_name));
        Directory.CreateDirectory(folder.figures_folder);
        var path = Path.Combine(folder.figures_folder, file_name);
        registry.add_artifact(id, "figure", Relative(path));
        return path;
    }

    /// <summary>Records a data file the run reads, with its SHA-256 (returned, as lowercase hex).</summary>
    public string data_file(string path)
    {
        var full = Path.GetFullPath(path);
        if (!File.Exists(full)) throw new FileNotFoundException($"{full}: no such data file", full);
        string sha256;
        using (var stream = File.OpenRead(full)) sha256 = Convert.ToHexStringLower(SHA256.HashData(stream));
        registry.add_data_file(id, full, sha256);
        dataFiles[full] = sha256;
        WriteRunJson();
        return sha256;
    }

    /// <summary>Records a value of the whole run (a test score), beside the per-epoch ones.</summary>
    public void metric(string name, double value)
    {
        registry.add_metrics(id, null, [KeyValuePair.Create(name, value)]);
        finalMetrics[name] = value;
        WriteRunJson();
    }

    /// <summary>Marks the run finished.</summary>
    public void finish() => End(RunStatus.Finished, null);

    /// <summary>Marks the run failed, keeping the error's message.</summary>
    public void fail(Exception error) => End(RunStatus.Failed, $"{error.GetType().Name}: {error.Message}");

    void End(RunStatus status, string? message)
    {
        lock (Gate)
        {
            if (record.status != RunStatus.Running) return;
            if (current == this) current = null;
            var ended = DateTimeOffset.Now;
            // Another process may have ended it first (vaelab run marks a failed notebook's runs): its word stands.
            record = registry.end(id, status, ended, message) ? record with { status = status, ended = ended, message = message } : registry.get(id)!;
            WriteRunJson();
        }
    }

    string Relative(string path) => Path.GetRelativePath(folder.path, Path.GetFullPath(path));

    /// <summary>run.json: the registry's row and what was recorded with it, so that a run folder tells its story alone.</summary>
    void WriteRunJson()
    {
        var json = new JsonObject
        {
            ["id"] = id,
            ["notebook"] = notebook,
            ["parameters"] = JsonNode.Parse(record.parameters),
            ["status"] = record.status.ToString().ToLowerInvariant(),
            ["message"] = record.message,
            ["started"] = record.started,
            ["ended"] = record.ended,
            ["git"] = new JsonObject { ["commit"] = record.git_commit, ["dirty"] = record.git_dirty },
            ["versions"] = JsonNode.Parse(record.versions),
            ["device"] = record.device,
            ["threads"] = record.threads,
            ["host"] = record.host,
            ["pid"] = record.pid,
            ["data_files"] = new JsonArray(dataFiles.Select(e => (JsonNode)new JsonObject { ["path"] = e.Key, ["sha256"] = e.Value }).ToArray()),
            ["metrics"] = JsonSerializer.SerializeToNode(finalMetrics, Line),
        };
        var temporary = folder.run_json + ".tmp";
        File.WriteAllText(temporary, json.ToJsonString(Json));
        File.Move(temporary, folder.run_json, overwrite: true);
    }

    static JsonObject Parameters(object? parameters)
    {
        if (parameters is null) return new JsonObject();
        try
        {
            return JsonSerializer.SerializeToNode(parameters, parameters.GetType(), Json) as JsonObject
                   ?? throw new ArgumentException($"the parameters must be an object or a dictionary of named values, not a {parameters.GetType().Name}", nameof(parameters));
        }
        catch (Exception e) when (e is NotSupportedException or JsonException or InvalidOperationException)
        {
            throw new ArgumentException($"the parameters cannot be written as JSON: {e.Message}", nameof(parameters), e);
        }
    }

    static JsonObject Versions() => new()
    {
        ["torchsharp"] = typeof(torch).Assembly.GetName().Version?.ToString(3),
        ["libtorch"] = __version__,
        ["dotnet"] = RuntimeInformation.FrameworkDescription,
        ["os"] = RuntimeInformation.OSDescription,
        ["vaelab"] = typeof(Run).Assembly.GetName().Version?.ToString(),
    };

    /// <summary>The commit checked out where the experiments folder is, and whether tracked files differ from it; nulls
    /// outside a git work tree or without git.</summary>
    static (string? commit, bool? dirty) Git(string folder)
    {
        var commit = GitOutput(folder, "rev-parse", "HEAD")?.Trim();
        if (commit is null) return (null, null);
        var changes = GitOutput(folder, "status", "--porcelain", "--untracked-files=no");
        return (commit, changes is null ? null : changes.Length > 0);
    }

    static string? GitOutput(string folder, params string[] args)
    {
        var start = new ProcessStartInfo("git") { RedirectStandardOutput = true, RedirectStandardError = true, WorkingDirectory = folder };
        foreach (var arg in args) start.ArgumentList.Add(arg);
        try
        {
            using var git = Process.Start(start)!;
            _ = git.StandardError.ReadToEndAsync(); // drained, so that git never blocks on a full pipe
            var output = git.StandardOutput.ReadToEnd();
            if (!git.WaitForExit(TimeSpan.FromSeconds(10)))
            {
                git.Kill();
                return null;
            }
            return git.ExitCode == 0 ? output : null;
        }
        catch (System.ComponentModel.Win32Exception)
        {
            return null; // no git on this machine
        }
    }
}
