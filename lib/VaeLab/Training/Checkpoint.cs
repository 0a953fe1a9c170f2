using System.Text.Json;
using System.Text.Json.Serialization;
using TorchSharp;
using static TorchSharp.torch.optim;
using static TorchSharp.torch.optim.lr_scheduler;
using static TorchSharp.torch;
using VaeLab.Data;
using VaeLab.Torch;
using VaeLab.Data.Formats;

namespace VaeLab.Training;

/// <summary>What <see cref="Checkpoint.load"/> read besides the states it put back; <paramref name="history_log"/> is where its
/// history is, which a trainer saving to the same path again continues.</summary>
public sealed record CheckpointContents(TrainerPosition position, TrainingHistory history, IReadOnlyDictionary<string, string> metadata, HistoryLog history_log);

/// <summary>
/// A checkpoint's history: <paramref name="file"/>, beside the checkpoint, holds one JSON line per step and per epoch
/// (<c>{"step": ...}</c>, <c>{"epoch": ...}</c>) in the order they ended, and its first <paramref name="bytes"/> bytes (with
/// CRC-32 <paramref name="crc32"/>) are the checkpoint's <paramref name="steps"/> and <paramref name="epochs"/> records. The
/// file is only ever appended to, so a save writes what ended since the last save and costs the same at step 1,000,000
/// as at step 10; bytes after the checkpoint's part (a save killed after appending) are cut off by the next save.
/// </summary>
public sealed record HistoryLog(string file, long steps, long epochs, long bytes, uint crc32);

/// <summary>
/// A training run in one safetensors file, readable by Python's safetensors too: tensors "model.{key}" (the model's
/// state_dict) and "optimizer.{i}.state.{index}.{name}" (each optimizer's flat state); metadata "optimizer.{i}.{key}"
/// and "scheduler.{i}.{key}" (as <see cref="FlatStateDict"/> writes them), "position", "stopped" and "history" (the
/// <see cref="HistoryLog"/> holding the step and epoch records), and "user.{key}" for the caller's own strings.
/// </summary>
public static class Checkpoint
{
    const string Format = "vaelab-checkpoint-3";
    const string UserPrefix = "user.";
    const string HistoryLogExtension = ".history";

    static readonly JsonSerializerOptions Json = new()
    {
        NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals, DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    };

    /// <summary>A line of the history log: one of the two.</summary>
    sealed record HistoryLine(StepRecord? step = null, EpochRecord? epoch = null);

    /// <summary>
    /// Writes the run to <paramref name="path"/>, atomically, and its history to the log beside it: the log
    /// <paramref name="continuing"/> names (the one this path's last save or load gave) gets the records it lacks; without
    /// one, a new log is written whole. Returns the log to continue next time. Logs and temporary files of earlier
    /// saves that the new checkpoint does not use are removed.
    /// </summary>
    public static HistoryLog save(string path, nn.Module model, IReadOnlyList<Optimizer> optimizers, IReadOnlyList<LRScheduler> schedulers,
        TrainerPosition position, TrainingHistory history, IReadOnlyDictionary<string, string>? metadata = null, HistoryLog? continuing = null)
    {
        var directory = Path.GetDirectoryName(Path.GetFullPath(path))!;
        Directory.CreateDirectory(directory);
        var log = Append(path, history, continuing);

        // TorchSharp's state_dict holds the module's own tensors, and the optimizers' states are theirs too: nothing to free.
        var tensors = model.state_dict().ToDictionary(e => $"model.{e.Key}", e => e.Value);
        var meta = new Dictionary<string, string>
        {
            ["format"] = Format,
            ["position"] = JsonSerializer.Serialize(position, Json),
            ["stopped"] = JsonSerializer.Serialize(history.stopped, Json),
            ["history"] = JsonSerializer.Serialize(log, Json),
        };
        for (var i = 0; i < optimizers.Count; i++)
        {
            var (flat, flatMeta) = optimizers[i].flat_state_dict();
            foreach (var (key, t) in flat) tensors[$"optimizer.{i}.{key}"] = t;
            foreach (var (key, value) in flatMeta) meta[$"optimizer.{i}.{key}"] = value;
        }
        for (var i = 0; i < schedulers.Count; i++)
            foreach (var (key, value) in schedulers[i].flat_state_dict()) meta[$"scheduler.{i}.{key}"] = value;
        foreach (var (key, value) in metadata ?? new Dictionary<string, string>()) meta[UserPrefix + key] = value;

        safetensors.save_file(tensors, path, meta);
        // Only now does no checkpoint use the other logs. (Loading leaves them: a run saving meanwhile may be using one.)
        foreach (var other in Directory.GetFiles(directory, Path.GetFileName(path) + ".*" + HistoryLogExtension))
            if (Path.GetFileName(other) != log.file) File.Delete(other);
        return log;
    }

