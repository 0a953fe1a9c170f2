using System.Buffers.Binary;
using System.Text;
using System.Text.Json;
using Microsoft.Win32.SafeHandles;
using static VaeLab.Torch.Native.NativeMethods;

namespace VaeLab.Torch;

/// <summary>A .safetensors file that breaks the format; the message names the file and the field at fault.</summary>
public sealed class SafetensorsFormatException(string path, string problem) : IOException($"{path}: {problem}")
{
    public string FilePath { get; } = path;
}

/// <summary>
/// Hugging Face's safetensors format, as <c>safetensors.torch</c> reads and writes it: an 8-byte
/// little-endian header length N, N bytes of UTF-8 JSON naming each tensor's dtype, shape and byte
/// range (plus an optional "__metadata__" map of strings), then the raw little-endian row-major bytes.
/// </summary>
public static class safetensors
{
    const string MetadataKey = "__metadata__";

    // The reference implementation refuses larger headers; so do we, before allocating for one.
    const long MaxHeaderBytes = 100_000_000;

    // Tensor bytes move between file and tensor memory in pieces a Span can address.
    const int ChunkBytes = 1 << 30;

    static readonly (string name, ScalarType type)[] Dtypes =
    [
        ("F64", ScalarType.Float64), ("F32", ScalarType.Float32), ("F16", ScalarType.Float16), ("BF16", ScalarType.BFloat16),
        ("I64", ScalarType.Int64), ("I32", ScalarType.Int32), ("I16", ScalarType.Int16), ("I8", ScalarType.Int8),
        ("U8", ScalarType.Byte), ("BOOL", ScalarType.Bool),
    ];

    sealed record Entry(string Name, ScalarType Dtype, long[] Shape, long Begin, long End);

    /// <summary>
    /// Writes the tensors (copied to CPU where needed) and optional metadata. The file appears whole or
    /// not at all: it is written to a temporary file in the same folder, flushed to disk, then renamed
    /// over the target.
    /// </summary>
    public static void save_file(IReadOnlyDictionary<string, Tensor> tensors, string path, IReadOnlyDictionary<string, string>? metadata = null)
    {
        if (tensors.ContainsKey(MetadataKey))
            throw new ArgumentException($"'{MetadataKey}' is reserved for metadata and cannot name a tensor", nameof(tensors));
        var full = Path.GetFullPath(path);
        var temporary = Path.Combine(Path.GetDirectoryName(full)!, $".{Path.GetFileName(full)}.{Guid.NewGuid():N}.tmp");
        try
        {
            using (var stream = new FileStream(temporary, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1 << 16))
            {
                Write(stream, tensors, metadata);
                stream.Flush(flushToDisk: true);
            }
            File.Move(temporary, full, overwrite: true);
        }
        catch
        {
            File.Delete(temporary);
            throw;
        }
    }

    static void Write(FileStream stream, IReadOnlyDictionary<string, Tensor> tensors, IReadOnlyDictionary<string, string>? metadata)
    {
        // Widest elements first: after a header padded to 8 bytes, every tensor then starts aligned
        // to its element size, so readers may map the file and use the data in place.
        var entries = new List<Entry>();
        long offset = 0;
        foreach (var (name, t) in tensors.OrderByDescending(p => p.Value.dtype.ElementSize()).ThenBy(p => p.Key, StringComparer.Ordinal))
        {
            var dtype = t.dtype;
            if (!Dtypes.Any(d => d.type == dtype))
                throw new ArgumentException($"tensor '{name}' has dtype {dtype.Name()}, which safetensors cannot store", nameof(tensors));
            var bytes = t.numel() * dtype.ElementSize();
            entries.Add(new Entry(name, dtype, t.shape, offset, offset + bytes));
            offset += bytes;
        }

        var header = Header(entries, metadata);
        Span<byte> length = stackalloc byte[8];
        BinaryPrimitives.WriteUInt64LittleEndian(length, (ulong)header.Length);
        stream.Write(length);
        stream.Write(header);

        foreach (var entry in entries)
        {
            using var cpu = tensors[entry.Name].cpu();
            using var dense = cpu.contiguous();
            foreach (var chunk in Chunks(dense, entry.End - entry.Begin)) stream.Write(chunk.Span());
        }
    }

