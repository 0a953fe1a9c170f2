using System.Diagnostics;
using System.Globalization;
using Microsoft.Data.Sqlite;

namespace VaeLab.Runs;

public enum RunStatus
{
    Running,
    Finished,
    Failed,

    /// <summary>Its process ended without saying how the run went (killed, or the machine went down).</summary>
    Interrupted,
}

/// <summary>A run's row in the registry. <paramref name="folder"/> is relative to the experiments folder;
/// <paramref name="parameters"/> and <paramref name="versions"/> are JSON objects.</summary>
public sealed record RunRecord(string id, string notebook, string folder, string parameters, string? git_commit, bool? git_dirty,
    string versions, string? device, int? threads, RunStatus status, int? pid, string? host, DateTimeOffset started,
    DateTimeOffset? ended = null, string? message = null, string? name = null);

/// <summary>One value of a run: per epoch, or for the whole run when epoch is null (a test accuracy).</summary>
public sealed record RunMetric(int? epoch, string name, double value);

public sealed record RunDataFile(string path, string sha256);

public sealed record RunArtifact(string kind, string path);

/// <summary>The registry could not be read or written: the message names the file and what to do.</summary>
public sealed class RunRegistryException(string message, Exception? inner = null) : IOException(message, inner);

/// <summary>
/// Every run of the experiments folder in one SQLite database, experiments/runs.db (git-ignored): a row per run, with its
/// data files, per-epoch metrics and artifacts. Each call opens its own connection and writes in one immediate
/// transaction; the database is in WAL mode and waits up to <see cref="DefaultBusyTimeout"/> for another writer, so notebooks
/// and commands writing at once lose nothing. Opening it marks the runs of this host that are still 'running' but whose
/// process is gone as interrupted.
/// </summary>
public sealed class RunRegistry
{
    public const string FileName = "runs.db";
    public static readonly TimeSpan DefaultBusyTimeout = TimeSpan.FromSeconds(30);
    const int SchemaVersion = 1;

    const string Schema = """
        create table if not exists runs(
            id text primary key, notebook text not null, folder text not null, parameters text not null,
            git_commit text, git_dirty integer, versions text not null, device text, threads integer,
            status text not null, pid integer, host text, started text not null, ended text, message text, name text);
        create index if not exists runs_by_notebook on runs(notebook, started);
        create table if not exists data_files(
            run text not null references runs(id) on delete cascade, path text not null, sha256 text not null, primary key(run, path));
        create table if not exists metrics(
            run text not null references runs(id) on delete cascade, epoch integer, name text not null, value real);
        create index if not exists metrics_by_run on metrics(run, name, epoch);
        create table if not exists artifacts(
            run text not null references runs(id) on delete cascade, kind text not null, path text not null, primary key(run, path));
        """;

    readonly string connectionString;
    readonly TimeSpan busyTimeout;

    public string path { get; }

    /// <summary>Opens (creating if needed) the registry of the experiments folder, and marks runs whose process is gone.</summary>
    public static RunRegistry open(string? experiments = null) =>
        new(Path.Combine(experiments ?? RunFolder.experiments_folder(), FileName));

    public RunRegistry(string path, TimeSpan? busy_timeout = null)
    {
        this.path = Path.GetFullPath(path);
        busyTimeout = busy_timeout ?? DefaultBusyTimeout;
        connectionString = new SqliteConnectionStringBuilder
        {
            DataSource = this.path,
            Mode = SqliteOpenMode.ReadWriteCreate,
            DefaultTimeout = (int)Math.Ceiling(busyTimeout.TotalSeconds),
            ForeignKeys = true,
            // A connection per call, closed after it: no pooled handle keeps the file open behind a deleted folder or a
            // process that wants to move the file aside.
            Pooling = false,
        }.ToString();
        Write(connection =>
        {
            using var version = Command(connection, "pragma user_version");
            var found = Convert.ToInt32(version.ExecuteScalar(), CultureInfo.InvariantCulture);
            if (found > SchemaVersion)
                throw new RunRegistryException($"{this.path}: written by a newer VaeLab (schema {found}; this one reads {SchemaVersion})");
            Execute(connection, Schema + $"pragma user_version = {SchemaVersion};");
        }, journal: true);
        mark_interrupted();
    }

    public void add(RunRecord run) => Write(connection => Execute(connection, """
        insert into runs(id, notebook, folder, parameters, git_commit, git_dirty, versions, device, threads, status, pid, host, started, ended, message, name)
        values($id, $notebook, $folder, $parameters, $git_commit, $git_dirty, $versions, $device, $threads, $status, $pid, $host, $started, $ended, $message, $name)
        """, ("$id", run.id), ("$notebook", run.notebook), ("$folder", run.folder), ("$parameters", run.parameters), ("$git_commit", run.git_commit),
        ("$git_dirty", run.git_dirty), ("$versions", run.versions), ("$device", run.device), ("$threads", run.threads), ("$status", Text(run.status)),
        ("$pid", run.pid), ("$host", run.host), ("$started", Time(run.started)), ("$ended", run.ended is { } e ? Time(e) : null),
        ("$message", run.message), ("$name", run.name)));