    static HistoryLog Append(string path, TrainingHistory history, HistoryLog? continuing)
    {
        var directory = Path.GetDirectoryName(Path.GetFullPath(path))!;
        var usable = continuing is not null && continuing.steps <= history.steps.Count && continuing.epochs <= history.epochs.Count
                     && IsHistoryLogOf(path, continuing.file) && File.Exists(Path.Combine(directory, continuing.file))
                     && new FileInfo(Path.Combine(directory, continuing.file)).Length >= continuing.bytes;
        var log = usable ? continuing! : new HistoryLog($"{Path.GetFileName(path)}.{Guid.NewGuid():N}{HistoryLogExtension}", 0, 0, 0, 0);
        using var stream = new FileStream(Path.Combine(directory, log.file), FileMode.OpenOrCreate, FileAccess.Write);
        stream.SetLength(log.bytes);
        stream.Position = log.bytes;
        var (bytes, crc) = (log.bytes, log.crc32);
        void Write(HistoryLine record)
        {
            byte[] line = [.. JsonSerializer.SerializeToUtf8Bytes(record, Json), (byte)'\n'];
            stream.Write(line);
            (bytes, crc) = (bytes + line.Length, Crc32.Append(crc, line));
        }
        // In the order they ended: an epoch's record after its steps.
        var step = (int)log.steps;
        for (var e = (int)log.epochs; e < history.epochs.Count; e++)
        {
            for (; step < history.steps.Count && history.steps[step].epoch <= history.epochs[e].epoch; step++) Write(new(step: history.steps[step]));
            Write(new(epoch: history.epochs[e]));
        }
        for (; step < history.steps.Count; step++) Write(new(step: history.steps[step]));
        stream.Flush(flushToDisk: true);
        return new HistoryLog(log.file, history.steps.Count, history.epochs.Count, bytes, crc);
    }

    static bool IsHistoryLogOf(string path, string file) =>
        Path.GetFileName(file) == file && file.StartsWith(Path.GetFileName(path) + ".", StringComparison.Ordinal)
        && file.EndsWith(HistoryLogExtension, StringComparison.Ordinal);

    /// <summary>
    /// Puts the saved states back into the model, the optimizers and the schedulers (which must be built as when
    /// saved, in the same order), and returns the position, the history and the caller's metadata.
    /// </summary>
    public static CheckpointContents load(string path, nn.Module model, IReadOnlyList<Optimizer> optimizers, IReadOnlyList<LRScheduler> schedulers)
    {
        var meta = ReadChecked(path);
        var log = Read<HistoryLog>(path, meta, "history");
        if (!IsHistoryLogOf(path, log.file) || log.steps < 0 || log.epochs < 0 || log.bytes < 0)
            throw new DataFormatException(path, "metadata 'history'", $"{meta["history"]} does not name a history log of this checkpoint and a part of it");
        var history = ReadHistory(Path.Combine(Path.GetDirectoryName(Path.GetFullPath(path))!, log.file), log, Read<bool>(path, meta, "stopped"));
        var tensors = safetensors.load_file(path);
        try
        {
            LoadModel(path, model, tensors);
            for (var i = 0; i < optimizers.Count; i++)
            {
                var prefix = $"optimizer.{i}.";
                var flatMeta = WithPrefix(meta, prefix);
                if (flatMeta.Count == 0)
                    throw new ArgumentException($"{path}: the checkpoint has no optimizer {i} (it was saved with fewer optimizers)", nameof(optimizers));
                try { optimizers[i].load_flat_state_dict(WithPrefix(tensors, prefix), flatMeta); }
                catch (ArgumentException e) { throw new ArgumentException($"{path}: optimizer {i}: {e.Message}", nameof(optimizers), e); }
            }
            for (var i = 0; i < schedulers.Count; i++)
            {
                var flatMeta = WithPrefix(meta, $"scheduler.{i}.");
                if (flatMeta.Count == 0)
                    throw new ArgumentException($"{path}: the checkpoint has no scheduler {i} (it was saved with fewer schedulers)", nameof(schedulers));
                try { schedulers[i].load_flat_state_dict(flatMeta); }
                catch (ArgumentException e) { throw new ArgumentException($"{path}: scheduler {i}: {e.Message}", nameof(schedulers), e); }
            }
            return new CheckpointContents(Read<TrainerPosition>(path, meta, "position"), history, UserMetadata(meta), log);
        }
        finally
        {
            foreach (var t in tensors.Values) t.Dispose();
        }
    }