    static byte[] Header(List<Entry> entries, IReadOnlyDictionary<string, string>? metadata)
    {
        using var buffer = new MemoryStream();
        using (var json = new Utf8JsonWriter(buffer))
        {
            json.WriteStartObject();
            if (metadata is not null)
            {
                json.WriteStartObject(MetadataKey);
                foreach (var (key, value) in metadata) json.WriteString(key, value);
                json.WriteEndObject();
            }
            foreach (var entry in entries)
            {
                json.WriteStartObject(entry.Name);
                json.WriteString("dtype", Dtypes.First(d => d.type == entry.Dtype).name);
                json.WriteStartArray("shape");
                foreach (var n in entry.Shape) json.WriteNumberValue(n);
                json.WriteEndArray();
                json.WriteStartArray("data_offsets");
                json.WriteNumberValue(entry.Begin);
                json.WriteNumberValue(entry.End);
                json.WriteEndArray();
                json.WriteEndObject();
            }
            json.WriteEndObject();
        }
        while (buffer.Length % 8 != 0) buffer.WriteByte((byte)' ');
        return buffer.ToArray();
    }

    /// <summary>Reads every tensor, each with a single copy from the file into its memory, then moves them to device.</summary>
    public static Dictionary<string, Tensor> load_file(string path, Device? device = null)
    {
        if (!BitConverter.IsLittleEndian) throw new PlatformNotSupportedException("safetensors data is little-endian; this machine is not");
        using var file = File.OpenHandle(path);
        var (entries, _, dataStart) = ReadHeader(file, path);
        var result = new Dictionary<string, Tensor>();
        try
        {
            foreach (var entry in entries)
            {
                var t = torch.empty(entry.Shape, entry.Dtype);
                result.Add(entry.Name, t);
                var position = dataStart + entry.Begin;
                foreach (var chunk in Chunks(t, entry.End - entry.Begin))
                {
                    var span = chunk.Span();
                    while (!span.IsEmpty)
                    {
                        var read = RandomAccess.Read(file, span, position);
                        if (read == 0) throw new SafetensorsFormatException(path, $"tensor '{entry.Name}': the file ended while reading its data");
                        span = span[read..];
                        position += read;
                    }
                }
                if (device is not null && device.type != DeviceType.CPU)
                {
                    result[entry.Name] = t.to(device);
                    t.Dispose();
                }
            }
            return result;
        }
        catch
        {
            foreach (var t in result.Values) t.Dispose();
            throw;
        }
    }

    /// <summary>The "__metadata__" strings of the file (empty when it has none); the header is checked as by load_file.</summary>
    public static Dictionary<string, string> read_metadata(string path)
    {
        using var file = File.OpenHandle(path);
        return ReadHeader(file, path).metadata;
    }

    // A window of a CPU tensor's bytes; the tensor must outlive it.
    readonly unsafe struct Chunk(IntPtr start, int length)
    {
        public Span<byte> Span() => new((void*)start, length);
    }

    static IEnumerable<Chunk> Chunks(Tensor t, long bytes)
    {
        if (bytes == 0) yield break;
        var start = vt_data_ptr(t.Handle);
        for (long done = 0; done < bytes; done += ChunkBytes)
            yield return new Chunk(start + (nint)done, (int)Math.Min(ChunkBytes, bytes - done));
    }

    static (List<Entry> entries, Dictionary<string, string> metadata, long dataStart) ReadHeader(SafeFileHandle file, string path)
    {
        var fileLength = RandomAccess.GetLength(file);
        if (fileLength < 8)
            throw new SafetensorsFormatException(path, $"file of {fileLength} bytes is too short for the 8-byte header length");
        Span<byte> lengthBytes = stackalloc byte[8];
        RandomAccess.Read(file, lengthBytes, 0);
        var headerLength = BinaryPrimitives.ReadUInt64LittleEndian(lengthBytes);
        if (headerLength > (ulong)(fileLength - 8))
            throw new SafetensorsFormatException(path, $"header length {headerLength} runs beyond the end of the {fileLength}-byte file");
        if (headerLength > MaxHeaderBytes)
            throw new SafetensorsFormatException(path, $"header length {headerLength} exceeds the limit of {MaxHeaderBytes} bytes");

        var header = new byte[headerLength];
        if (RandomAccess.Read(file, header, 8) != header.Length)
            throw new SafetensorsFormatException(path, "the file ended inside the header");
        if (header.Length == 0 || header[0] != (byte)'{')
            throw new SafetensorsFormatException(path, "header is not a JSON object (it must start with '{')");

        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(header);
        }
        catch (JsonException e)
        {
            throw new SafetensorsFormatException(path, $"header is not valid JSON: {e.Message}");
        }

