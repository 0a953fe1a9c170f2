using TorchSharp;
using static TorchSharp.torch;
using VaeLab.Data;
using VaeLab.Runs;

namespace VaeLab.Cli.Serve;

/// <summary>What a request asked for that the server cannot do: an HTTP status, a title, and a detail that says why and what to do.</summary>
sealed class RequestProblem(int status, string title, string detail) : Exception(detail)
{
    public int Status { get; } = status;
    public string Title { get; } = title;
}

/// <summary>A saved model of a run, as the page lists it: its name, its class, and the endpoint that uses it (null: none).</summary>
public sealed record ModelEntry(string name, string kind, string? use);

/// <summary>A run with models the page can use, newest first by id.</summary>
public sealed record RunEntry(string id, string notebook, IReadOnlyList<ModelEntry> models, IReadOnlyList<string> uses);

/// <summary>A loaded model with what it was saved with; requests take turns on it, since inference switches its train/eval mode.</summary>
sealed record LoadedModel(nn.Module module, SavedModelInfo info, DateTime written, RunFolder run, string name);

/// <summary>
/// The runs of one experiments folder and their models, loaded on first use and kept until their file changes. Runs are
/// named by id, run folder or model file, and must lie in the experiments folder's runs/ folders (<see cref="RunFolder.resolve"/>).
/// </summary>
sealed class RunModels(string experiments) : IDisposable
{
    public string Experiments { get; } = experiments;
    readonly Dictionary<string, LoadedModel> loaded = [];

    /// <summary>Which endpoint uses a model class: the CVAE completes, the classifiers classify, Sketch-RNN samples.</summary>
    public static string? Use(string kind) => kind switch
    {
        "Cvae" => "complete",
        "SketchClassifier" or "DoodleCnn" => "classify",
        "SketchRnn" => "sample",
        _ => null,
    };

    /// <summary>Every run with at least one model an endpoint uses; a model file that cannot be read is left out.</summary>
    public IReadOnlyList<RunEntry> List()
    {
        if (!Directory.Exists(Experiments)) return [];
        var runs = Directory.GetDirectories(Experiments)
            .SelectMany(notebook => Directory.Exists(Path.Combine(notebook, RunFolder.RunsFolderName))
                ? Directory.GetDirectories(Path.Combine(notebook, RunFolder.RunsFolderName)) : [])
            .Where(path => RunFolder.is_run_id(Path.GetFileName(path)))
            .Select(path => new RunFolder(path));
        return runs.Select(run =>
            {
                var models = run.model_names.Select(name => Describe(run, name)).OfType<ModelEntry>().ToList();
                return new RunEntry(run.id, run.notebook, models, models.Select(m => m.use).OfType<string>().Distinct().Order().ToList());
            })
            .Where(r => r.uses.Count > 0)
            .OrderByDescending(r => r.id, StringComparer.Ordinal).ToList();
    }

    static ModelEntry? Describe(RunFolder run, string name)
    {
        try
        {
            var kind = SavedModel.info(run.model_path(name)).model;
            return new ModelEntry(name, kind, Use(kind));
        }
        catch (Exception e) when (e is DataFormatException or IOException or UnauthorizedAccessException)
        {
            return null;
        }
    }

    /// <summary>The run a request names, refused unless it is a run folder in the experiments folder.</summary>
    public RunFolder Run(string? run_or_file, out string? file)
    {
        if (string.IsNullOrWhiteSpace(run_or_file))
            throw new RequestProblem(400, "No run given", "name a run by its id (GET /api/runs lists them) in the request's \"run\"");
        ModelSource source;
        try
        {
            source = RunFolder.resolve(run_or_file, Experiments);
        }
        catch (Exception e) when (e is DirectoryNotFoundException or FileNotFoundException)
        {
            throw new RequestProblem(404, "No such run", e.Message);
        }
        catch (ArgumentException e)
        {
            throw new RequestProblem(400, "Not a run of this server", e.Message);
        }
        file = source.file;
        return source.run ?? throw new RequestProblem(400, "Not a run of this server",
            $"{run_or_file} is outside the runs folder: models are served from {Experiments}/<notebook>/{RunFolder.RunsFolderName}/<run id>/");
    }

    /// <summary>
    /// The run's model that the endpoint <paramref name="use"/> needs: the one named (by the request's model, or the file
    /// the run was named by), else the run's first model of such a class by name.
    /// </summary>
    public LoadedModel Model(RunFolder run, string? file, string? name, string use)
    {
        name ??= file is null ? null : Path.GetFileNameWithoutExtension(file);
        var candidates = name is null ? run.model_names : [name];
        var fitting = candidates.Select(n => Describe(run, n)).OfType<ModelEntry>().FirstOrDefault(m => m.use == use);
        if (fitting is null)
        {
            var models = run.model_names.Select(n => Describe(run, n)).OfType<ModelEntry>().Select(m => $"{m.name} ({m.kind})").ToList();
            var wanted = use switch { "complete" => "a Cvae", "classify" => "a SketchClassifier or DoodleCnn", _ => "a SketchRnn" };
            var what = name is null ? $"run {run.id} ({run.notebook})" : $"model '{name}' of run {run.id}";
            if (name is not null && !File.Exists(run.model_path(name)))
                throw new RequestProblem(404, "No such model", $"run {run.id} has no model '{name}'; it has {Listed(models)}");
            throw new RequestProblem(422, "Wrong kind of run", $"{what} cannot {use}: that needs {wanted}; the run has {Listed(models)}");
        }
        return Load(run, fitting.name);
    }

    /// <summary>The run's model of that name if it has one of the class given (a sketch classifier's draw models), else null.</summary>
    public LoadedModel? Optional(RunFolder run, string name, string kind) =>
        Describe(run, name)?.kind == kind ? Load(run, name) : null;

    static string Listed(List<string> models) => models.Count == 0 ? "no readable models" : string.Join(", ", models);

    LoadedModel Load(RunFolder run, string name)
    {
        var path = run.model_path(name);
        lock (loaded)
        {
            var written = File.GetLastWriteTimeUtc(path);
            // A replaced model is left to the garbage collector: a request may still be running it.
            if (loaded.TryGetValue(path, out var cached) && cached.written == written) return cached;
            try
            {
                var model = new LoadedModel(SavedModel.load(path), SavedModel.info(path), written, run, name);
                loaded[path] = model;
                return model;
            }
            catch (Exception e) when (e is DataFormatException or IOException or ArgumentException)
            {
                loaded.Remove(path);
                throw new RequestProblem(422, "The model cannot be loaded", e.Message);
            }
        }
    }

    /// <summary>The normaliser the model was saved with, as T, or a problem naming the file when it has none that fits.</summary>
    public static T Normaliser<T>(LoadedModel model, string what)
    {
        try
        {
            return model.info.normaliser_as<T>();
        }
        catch (Exception e) when (e is InvalidOperationException or System.Text.Json.JsonException or DataFormatException)
        {
            throw new RequestProblem(422, "The model cannot be used", $"{model.info.path} has no {what} in its normaliser: {e.Message}");
        }
    }

    public void Dispose()
    {
        lock (loaded)
        {
            foreach (var model in loaded.Values) model.module.Dispose();
            loaded.Clear();
        }
    }
}
