using System.CommandLine;
using System.Text.Json.Nodes;
using Spectre.Console;
using VaeLab.Display;
using VaeLab.Runs;

namespace VaeLab.Cli;

/// <summary>
/// <c>vaelab runs list|show|compare|promote|rm</c>: the runs the notebooks recorded in the experiments folder (see
/// <see cref="RunFolder.experiments_folder"/>, or --experiments) and its registry, experiments/runs.db. Runs are named by
/// id, by folder, or by a model file inside one. Opening the registry marks runs whose process is gone as interrupted.
/// </summary>
static class RunsCommands
{
    public static Command Create(IAnsiConsole console)
    {
        var experiments = new Option<string?>("--experiments")
        {
            Description = $"The experiments folder (default: ${RunFolder.ExperimentsVariable}, else the nearest experiments/ at or above the current folder)",
            Recursive = true,
        };
        return new Command("runs", "List, show, compare, keep and remove the runs the notebooks recorded")
        {
            List(console, experiments),
            Show(console, experiments),
            Compare(console, experiments),
            Promote(console, experiments),
            Remove(console, experiments),
            experiments,
        };
    }

    static Argument<string> RunArgument() => new("run") { Description = "A run id, a run folder, or a model file in one" };

    static Argument<string[]> RunsArgument(int least) => new("runs")
    {
        Description = "Run ids, run folders, or model files in them",
        Arity = new ArgumentArity(least, ArgumentArity.ZeroOrMore.MaximumNumberOfValues),
    };

    /// <summary>The experiments folder, its registry, and a way to name runs in it.</summary>
    sealed record Context(string experiments, RunRegistry registry)
    {
        public static Context Open(string? experiments)
        {
            var folder = experiments is null ? RunFolder.experiments_folder() : Path.GetFullPath(experiments);
            if (!Directory.Exists(folder)) throw new DirectoryNotFoundException($"no experiments folder {folder}");
            return new Context(folder, RunRegistry.open(folder));
        }

        public RunFolder Folder(string run) => RunFolder.resolve(run, experiments).run
                                               ?? throw new UsageException($"{run} is a weights file outside any run folder, not a run");

        public RunRecord Record(string run)
        {
            var id = Folder(run).id;
            return registry.get(id) ?? throw new UsageException($"run {id} has a folder but no row in {registry.path}");
        }
    }

    static Command List(IAnsiConsole console, Option<string?> experiments)
    {
        var notebook = new Option<string?>("--notebook") { Description = "Only this notebook's runs" };
        var command = new Command("list", "A table of the runs, oldest first: status, start, duration and headline metrics") { notebook };
        command.SetAction(result =>
        {
            var context = Context.Open(result.GetValue(experiments));
            var runs = context.registry.list(result.GetValue(notebook));
            if (runs.Count == 0)
            {
                console.WriteLine($"no runs in {context.registry.path}");
                return 0;
            }
            // One unwrapped line per run, as `docker ps` prints: readable in a terminal of any width, and for grep. The run
            // id says when it started; a name column only when some run has a name.
            var named = runs.Any(r => r.name is not null);
            var lines = runs.Select(run => (string[])[run.id, run.notebook, .. named ? [run.name ?? ""] : Array.Empty<string>(), Status(run.status),
                NotebookProgress.Duration(run.ended - run.started), Headline(context.registry.metrics(run.id))]);
            string[] header = ["run", "notebook", .. named ? ["name"] : Array.Empty<string>(), "status", "time", "metrics"];
            WriteColumns(console.Profile.Out.Writer, [header, .. lines]);
            return 0;
        });
        return command;
    }

