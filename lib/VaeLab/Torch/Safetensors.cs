using System.Buffers.Binary;
using System.Text;
using System.Text.Json;
using Microsoft.Win32.SafeHandles;
using TorchSharp;
using VaeLab.Data;
using static TorchSharp.torch;

namespace VaeLab.Torch;

/// <summary>
/// Hugging Face's safetensors format, as <c>safetensors.torch</c> reads and writes it: an 8-byte
/// little-endian header length N, N bytes of UTF-8 JSON naming each tensor's dtype, shape and byte
/// range (plus an optional "__metadata__" map of strings), then the raw little-endian row-major bytes.
/// A file that breaks the format raises <see cref="DataFormatException"/> naming the file and the field at fault.
/// </summary>
public static class safetensors
{
    const string MetadataKey = "__metadata__";
    const string TemporaryExtension = ".tmp";

    /// <summary>
    /// The largest header, in bytes, that load_file reads and save_file writes: the limit of the reference
    /// implementation, so that every file written here can be read back there and here.
    /// </summary>
    public const long MaxHeaderBytes = 100_000_000;

    // Tensor bytes pass between file and tensor memory through a buffer of this size.
    const int BufferBytes = 1 << 20;

    static readonly (string name, ScalarType type, int size)[] Dtypes =
    [
        ("F64", ScalarType.Float64, 8), ("F32", ScalarType.Float32, 4), ("F16", ScalarType.Float16, 2), ("BF16", ScalarType.BFloat16, 2),
        ("I64", ScalarType.Int64, 8), ("I32", ScalarType.Int32, 4), ("I16", ScalarType.Int16, 2), ("I8", ScalarType.Int8, 1),
        ("U8", ScalarType.Byte, 1), ("BOOL", ScalarType.Bool, 1),
    ];

    static readonly UTF8Encoding StrictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    sealed record Entry(string Name, (string name, ScalarType type, int size) Dtype, long[] Shape, long Begin, long End);