        var dataLength = fileLength - 8 - (long)headerLength;
        var entries = new List<Entry>();
        var metadata = new Dictionary<string, string>();
        var seen = new HashSet<string>(StringComparer.Ordinal);
        using (document)
        {
            foreach (var property in document.RootElement.EnumerateObject())
            {
                if (!seen.Add(property.Name))
                    throw new SafetensorsFormatException(path, $"'{property.Name}' appears twice in the header");
                if (property.Name == MetadataKey)
                    ReadMetadata(property.Value, metadata, path);
                else
                    entries.Add(ReadEntry(property.Name, property.Value, dataLength, path));
            }
        }
        CheckLayout(entries, dataLength, path);
        return (entries, metadata, 8 + (long)headerLength);
    }

    static void ReadMetadata(JsonElement element, Dictionary<string, string> metadata, string path)
    {
        if (element.ValueKind != JsonValueKind.Object)
            throw new SafetensorsFormatException(path, $"{MetadataKey} must be an object of strings, not {element.ValueKind}");
        foreach (var item in element.EnumerateObject())
        {
            if (item.Value.ValueKind != JsonValueKind.String)
                throw new SafetensorsFormatException(path, $"{MetadataKey} '{item.Name}' must be a string, not {item.Value.ValueKind}");
            if (!metadata.TryAdd(item.Name, item.Value.GetString()!))
                throw new SafetensorsFormatException(path, $"{MetadataKey} '{item.Name}' appears twice");
        }
    }

    static Entry ReadEntry(string name, JsonElement element, long dataLength, string path)
    {
        SafetensorsFormatException Bad(string problem) => new(path, $"tensor '{name}': {problem}");

        if (element.ValueKind != JsonValueKind.Object) throw Bad($"entry must be an object, not {element.ValueKind}");
        if (!element.TryGetProperty("dtype", out var dtypeElement) || dtypeElement.ValueKind != JsonValueKind.String)
            throw Bad("dtype is missing or not a string");
        var dtypeName = dtypeElement.GetString()!;
        var dtype = Dtypes.FirstOrDefault(d => d.name == dtypeName);
        if (dtype.name is null)
            throw Bad($"unknown dtype '{dtypeName}' (known: {string.Join(", ", Dtypes.Select(d => d.name))})");

        var shape = Longs(element, "shape", Bad);
        var offsets = Longs(element, "data_offsets", Bad);
        if (offsets.Length != 2) throw Bad($"data_offsets must hold two numbers, not {offsets.Length}");
        var (begin, end) = (offsets[0], offsets[1]);
        if (begin > end) throw Bad($"data_offsets [{begin}, {end}] end before they begin");
        if (end > dataLength) throw Bad($"data_offsets [{begin}, {end}] run past the {dataLength} data bytes of the file");

        long expected = dtype.type.ElementSize();
        try
        {
            foreach (var n in shape) expected = checked(expected * n);
        }
        catch (OverflowException)
        {
            throw Bad($"shape [{string.Join(", ", shape)}] is too large");
        }
        if (end - begin != expected)
            throw Bad($"data_offsets [{begin}, {end}] span {end - begin} bytes but shape [{string.Join(", ", shape)}] of {dtypeName} needs {expected}");
        return new Entry(name, dtype.type, shape, begin, end);
    }

    static long[] Longs(JsonElement element, string field, Func<string, SafetensorsFormatException> bad)
    {
        if (!element.TryGetProperty(field, out var array) || array.ValueKind != JsonValueKind.Array)
            throw bad($"{field} is missing or not an array");
        return array.EnumerateArray()
            .Select(v => v.ValueKind == JsonValueKind.Number && v.TryGetInt64(out var n) && n >= 0
                ? n
                : throw bad($"{field} holds {v.GetRawText()}, not a non-negative integer"))
            .ToArray();
    }

    // The data section must be covered exactly once: no overlaps, no gaps, nothing left over.
    static void CheckLayout(List<Entry> entries, long dataLength, string path)
    {
        long covered = 0;
        Entry? previous = null;
        foreach (var entry in entries.OrderBy(e => e.Begin).ThenBy(e => e.End))
        {
            if (entry.Begin < covered)
                throw new SafetensorsFormatException(path, $"tensor '{entry.Name}': data_offsets [{entry.Begin}, {entry.End}] overlap those of '{previous!.Name}' [{previous.Begin}, {previous.End}]");
            if (entry.Begin > covered)
                throw new SafetensorsFormatException(path, $"tensor '{entry.Name}': data_offsets [{entry.Begin}, {entry.End}] leave a gap of {entry.Begin - covered} bytes after offset {covered}");
            covered = entry.End;
            previous = entry;
        }
        if (covered != dataLength)
            throw new SafetensorsFormatException(path, $"data_offsets cover {covered} bytes but the file holds {dataLength} data bytes after the header");
    }
}