    /// <summary>Sets how a running run ended; false when it had ended already (another process said how first, and is kept).</summary>
    public bool end(string id, RunStatus status, DateTimeOffset ended, string? message = null)
    {
        if (status == RunStatus.Running) throw new ArgumentException("a run ends finished, failed or interrupted", nameof(status));
        var changed = 0;
        Write(connection =>
        {
            changed = Execute(connection, "update runs set status = $status, ended = $ended, message = $message where id = $id and status = $running",
                ("$id", id), ("$status", Text(status)), ("$running", Text(RunStatus.Running)), ("$ended", Time(ended)), ("$message", message));
            if (changed > 0) return;
            using var count = Command(connection, "select count(*) from runs where id = $id", ("$id", id));
            Expect(id, Convert.ToInt32(count.ExecuteScalar(), CultureInfo.InvariantCulture));
        });
        return changed > 0;
    }

    public void set_name(string id, string? name) => Write(connection =>
        Expect(id, Execute(connection, "update runs set name = $name where id = $id", ("$id", id), ("$name", name))));

    /// <summary>Records values of a run, replacing those it had for the same epoch and name.</summary>
    public void add_metrics(string id, int? epoch, IEnumerable<KeyValuePair<string, double>> values) => Write(connection =>
    {
        foreach (var (name, value) in values)
        {
            Execute(connection, "delete from metrics where run = $run and epoch is $epoch and name = $name", ("$run", id), ("$epoch", epoch), ("$name", name));
            Execute(connection, "insert into metrics(run, epoch, name, value) values($run, $epoch, $name, $value)",
                ("$run", id), ("$epoch", epoch), ("$name", name), ("$value", double.IsNaN(value) ? null : value));
        }
    });

    public void add_data_file(string id, string file, string sha256) => Write(connection => Execute(connection,
        "insert or replace into data_files(run, path, sha256) values($run, $path, $sha256)", ("$run", id), ("$path", file), ("$sha256", sha256)));

    public void add_artifact(string id, string kind, string file) => Write(connection => Execute(connection,
        "insert or replace into artifacts(run, kind, path) values($run, $kind, $path)", ("$run", id), ("$kind", kind), ("$path", file)));

    /// <summary>Removes the run's row and everything recorded with it.</summary>
    public void remove(string id) => Write(connection => Expect(id, Execute(connection, "delete from runs where id = $id", ("$id", id))));

    public RunRecord? get(string id) => Read(connection => Runs(connection, "where id = $id", ("$id", id)).SingleOrDefault());

    /// <summary>The runs, oldest first; of one notebook when given.</summary>
    public IReadOnlyList<RunRecord> list(string? notebook = null) => Read(connection => notebook is null
        ? Runs(connection, "order by started, id")
        : Runs(connection, "where notebook = $notebook order by started, id", ("$notebook", notebook)));

    public IReadOnlyList<RunMetric> metrics(string id) => Read(connection => Rows(connection,
        "select epoch, name, value from metrics where run = $run order by epoch is not null, epoch, name", r =>
            new RunMetric(r.IsDBNull(0) ? null : r.GetInt32(0), r.GetString(1), r.IsDBNull(2) ? double.NaN : r.GetDouble(2)), ("$run", id)));

    public IReadOnlyList<RunDataFile> data_files(string id) => Read(connection => Rows(connection,
        "select path, sha256 from data_files where run = $run order by path", r => new RunDataFile(r.GetString(0), r.GetString(1)), ("$run", id)));

    public IReadOnlyList<RunArtifact> artifacts(string id) => Read(connection => Rows(connection,
        "select kind, path from artifacts where run = $run order by kind, path", r => new RunArtifact(r.GetString(0), r.GetString(1)), ("$run", id)));

    /// <summary>Marks as interrupted the runs of this host still 'running' whose process has ended (or whose pid now belongs
    /// to a process that started after the run did); returns their ids.</summary>
    public IReadOnlyList<string> mark_interrupted() =>
        RunningHere().Where(r => r.pid is { } pid && !Alive(pid, r.started))
            .Where(run => end(run.id, RunStatus.Interrupted, DateTimeOffset.Now, $"process {run.pid} ended without finishing the run"))
            .Select(r => r.id).ToList();

    /// <summary>Marks the runs this process started that are still running as failed (a notebook whose cell failed before
    /// run.finish()), keeping the error; returns their ids.</summary>
    public IReadOnlyList<string> fail_unfinished(string error) =>
        RunningHere().Where(r => r.pid == Environment.ProcessId)
            .Where(r => end(r.id, RunStatus.Failed, DateTimeOffset.Now, error)).Select(r => r.id).ToList();