    /// <summary>
    /// Writes the tensors (copied to CPU where needed) and optional metadata. The file appears whole or
    /// not at all: it is written to a temporary file in the same folder, flushed to disk, then renamed
    /// over the target; on failure the temporary file is removed and the target left as it was. Temporary
    /// files that killed saves of the same target left behind are removed first.
    /// </summary>
    public static void save_file(IReadOnlyDictionary<string, Tensor> tensors, string path, IReadOnlyDictionary<string, string>? metadata = null)
    {
        if (tensors.ContainsKey(MetadataKey))
            throw new ArgumentException($"'{MetadataKey}' is reserved for metadata and cannot name a tensor", nameof(tensors));
        ArgumentException TooLarge(string size) => new(
            $"{path}: the header would take {size} bytes, over the {MaxHeaderBytes} that safetensors readers (load_file among them) accept; " +
            "keep large data in tensors, not in metadata", nameof(metadata));
        // Every character takes at least a byte: metadata that cannot fit is refused before it is encoded.
        var metadataChars = metadata?.Sum(e => (long)e.Key.Length + e.Value.Length) ?? 0;
        if (metadataChars > MaxHeaderBytes) throw TooLarge($"at least {metadataChars}");
        var entries = Layout(tensors);
        var header = Header(entries, metadata);
        if (header.Length > MaxHeaderBytes) throw TooLarge($"{header.Length}");

        var full = Path.GetFullPath(path);
        remove_orphaned_temporaries(full);
        var temporary = Path.Combine(Path.GetDirectoryName(full)!, $".{Path.GetFileName(full)}.{Guid.NewGuid():N}{TemporaryExtension}");
        try
        {
            using (var stream = new FileStream(temporary, FileMode.CreateNew, FileAccess.Write, FileShare.None, BufferBytes))
            {
                Span<byte> length = stackalloc byte[8];
                BinaryPrimitives.WriteUInt64LittleEndian(length, (ulong)header.Length);
                stream.Write(length);
                stream.Write(header);
                foreach (var entry in entries)
                {
                    using var cpu = tensors[entry.Name].cpu();
                    using var dense = cpu.contiguous();
                    dense.WriteBytesToStream(stream, BufferBytes);
                }
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

    /// <summary>
    /// Removes the temporary files of saves of <paramref name="path"/> that were killed before renaming them. A file
    /// that a save in progress holds (open without sharing, which .NET locks) is left alone.
    /// </summary>
    public static void remove_orphaned_temporaries(string path)
    {
        var full = Path.GetFullPath(path);
        var directory = Path.GetDirectoryName(full)!;
        if (!Directory.Exists(directory)) return;
        foreach (var temporary in Directory.GetFiles(directory, $".{Path.GetFileName(full)}.*{TemporaryExtension}"))
        {
            try
            {
                using var held = new FileStream(temporary, FileMode.Open, FileAccess.ReadWrite, FileShare.None);
                File.Delete(temporary);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                // Another save is writing it, it is gone already, or it is not ours to remove.
            }
        }
    }

    // Widest elements first: after a header padded to 8 bytes, every tensor then starts aligned
    // to its element size, so readers may map the file and use the data in place.
    static List<Entry> Layout(IReadOnlyDictionary<string, Tensor> tensors)
    {
        var entries = new List<Entry>();
        long offset = 0;
        foreach (var (name, t) in tensors.OrderByDescending(p => p.Value.ElementSize).ThenBy(p => p.Key, StringComparer.Ordinal))
        {
            var dtype = Dtypes.FirstOrDefault(d => d.type == t.dtype);
            if (dtype.name is null)
                throw new ArgumentException($"tensor '{name}' has dtype {t.dtype}, which safetensors cannot store", nameof(tensors));
            var end = checked(offset + t.numel() * dtype.size);
            entries.Add(new Entry(name, dtype, t.shape, offset, end));
            offset = end;
        }
        return entries;
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
                json.WriteString("dtype", entry.Dtype.name);
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

    /// <summary>
    /// Reads every tensor, then moves them to device. The whole header is checked first (sizes, offsets and
    /// shapes against the file's length), so no tensor is allocated for more bytes than the file holds.
    /// </summary>
    public static Dictionary<string, Tensor> load_file(string path, Device? device = null)
    {
        if (!BitConverter.IsLittleEndian) throw new PlatformNotSupportedException("safetensors data is little-endian; this machine is not");
        using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, BufferBytes);
        var (entries, _, dataStart) = ReadHeader(stream.SafeFileHandle, path);
        var result = new Dictionary<string, Tensor>();
        try
        {
            foreach (var entry in entries)
            {
                var t = empty(entry.Shape, entry.Dtype.type);
                result.Add(entry.Name, t);
                stream.Position = dataStart + entry.Begin;
                try
                {
                    t.ReadBytesFromStream(stream, BufferBytes);
                }
                catch (EndOfStreamException)
                {
                    throw new DataFormatException(path, $"tensor '{entry.Name}'", "the file ended while reading its data");
                }
                if (device is not null && device.type != DeviceType.CPU)
                    result[entry.Name] = t.to(device, disposeAfter: true);
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

    static (List<Entry> entries, Dictionary<string, string> metadata, long dataStart) ReadHeader(SafeFileHandle file, string path)
    {
        var fileLength = RandomAccess.GetLength(file);
        if (fileLength < 8)
            throw new DataFormatException(path, "header length", $"the file has {fileLength} bytes, too few for the 8-byte header length");
        Span<byte> lengthBytes = stackalloc byte[8];
        RandomAccess.Read(file, lengthBytes, 0);
        var headerLength = BinaryPrimitives.ReadUInt64LittleEndian(lengthBytes);
        if (headerLength > (ulong)(fileLength - 8))
            throw new DataFormatException(path, "header length", $"{headerLength} runs beyond the end of the {fileLength}-byte file");
        if (headerLength > MaxHeaderBytes)
            throw new DataFormatException(path, "header length", $"{headerLength} exceeds the limit of {MaxHeaderBytes} bytes");

        var header = new byte[headerLength];
        if (RandomAccess.Read(file, header, 8) != header.Length)
            throw new DataFormatException(path, "header", "the file ended inside the header");
        if (header.Length == 0 || header[0] != (byte)'{')
            throw new DataFormatException(path, "header", "not a JSON object (it must start with '{')");
        // JsonDocument leaves strings undecoded until they are read, and then fails without naming the file.
        try
        {
            StrictUtf8.GetCharCount(header);
        }
        catch (DecoderFallbackException e)
        {
            throw new DataFormatException(path, "header", $"not valid UTF-8 (byte {e.Index} of the header)", e);
        }

        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(header);
        }
        catch (JsonException e)
        {
            throw new DataFormatException(path, "header", $"not valid JSON: {e.Message}", e);
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
                    throw new DataFormatException(path, "header", $"'{property.Name}' appears twice");
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
            throw new DataFormatException(path, MetadataKey, $"must be an object of strings, not {element.ValueKind}");
        foreach (var item in element.EnumerateObject())
        {
            if (item.Value.ValueKind != JsonValueKind.String)
                throw new DataFormatException(path, MetadataKey, $"'{item.Name}' must be a string, not {item.Value.ValueKind}");
            if (!metadata.TryAdd(item.Name, item.Value.GetString()!))
                throw new DataFormatException(path, MetadataKey, $"'{item.Name}' appears twice");
        }
    }

    static Entry ReadEntry(string name, JsonElement element, long dataLength, string path)
    {
        DataFormatException Bad(string problem) => new(path, $"tensor '{name}'", problem);

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

        // Empty dims count as 1 here: libtorch computes strides from the other dims even when a tensor is
        // empty, and fails on overflow there too.
        long extent = dtype.size;
        try
        {
            foreach (var n in shape) extent = checked(extent * Math.Max(n, 1));
        }
        catch (OverflowException)
        {
            throw Bad($"shape [{string.Join(", ", shape)}] is too large");
        }
        var expected = shape.Contains(0) ? 0 : extent;
        if (end - begin != expected)
            throw Bad($"data_offsets [{begin}, {end}] span {end - begin} bytes but shape [{string.Join(", ", shape)}] of {dtypeName} needs {expected}");
        return new Entry(name, dtype, shape, begin, end);
    }

    static long[] Longs(JsonElement element, string field, Func<string, DataFormatException> bad)
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
                throw new DataFormatException(path, $"tensor '{entry.Name}'",
                    $"data_offsets [{entry.Begin}, {entry.End}] overlap those of '{previous!.Name}' [{previous.Begin}, {previous.End}]");
            if (entry.Begin > covered)
                throw new DataFormatException(path, $"tensor '{entry.Name}'",
                    $"data_offsets [{entry.Begin}, {entry.End}] leave a gap of {entry.Begin - covered} bytes after offset {covered}");
            covered = entry.End;
            previous = entry;
        }
        if (covered != dataLength)
            throw new DataFormatException(path, "data", $"data_offsets cover {covered} bytes but the file holds {dataLength} data bytes after the header");
    }
}