    static Command Show(IAnsiConsole console, Option<string?> experiments)
    {
        var run = RunArgument();
        var command = new Command("show", "One run: its parameters, versions, data files, metrics and artifacts") { run };
        command.SetAction(result =>
        {
            var context = Context.Open(result.GetValue(experiments));
            var record = context.Record(result.GetValue(run)!);
            var folder = Path.Combine(context.experiments, record.folder);
            var summary = new Grid().AddColumn(new GridColumn().NoWrap()).AddColumn();
            void Line(string key, string? value) => summary.AddRow(Cells(key, value ?? "-"));
            Line("run", record.id + (record.name is null ? "" : $" ({record.name})"));
            Line("notebook", record.notebook);
            Line("status", Status(record.status) + (record.message is null ? "" : $": {record.message}"));
            Line("started", $"{record.started:yyyy-MM-dd HH:mm:ss}");
            Line("ended", record.ended is { } ended ? $"{ended:yyyy-MM-dd HH:mm:ss} ({NotebookProgress.Duration(ended - record.started)})" : null);
            Line("folder", folder);
            Line("git", record.git_commit is null ? null : record.git_commit + (record.git_dirty == true ? " (with uncommitted changes)" : ""));
            Line("device", $"{record.device}, {record.threads} threads");
            foreach (var (key, value) in JsonNode.Parse(record.versions)!.AsObject()) Line(key, value?.ToString());
            console.Write(summary);

            Section(console, "parameters", Pairs(JsonNode.Parse(record.parameters)!.AsObject()));
            Section(console, "data files", context.registry.data_files(record.id).Select(f => (f.path, f.sha256)));
            var metrics = context.registry.metrics(record.id);
            Section(console, "metrics", metrics.Where(m => m.epoch is null).Select(m => (m.name, Number(m.value))));
            var epochs = metrics.Where(m => m.epoch is not null).ToList();
            if (epochs.Count > 0)
            {
                var names = epochs.Select(m => m.name).Distinct().ToList();
                var rows = epochs.GroupBy(m => m.epoch!.Value).OrderBy(g => g.Key)
                    .Select(epoch => (string[])[$"  {epoch.Key + 1}", .. names.Select(n => epoch.FirstOrDefault(m => m.name == n) is { } m ? Number(m.value) : "-")]);
                console.WriteLine();
                console.MarkupLine("[bold]metrics per epoch[/]");
                WriteColumns(console.Profile.Out.Writer, [["  epoch", .. names], .. rows]);
            }
            Section(console, "artifacts", context.registry.artifacts(record.id).Select(a => (a.kind, a.path)));
            return 0;
        });
        return command;
    }

    static Command Compare(IAnsiConsole console, Option<string?> experiments)
    {
        var runs = RunsArgument(2);
        var all = new Option<bool>("--all") { Description = "Show every parameter, not only those that differ" };
        var command = new Command("compare", "Runs side by side: the parameters that differ, then each metric (the last epoch's of per-epoch ones)")
        {
            runs, all,
        };
        command.SetAction(result =>
        {
            var context = Context.Open(result.GetValue(experiments));
            var records = result.GetValue(runs)!.Select(context.Record).ToList();
            var parameters = records.Select(r => JsonNode.Parse(r.parameters)!.AsObject()).ToList();
            var metrics = records.Select(r => Final(context.registry.metrics(r.id))).ToList();

            List<string[]> rows =
            [
                ["", .. records.Select(r => r.name ?? r.id)],
                ["notebook", .. records.Select(r => r.notebook)],
                ["status", .. records.Select(r => Status(r.status))],
            ];
            foreach (var key in parameters.SelectMany(p => p.Select(e => e.Key)).Distinct())
            {
                var values = parameters.Select(p => p.TryGetPropertyValue(key, out var v) ? v?.ToJsonString() ?? "null" : "-").ToList();
                if (result.GetValue(all) || values.Distinct().Count() > 1) rows.Add([key, .. values]);
            }
            foreach (var name in metrics.SelectMany(m => m.Keys).Distinct())
                rows.Add([name, .. metrics.Select(m => m.TryGetValue(name, out var v) ? Number(v) : "-")]);
            WriteColumns(console.Profile.Out.Writer, rows);
            return 0;
        });
        return command;
    }

    static Command Promote(IAnsiConsole console, Option<string?> experiments)
    {
        var run = RunArgument();
        var name = new Option<string?>("--name") { Description = "A name to list and compare the run by" };
        var command = new Command("promote", "Keep a run in git (its folder is un-ignored, its checkpoint not) and optionally name it")
        {
            run, name,
        };
        command.SetAction(result =>
        {
            var context = Context.Open(result.GetValue(experiments));
            var folder = context.Folder(result.GetValue(run)!);
            var record = context.Record(folder.path);
            var gitignore = Gitignore(folder);
            var lines = File.Exists(gitignore) ? File.ReadAllLines(gitignore).ToList() : RunFolder.RunsGitignore.TrimEnd('\n').Split('\n').ToList();
            foreach (var line in Kept(folder).Where(l => !lines.Contains(l))) lines.Add(line);
            File.WriteAllLines(gitignore, lines);
            if (result.GetValue(name) is { } given) context.registry.set_name(record.id, given);
            console.WriteLine($"{folder.path} is kept in git (checkpoints excepted): git add {Path.GetRelativePath(Environment.CurrentDirectory, folder.path)}");
            return 0;
        });
        return command;
    }