    /// <summary>The runs of this host still marked running: found by the database, as every registry that opens asks.</summary>
    List<RunRecord> RunningHere() => Read(connection => Runs(connection, "where status = $running and host = $host",
        ("$running", Text(RunStatus.Running)), ("$host", Environment.MachineName)));

    static bool Alive(int pid, DateTimeOffset started)
    {
        try
        {
            using var process = Process.GetProcessById(pid);
            return !process.HasExited && process.StartTime <= started.LocalDateTime.AddSeconds(1);
        }
        catch (Exception e) when (e is ArgumentException or InvalidOperationException or System.ComponentModel.Win32Exception)
        {
            return false;
        }
    }

    static string Text(RunStatus status) => status.ToString().ToLowerInvariant();

    static RunStatus Status(string text, string id) => Enum.TryParse<RunStatus>(text, ignoreCase: true, out var status)
        ? status
        : throw new RunRegistryException($"run {id} has status '{text}', not one of running, finished, failed, interrupted");

    static string Time(DateTimeOffset time) => time.ToString("O", CultureInfo.InvariantCulture);

    static DateTimeOffset ParseTime(string text) => DateTimeOffset.Parse(text, CultureInfo.InvariantCulture, DateTimeStyles.RoundtripKind);

    static void Expect(string id, int changed)
    {
        if (changed == 0) throw new ArgumentException($"no run {id} in the registry", nameof(id));
    }

    static List<RunRecord> Runs(SqliteConnection connection, string where, params (string name, object? value)[] parameters) => Rows(connection,
        $"select id, notebook, folder, parameters, git_commit, git_dirty, versions, device, threads, status, pid, host, started, ended, message, name from runs {where}",
        r => new RunRecord(r.GetString(0), r.GetString(1), r.GetString(2), r.GetString(3), r.IsDBNull(4) ? null : r.GetString(4),
            r.IsDBNull(5) ? null : r.GetInt64(5) != 0, r.GetString(6), r.IsDBNull(7) ? null : r.GetString(7), r.IsDBNull(8) ? null : r.GetInt32(8),
            Status(r.GetString(9), r.GetString(0)), r.IsDBNull(10) ? null : r.GetInt32(10), r.IsDBNull(11) ? null : r.GetString(11),
            ParseTime(r.GetString(12)), r.IsDBNull(13) ? null : ParseTime(r.GetString(13)), r.IsDBNull(14) ? null : r.GetString(14),
            r.IsDBNull(15) ? null : r.GetString(15)), parameters);

    static List<T> Rows<T>(SqliteConnection connection, string sql, Func<SqliteDataReader, T> row, params (string name, object? value)[] parameters)
    {
        using var command = Command(connection, sql, parameters);
        using var reader = command.ExecuteReader();
        var rows = new List<T>();
        while (reader.Read()) rows.Add(row(reader));
        return rows;
    }

    static int Execute(SqliteConnection connection, string sql, params (string name, object? value)[] parameters)
    {
        using var command = Command(connection, sql, parameters);
        return command.ExecuteNonQuery();
    }

    static SqliteCommand Command(SqliteConnection connection, string sql, params (string name, object? value)[] parameters)
    {
        var command = connection.CreateCommand();
        command.CommandText = sql;
        foreach (var (name, value) in parameters) command.Parameters.AddWithValue(name, value ?? DBNull.Value);
        return command;
    }

    void Write(Action<SqliteConnection> write, bool journal = false) => Read(connection =>
    {
        // Set before the transaction: SQLite changes the journal mode only outside one. It stays set in the file.
        if (journal) Execute(connection, "pragma journal_mode = wal");
        using var transaction = connection.BeginTransaction(deferred: false);
        write(connection);
        transaction.Commit();
        return 0;
    });

    T Read<T>(Func<SqliteConnection, T> work)
    {
        try
        {
            using var connection = new SqliteConnection(connectionString);
            connection.Open();
            return work(connection);
        }
        catch (SqliteException e) when (e.SqliteErrorCode is 5 or 6) // SQLITE_BUSY, SQLITE_LOCKED
        {
            throw new RunRegistryException($"{path}: locked by another process for over {Math.Ceiling(busyTimeout.TotalSeconds):0} s; try again when it is done", e);
        }
        catch (SqliteException e) when (e.SqliteErrorCode is 11 or 26) // SQLITE_CORRUPT, SQLITE_NOTADB
        {
            throw new RunRegistryException(
                $"{path}: not a readable SQLite database ({e.Message.TrimEnd('.')}); move it aside and a new registry is made (the run folders keep each run's run.json)", e);
        }
        catch (SqliteException e) when (e.SqliteErrorCode is 14) // SQLITE_CANTOPEN
        {
            throw new RunRegistryException($"{path}: cannot be opened or created; is {Path.GetDirectoryName(path)} there and writable?", e);
        }
        catch (SqliteException e)
        {
            throw new RunRegistryException($"{path}: {e.Message}", e);
        }
    }
}
