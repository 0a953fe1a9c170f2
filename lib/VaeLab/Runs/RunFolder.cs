using System.Security.Cryptography;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;

namespace VaeLab.Runs;

/// <summary>What a run id, run folder or weights file names: the file to load, or the run whose models to choose from.</summary>
/// <param name="run">The run folder (also set for a model file inside one).</param>
/// <param name="file">The .safetensors or .pth file given; null when a run was named.</param>
public sealed record ModelSource(RunFolder? run, string? file)
{
    /// <summary>The file given, or the run's model of that name (models/&lt;name&gt;.safetensors).</summary>
    public string model_file(string name = RunFolder.DefaultModel)
    {
        if (file is not null) return file;
        var path = run!.model_path(name);
        if (File.Exists(path)) return path;
        var saved = run.model_names;
        throw new FileNotFoundException(
            $"{run.path} has no model '{name}' ({path}); it has {(saved.Count == 0 ? "none" : string.Join(", ", saved))}", path);
    }
}

/// <summary>
/// A run's folder, experiments/&lt;notebook&gt;/runs/&lt;run-id&gt;/: run.json (what ran, with which parameters and
/// versions), models/&lt;name&gt;.safetensors (see <see cref="SavedModel"/>), checkpoint.safetensors with its history log,
/// history.jsonl (a line per epoch) and figures/. Run ids are yyyyMMdd-HHmmss-&lt;6 hex&gt;: they sort by start time.
/// Run folders are ignored by git (runs/.gitignore) unless promoted.
/// </summary>
public sealed partial record RunFolder(string path)
{
    public const string DefaultModel = "model";
    public const string ExperimentsVariable = "VAELAB_EXPERIMENTS";
    public const string RunsFolderName = "runs";

    /// <summary>Keeps the run folders out of git; promoting a run adds lines after these.</summary>
    public const string RunsGitignore =
        "# Run folders stay out of git unless promoted (vaelab runs promote), which un-ignores them below, checkpoints excepted.\n/*/\n";

    [GeneratedRegex(@"^\d{8}-\d{6}-[0-9a-f]{6}$")]
    private static partial Regex RunId();

    public string id => Path.GetFileName(path);
    public string notebook => Path.GetFileName(Path.GetDirectoryName(Path.GetDirectoryName(path))!);

    /// <summary>The experiments folder the run is in: experiments/&lt;notebook&gt;/runs/&lt;run id&gt;.</summary>
    public string experiments => Path.GetDirectoryName(Path.GetDirectoryName(Path.GetDirectoryName(path)))!;
    public string run_json => Path.Combine(path, "run.json");
    public string models_folder => Path.Combine(path, "models");
    public string checkpoint_path => Path.Combine(path, "checkpoint.safetensors");

    /// <summary>The checkpoint of one of the models of a run that trains several.</summary>
    public string checkpoint_path_of(string model) => Path.Combine(path, $"checkpoint-{model}.safetensors");
    public string history_path => Path.Combine(path, "history.jsonl");
    public string figures_folder => Path.Combine(path, "figures");

    public string model_path(string name = DefaultModel) => Path.Combine(models_folder, name + ".safetensors");

    /// <summary>The names of the models saved so far, sorted.</summary>
    public IReadOnlyList<string> model_names => Directory.Exists(models_folder)
        ? Directory.GetFiles(models_folder, "*.safetensors").Select(f => Path.GetFileNameWithoutExtension(f)).Order(StringComparer.Ordinal).ToList()
        : [];

    /// <summary>The parameters the run started with (run.json's), or null when its run.json is missing or unreadable.</summary>
    public JsonObject? parameters
    {
        get
        {
            try
            {
                return File.Exists(run_json) ? JsonNode.Parse(File.ReadAllText(run_json))?["parameters"] as JsonObject : null;
            }
            catch (JsonException)
            {
                return null;
            }
        }
    }

    public static bool is_run_id(string text) => RunId().IsMatch(text);

    /// <summary>A new id for a run starting now: the time, then 24 random bits so that runs started in the same second differ.</summary>
    public static string new_id() => $"{DateTime.Now:yyyyMMdd-HHmmss}-{Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(3))}";

    /// <summary>
    /// The experiments folder: $VAELAB_EXPERIMENTS if set, else the nearest experiments/ at or above
    /// <paramref name="start"/> (the current directory: notebooks/ in VS Code and under vaelab run).
    /// </summary>
    public static string experiments_folder(string? start = null)
    {
        if (Environment.GetEnvironmentVariable(ExperimentsVariable) is { Length: > 0 } set) return Path.GetFullPath(set);
        var from = Path.GetFullPath(start ?? Environment.CurrentDirectory);
        for (var folder = new DirectoryInfo(from); folder is not null; folder = folder.Parent)
        {
            var candidate = Path.Combine(folder.FullName, "experiments");
            if (Directory.Exists(candidate)) return candidate;
        }
        throw new DirectoryNotFoundException($"no experiments/ folder at or above {from}; set {ExperimentsVariable} to the folder that holds the runs");
    }