    static Command Remove(IAnsiConsole console, Option<string?> experiments)
    {
        var runs = RunsArgument(1);
        var command = new Command("rm", "Delete runs: their folders and their rows in the registry (a running run is refused)") { runs };
        command.SetAction(result =>
        {
            var context = Context.Open(result.GetValue(experiments));
            var folders = result.GetValue(runs)!.Select(context.Folder).ToList();
            var running = folders.Where(f => context.registry.get(f.id)?.status == RunStatus.Running).Select(f => f.id).ToList();
            if (running.Count > 0) throw new UsageException($"{string.Join(", ", running)} {(running.Count == 1 ? "is" : "are")} still running; stop it first");
            foreach (var folder in folders)
            {
                if (context.registry.get(folder.id) is not null) context.registry.remove(folder.id);
                var gitignore = Gitignore(folder);
                if (File.Exists(gitignore))
                {
                    var kept = Kept(folder);
                    File.WriteAllLines(gitignore, File.ReadAllLines(gitignore).Where(l => !kept.Contains(l)));
                }
                Directory.Delete(folder.path, recursive: true);
                console.WriteLine($"removed {folder.path}");
            }
            return 0;
        });
        return command;
    }

    static string Gitignore(RunFolder folder) => Path.Combine(Path.GetDirectoryName(folder.path)!, ".gitignore");

    /// <summary>The lines of runs/.gitignore that keep a promoted run: its folder, less its checkpoints and their history
    /// logs (one per model in a run that trains several), which only resume needs and which can be large.</summary>
    static string[] Kept(RunFolder folder) => [$"!/{folder.id}/", $"/{folder.id}/checkpoint*.safetensors*"];

    /// <summary>The run's metrics as one value each: those of the whole run, and the last epoch's of the others.</summary>
    static Dictionary<string, double> Final(IReadOnlyList<RunMetric> metrics)
    {
        var final = new Dictionary<string, double>();
        foreach (var metric in metrics.Where(m => m.epoch is not null).OrderBy(m => m.epoch)) final[metric.name] = metric.value;
        foreach (var metric in metrics.Where(m => m.epoch is null)) final[metric.name] = metric.value;
        return final;
    }

    /// <summary>What list shows of a run's metrics: the epochs it trained, its last validation (or else training) loss,
    /// and the metrics of the whole run.</summary>
    static string Headline(IReadOnlyList<RunMetric> metrics)
    {
        var final = Final(metrics);
        var epochs = metrics.Where(m => m.epoch is not null).Select(m => m.epoch!.Value).DefaultIfEmpty(-1).Max() + 1;
        var loss = final.ContainsKey("valid.loss") ? "valid.loss" : final.ContainsKey("train.loss") ? "train.loss" : null;
        var parts = new List<string>();
        if (epochs > 0) parts.Add($"{epochs} epoch{(epochs == 1 ? "" : "s")}");
        if (loss is not null) parts.Add($"{loss} {Number(final[loss])}");
        parts.AddRange(metrics.Where(m => m.epoch is null).Select(m => $"{m.name} {Number(m.value)}"));
        return string.Join(", ", parts);
    }

    /// <summary>Rows of cells, each column but the last padded to its widest cell.</summary>
    static void WriteColumns(TextWriter output, IReadOnlyList<string[]> rows)
    {
        var widths = Enumerable.Range(0, rows[0].Length).Select(c => rows.Max(r => r[c].Length)).ToArray();
        foreach (var row in rows)
            output.WriteLine(string.Concat(row.Select((cell, c) => c == row.Length - 1 ? cell : cell.PadRight(widths[c] + 3))).TrimEnd());
    }

    static void Section(IAnsiConsole console, string title, IEnumerable<(string key, string value)> rows)
    {
        var list = rows.ToList();
        if (list.Count == 0) return;
        console.WriteLine();
        console.MarkupLine($"[bold]{title}[/]");
        // Unwrapped, so that a SHA-256 or a long path stays on its line.
        WriteColumns(console.Profile.Out.Writer, list.Select(row => new[] { "  " + row.key, row.value }).ToList());
    }

    static IEnumerable<(string, string)> Pairs(JsonObject json) => json.Select(e => (e.Key, e.Value?.ToJsonString() ?? "null"));

    static string Status(RunStatus status) => status.ToString().ToLowerInvariant();

    static string Number(double value) => double.IsNaN(value) ? "NaN" : NumberFormat.General(value, 4);

    static Text[] Cells(params string[] texts) => texts.Select(t => new Text(t)).ToArray();
}
