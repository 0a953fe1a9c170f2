using System.Diagnostics;
using System.Runtime.InteropServices;
using System.Security.Cryptography;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization;
using TorchSharp;
using VaeLab.Torch;
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
    readonly HashSet<string> checkpointsRecorded = new();
    string? resumedFrom;

    public RunFolder folder { get; }
    public RunRegistry registry { get; }
    public RunRecord record { get; private set; }

    public string id => folder.id;
    public string notebook => folder.notebook;
    public JsonObject parameters => (JsonObject)JsonNode.Parse(record.parameters)!;
    public RunStatus status => record.status;

    /// <summary>Where the trainer checkpoints (TrainerOptions.checkpoint_path): checkpoint.safetensors in the run folder.</summary>
    public string checkpoint_path => folder.checkpoint_path;

    /// <summary>Where the trainer of one of several models checkpoints: checkpoint-&lt;model&gt;.safetensors.</summary>
    public string checkpoint_path_of(string model) => folder.checkpoint_path_of(model);

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
        // Made when missing: $VAELAB_EXPERIMENTS may name a folder that is yet to be.
        var root = Directory.CreateDirectory(experiments ?? RunFolder.experiments_folder()).FullName;
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
    /// epoch's losses: a line in history.jsonl and metrics train.&lt;loss&gt;, valid.&lt;loss&gt; and seconds in the registry.
    /// A run that trains several models names each (<paramref name="model"/>): its metrics are then
    /// &lt;model&gt;.train.&lt;loss&gt;..., and its history lines carry the name.</summary>
    public IProgress<TrainingProgress> track(IProgress<TrainingProgress>? then = null, string? model = null) => new Tracker(this, then, model);

    sealed class Tracker(Run run, IProgress<TrainingProgress>? then, string? model) : IProgress<TrainingProgress>
    {
        public void Report(TrainingProgress value)
        {
            if (value is { kind: ProgressKind.Epoch, epoch_record: { } epoch }) run.RecordEpoch(epoch, model);
            if (value is { kind: ProgressKind.Checkpoint, checkpoint: { } path }) run.RecordCheckpoint(path);
            then?.Report(value);
        }
    }

    void RecordEpoch(EpochRecord epoch, string? model)
    {
        var line = JsonSerializer.SerializeToNode(epoch, Line)!.AsObject();
        if (model is not null) line.Insert(0, "model", model);
        File.AppendAllText(folder.history_path, line.ToJsonString(Line) + "\n");
        var prefix = model is null ? "" : model + ".";
        var values = epoch.train.Select(e => KeyValuePair.Create($"{prefix}train.{e.Key}", e.Value))
            .Concat((epoch.validation ?? new Dictionary<string, double>()).Select(e => KeyValuePair.Create($"{prefix}valid.{e.Key}", e.Value)))
            .Append(KeyValuePair.Create($"{prefix}seconds", epoch.seconds));
        registry.add_metrics(id, epoch.epoch, values);
    }

    void RecordCheckpoint(string path)
    {
        if (checkpointsRecorded.Add(Path.GetFullPath(path))) registry.add_artifact(id, "checkpoint", Relative(path));
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

    /// <summary>Starts <paramref name="module"/> from the weights <paramref name="source"/> names (the init_from parameter): a
    /// run id or folder (its model <paramref name="name"/>), a .safetensors or a .pth; "" leaves the module as it is. Every
    /// weight of the module must be there in its shape, or nothing is loaded and the error names each key at fault; keys
    /// the module has no use for (seed 004's unused shortcut convolutions) are named and left. Returns the file loaded, or null.</summary>
    public string? init_from(nn.Module module, string source, string name = RunFolder.DefaultModel)
    {
        if (source.Length == 0) return null;
        var file = RunFolder.resolve(source, folder.experiments).model_file(name);
        var loaded = module.load_weights(file, allow_unexpected: true);
        Console.WriteLine($"{name}: weights from {file}" +
            (loaded.unexpected_keys.Count == 0 ? "" : $" (not used: {string.Join(", ", loaded.unexpected_keys)})"));
        return file;
    }

    /// <summary>
    /// Continues training where the run <paramref name="source"/> names stopped (the resume_from parameter): loads its
    /// checkpoint (of <paramref name="model"/>, for a run that trains several) into the trainer, whose next fit() goes on
    /// from that step exactly as the run would have; "" starts from the beginning. <paramref name="source"/> is a run id or
    /// folder, or a checkpoint file. A run that stopped before its first checkpoint of the model has nothing to continue:
    /// the model trains from the start, as it says. Returns the checkpoint loaded, or null.
    /// </summary>
    public string? resume_from<TBatch>(Trainer<TBatch> trainer, string source, string? model = null)
    {
        if (source.Length == 0) return null;
        string checkpoint;
        if (Path.GetExtension(source) == ".safetensors")
        {
            if (model is not null)
                throw new ArgumentException($"resume_from '{source}' is one checkpoint file, and this run trains several models: give the run id or folder", nameof(source));
            checkpoint = Path.GetFullPath(source);
            if (!File.Exists(checkpoint)) throw new FileNotFoundException($"{checkpoint}: no such checkpoint", checkpoint);
        }
        else
        {
            var run = RunFolder.resolve(source, folder.experiments).run!;
            SayWhatDiffers(run);
            checkpoint = model is null ? run.checkpoint_path : run.checkpoint_path_of(model);
            if (!File.Exists(checkpoint))
            {
                Console.WriteLine($"{model ?? "the model"}: {run.path} has no checkpoint {Path.GetFileName(checkpoint)}, so it trains from the start");
                return null;
            }
        }
        var position = trainer.load_checkpoint(checkpoint).position;
        Console.WriteLine($"{model ?? "the model"}: continues from {checkpoint} at epoch {position.epoch + 1}, step {position.step}");
        return checkpoint;
    }

    /// <summary>Training goes on as the checkpoint left it, whatever this run's parameters say; those that differ from the
    /// resumed run's are named, so that a changed one (more epochs, on purpose, or a typo) is seen.</summary>
    void SayWhatDiffers(RunFolder resumed)
    {
        // Once a run: a run that trains several models resumes each from the same run.
        if (resumedFrom == resumed.path || resumed.parameters is not { } theirs) return;
        resumedFrom = resumed.path;
        var differing = parameters.Where(p => p.Key is not ("init_from" or "resume_from") && theirs.ContainsKey(p.Key)
                                              && !JsonNode.DeepEquals(p.Value, theirs[p.Key]))
            .Select(p => $"{p.Key} {theirs[p.Key]?.ToJsonString()} -> {p.Value?.ToJsonString()}").ToList();
        if (differing.Count > 0) Console.WriteLine($"parameters that differ from those of {resumed.id}: {string.Join(", ", differing)}");
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