    /// <summary>Makes the folder of a new run (and runs/.gitignore when the notebook has no runs yet).</summary>
    internal static RunFolder create(string experiments, string notebook, string id)
    {
        if (notebook.Length == 0 || notebook.IndexOfAny(['/', '\\']) >= 0 || notebook is "." or "..")
            throw new ArgumentException($"'{notebook}' is not a notebook name", nameof(notebook));
        var runs = Path.Combine(experiments, notebook, RunsFolderName);
        Directory.CreateDirectory(runs);
        var gitignore = Path.Combine(runs, ".gitignore");
        if (!File.Exists(gitignore)) File.WriteAllText(gitignore, RunsGitignore);
        var folder = new RunFolder(Path.Combine(runs, id));
        Directory.CreateDirectory(folder.path);
        return folder;
    }

    /// <summary>
    /// What <paramref name="run_or_file"/> names: a run id (searched for in every notebook's runs/), a run folder, or a
    /// .safetensors or .pth file (anywhere; a model file inside a run folder also gives its run). Run ids and folders must
    /// lie in the experiments folder's runs/ folders; anything else is refused, naming where runs are looked for.
    /// </summary>
    public static ModelSource resolve(string run_or_file, string? experiments = null)
    {
        if (string.IsNullOrWhiteSpace(run_or_file)) throw new ArgumentException("no run id, run folder or weights file was given", nameof(run_or_file));
        var extension = Path.GetExtension(run_or_file).ToLowerInvariant();
        if (extension is ".safetensors" or ".pth" or ".pt")
        {
            var file = Path.GetFullPath(run_or_file);
            if (!File.Exists(file)) throw new FileNotFoundException($"{file}: no such weights file", file);
            var parent = Path.GetDirectoryName(file)!;
            var run = Path.GetFileName(parent) == "models" ? Within(Path.GetDirectoryName(parent)!, experiments) : null;
            return new ModelSource(run, file);
        }
        if (is_run_id(run_or_file) && !Directory.Exists(run_or_file)) return new ModelSource(find(run_or_file, experiments), null);
        var folder = Path.GetFullPath(run_or_file);
        if (!Directory.Exists(folder))
            throw new ArgumentException($"'{run_or_file}' is neither a run id, a run folder, nor a .safetensors or .pth file", nameof(run_or_file));
        return new ModelSource(Within(folder, experiments) ?? throw Outside(folder, experiments), null);
    }

    /// <summary>The run of that id in any notebook's runs/ folder.</summary>
    public static RunFolder find(string id, string? experiments = null)
    {
        if (!is_run_id(id)) throw new ArgumentException($"'{id}' is not a run id (yyyyMMdd-HHmmss-xxxxxx)", nameof(id));
        var root = experiments ?? experiments_folder();
        var found = Directory.Exists(root)
            ? Directory.GetDirectories(root).Select(n => Path.Combine(n, RunsFolderName, id)).Where(Directory.Exists).ToList()
            : [];
        return found.Count switch
        {
            1 => new RunFolder(found[0]),
            0 => throw new DirectoryNotFoundException($"no run {id} in {root}/*/{RunsFolderName}/"),
            _ => throw new ArgumentException($"run id {id} is in more than one notebook's runs: {string.Join(", ", found)}", nameof(id)),
        };
    }

    /// <summary>The run folder at <paramref name="folder"/> if it is one: experiments/&lt;notebook&gt;/runs/&lt;run id&gt;,
    /// links resolved, so that a path or a link cannot lead out of the experiments folder.</summary>
    static RunFolder? Within(string folder, string? experiments)
    {
        var root = Real(experiments ?? experiments_folder());
        var real = Real(folder);
        var runs = Path.GetDirectoryName(real);
        var inside = is_run_id(Path.GetFileName(real)) && Path.GetFileName(runs) == RunsFolderName
                     && Path.GetDirectoryName(Path.GetDirectoryName(runs)) == root;
        return inside ? new RunFolder(real) : null;
    }

    static ArgumentException Outside(string folder, string? experiments) => new(
        $"{folder} is not a run folder: runs are {experiments ?? experiments_folder()}/<notebook>/{RunsFolderName}/<run id>/", nameof(folder));

    static string Real(string path)
    {
        var full = Path.TrimEndingDirectorySeparator(Path.GetFullPath(path));
        var parent = Path.GetDirectoryName(full);
        var own = new DirectoryInfo(full).ResolveLinkTarget(returnFinalTarget: true)?.FullName;
        if (own is not null) return Real(own);
        return parent is null ? full : Path.Combine(Real(parent), Path.GetFileName(full));
    }
}