    /// <summary>Loads only the model's weights (for sampling or evaluation) and returns the caller's metadata.</summary>
    public static IReadOnlyDictionary<string, string> load_model(string path, nn.Module model)
    {
        var meta = ReadChecked(path);
        var tensors = safetensors.load_file(path);
        try
        {
            LoadModel(path, model, tensors);
            return UserMetadata(meta);
        }
        finally
        {
            foreach (var t in tensors.Values) t.Dispose();
        }
    }

    /// <summary>The records of the checkpoint's part of its history log, checked against the length and CRC-32 it gives.</summary>
    static TrainingHistory ReadHistory(string file, HistoryLog log, bool stopped)
    {
        using var stream = File.OpenRead(file);
        if (log.bytes > Array.MaxLength)
            throw new DataFormatException(file, "length", $"{log.bytes} bytes of history are too many to read into memory");
        var bytes = StreamBytes.ReadExactly(stream, log.bytes, n => new DataFormatException(file, $"byte {n}",
            $"the file ends before the {log.bytes} bytes of history its checkpoint counts (truncated)"));
        if (Crc32.Append(0, bytes) != log.crc32)
            throw new DataFormatException(file, $"bytes 0-{log.bytes}", "the history does not match the CRC-32 its checkpoint gives (changed or corrupt)");
        var (steps, epochs) = (new List<StepRecord>(), new List<EpochRecord>());
        var number = 0;
        for (var rest = bytes.AsSpan(); !rest.IsEmpty;)
        {
            var end = rest.IndexOf((byte)'\n');
            var line = end < 0 ? rest : rest[..end];
            rest = end < 0 ? [] : rest[(end + 1)..];
            number++;
            HistoryLine? record;
            try { record = JsonSerializer.Deserialize<HistoryLine>(line, Json); }
            catch (JsonException e) { throw new DataFormatException(file, $"line {number}", $"not a step or epoch record: {e.Message}", e); }
            if (record is { step: { } step, epoch: null }) steps.Add(step);
            else if (record is { step: null, epoch: { } epoch }) epochs.Add(epoch);
            else throw new DataFormatException(file, $"line {number}", "not a step or epoch record");
        }
        if (steps.Count != log.steps || epochs.Count != log.epochs)
            throw new DataFormatException(file, $"line {number}", $"{steps.Count} steps and {epochs.Count} epochs where the checkpoint counts {log.steps} and {log.epochs}");
        return new TrainingHistory(steps, epochs, stopped);
    }

    /// <summary>The checkpoint's metadata, once its format is checked; what killed saves of it left behind goes first.</summary>
    static Dictionary<string, string> ReadChecked(string path)
    {
        safetensors.remove_orphaned_temporaries(path);
        var meta = safetensors.read_metadata(path);
        if (!meta.TryGetValue("format", out var format) || format != Format)
            throw new ArgumentException(format?.StartsWith("vaelab-checkpoint-", StringComparison.Ordinal) == true
                ? $"{path} is a VaeLab checkpoint of format '{format}', which this version does not read (it reads '{Format}')"
                : $"{path} is not a VaeLab checkpoint (its metadata has no format '{Format}')", nameof(path));
        return meta;
    }

    static Dictionary<string, T> WithPrefix<T>(IReadOnlyDictionary<string, T> entries, string prefix) =>
        entries.Where(e => e.Key.StartsWith(prefix, StringComparison.Ordinal)).ToDictionary(e => e.Key[prefix.Length..], e => e.Value);

    static void LoadModel(string path, nn.Module model, Dictionary<string, Tensor> tensors)
    {
        try { model.load_weights(WithPrefix(tensors, "model.")); }
        catch (ArgumentException e) { throw new ArgumentException($"{path}: {e.Message}", nameof(model), e); }
    }

    static T Read<T>(string path, Dictionary<string, string> meta, string key)
    {
        if (!meta.TryGetValue(key, out var text)) throw new ArgumentException($"{path}: the checkpoint has no '{key}' metadata", nameof(path));
        try { return JsonSerializer.Deserialize<T>(text, Json) ?? throw new JsonException("null"); }
        catch (JsonException e) { throw new ArgumentException($"{path}: metadata '{key}' is not a {typeof(T).Name}: {e.Message}", nameof(path), e); }
    }

    static Dictionary<string, string> UserMetadata(Dictionary<string, string> meta) => WithPrefix(meta, UserPrefix);
}
