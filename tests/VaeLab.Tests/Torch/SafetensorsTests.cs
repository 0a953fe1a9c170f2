using System.Buffers.Binary;
using System.Runtime.InteropServices;
using System.Text;
using System.Text.Json;
using VaeLab.Data;

namespace VaeLab.Tests.Torch;

[Collection(TrainingSerial.Name)]
public sealed class SafetensorsTests : IDisposable
{
    // The format's dtype names, as the safetensors spec lists them.
    static readonly Dictionary<string, ScalarType> SpecDtypes = new()
    {
        ["F64"] = ScalarType.Float64, ["F32"] = ScalarType.Float32, ["F16"] = ScalarType.Float16, ["BF16"] = ScalarType.BFloat16,
        ["I64"] = ScalarType.Int64, ["I32"] = ScalarType.Int32, ["I16"] = ScalarType.Int16, ["I8"] = ScalarType.Int8,
        ["U8"] = ScalarType.Byte, ["BOOL"] = ScalarType.Bool,
    };

    readonly DirectoryInfo folder = Directory.CreateTempSubdirectory("vaelab-safetensors-");

    public void Dispose() => folder.Delete(recursive: true);

    string PathOf(string name) => Path.Combine(folder.FullName, name);

    static string FixturePath(string name) => Path.Combine(AppContext.BaseDirectory, "fixtures", "torch", name);

    /// <summary>
    /// example.safetensors comes from tests/fixtures/torch/gen_safetensors.py, a Python writer of its own;
    /// safetensors.json holds the values it wrote, each as exact numbers (the narrow dtypes widened).
    /// </summary>
    [Fact]
    public void LoadsTheFileOfAnIndependentPythonWriter()
    {
        using var fixture = JsonDocument.Parse(File.ReadAllText(FixturePath("safetensors.json")));
        var cases = fixture.RootElement.GetProperty("cases");
        using var scope = NewDisposeScope();
        var loaded = safetensors.load_file(FixturePath("example.safetensors"));

        var names = cases.EnumerateObject().Select(c => c.Name).Where(n => n != "__metadata__").ToArray();
        Assert.Equal(names.Order(), loaded.Keys.Order());
        foreach (var name in names)
        {
            var args = cases.GetProperty(name).GetProperty("args");
            var value = cases.GetProperty(name).GetProperty("outputs").GetProperty("value");
            var t = loaded[name];
            Assert.Equal(SpecDtypes[args.GetProperty("dtype").GetString()!], t.dtype);
            var shape = args.GetProperty("shape").EnumerateArray().Select(e => e.GetInt64()).ToArray();
            Assert.Equal(shape, t.shape);
            var data = value.GetProperty("data").EnumerateArray();
            // Every recorded integer fits a long and every recorded float (F16 and BF16 included) a double, exactly.
            var expected = value.GetProperty("dtype").GetString()!.StartsWith("float")
                ? tensor(data.Select(e => e.GetDouble()).ToArray()).reshape(shape)
                : tensor(data.Select(e => e.GetInt64()).ToArray()).reshape(shape);
            Assert.True(expected.Equals(t.to(expected.dtype)), $"values of '{name}' differ");
        }

        var metadata = cases.GetProperty("__metadata__").GetProperty("args");
        Assert.Equal(
            new Dictionary<string, string> { ["format"] = metadata.GetProperty("format").GetString()!, ["note"] = metadata.GetProperty("note").GetString()! },
            safetensors.read_metadata(FixturePath("example.safetensors")));
    }

    [Fact]
    public void RoundTripsEveryDtypeShapeAndLayout()
    {
        using var scope = NewDisposeScope();
        manual_seed(1);
        var tensors = new Dictionary<string, Tensor>
        {
            ["f64"] = randn([3, 2], float64),
            ["f32"] = randn([2, 3, 4]),
            ["f16"] = randn([5], float16),
            ["bf16"] = randn([2, 2], bfloat16),
            ["i64"] = tensor(new long[] { long.MinValue, -1, 0, long.MaxValue }),
            ["i32"] = randint(-1000, 1000, [7], int32),
            ["i16"] = randint(-30000, 30000, [3, 1], int16),
            ["i8"] = randint(-128, 128, [9], int8),
            ["u8"] = randint(0, 256, [4, 4], uint8),
            ["bool"] = rand(6) > 0.5,
            ["scalar"] = tensor(2.5, float64),
            ["empty"] = zeros(0, 4),
            ["transposed"] = randn(3, 5).t(),
            ["narrowed"] = arange(20L).narrow(0, 5, 10),
            ["trained"] = randn([4], requires_grad: true),
        };
        var path = PathOf("all.safetensors");
        safetensors.save_file(tensors, path, new Dictionary<string, string> { ["epoch"] = "3", ["ünïcode"] = "✓" });

        var loaded = safetensors.load_file(path);
        Assert.Equal(tensors.Keys.Order(), loaded.Keys.Order());
        foreach (var (name, original) in tensors)
        {
            Assert.Equal(original.dtype, loaded[name].dtype);
            Assert.Equal(original.shape, loaded[name].shape);
            Assert.True(original.Equals(loaded[name]), $"'{name}' changed in the round trip");
        }
        Assert.Equal(new Dictionary<string, string> { ["epoch"] = "3", ["ünïcode"] = "✓" }, safetensors.read_metadata(path));
    }

    [Fact]
    public void WrittenBytesFollowTheSpecAsAnIndependentReaderSeesThem()
    {
        using var scope = NewDisposeScope();
        var path = PathOf("fixed.safetensors");
        safetensors.save_file(new Dictionary<string, Tensor>
        {
            ["bytes"] = tensor(new byte[] { 7, 8, 9 }),
            ["floats"] = tensor(new float[] { 1, 2, 3, 4 }, [2, 2]),
            ["longs"] = tensor(new long[] { -5, 1L << 40, 3 }),
            ["halves"] = tensor(new float[] { 0.5f, -2 }).to(float16),
        }, path, new Dictionary<string, string> { ["format"] = "pt" });

        var file = File.ReadAllBytes(path);
        var n = checked((int)BinaryPrimitives.ReadUInt64LittleEndian(file));
        Assert.Equal(0, n % 8);
        var headerText = Encoding.UTF8.GetString(file, 8, n);
        Assert.Equal(headerText.TrimEnd(' ').Length, headerText.TrimEnd().Length);
        using var header = JsonDocument.Parse(headerText);
        var data = file[(8 + n)..];

        Assert.Equal("pt", header.RootElement.GetProperty("__metadata__").GetProperty("format").GetString());
        var entries = header.RootElement.EnumerateObject().Where(p => p.Name != "__metadata__")
            .Select(p => (name: p.Name,
                dtype: p.Value.GetProperty("dtype").GetString()!,
                shape: p.Value.GetProperty("shape").EnumerateArray().Select(e => e.GetInt64()).ToArray(),
                begin: p.Value.GetProperty("data_offsets")[0].GetInt32(),
                end: p.Value.GetProperty("data_offsets")[1].GetInt32()))
            .OrderBy(e => e.begin).ToArray();
        Assert.Equal(4, entries.Length);
        var covered = 0;
        foreach (var e in entries)
        {
            Assert.Equal(covered, e.begin);
            var itemSize = e.dtype switch { "U8" => 1, "F16" => 2, "F32" => 4, "I64" => 8, _ => throw new Xunit.Sdk.XunitException(e.dtype) };
            Assert.Equal(0, (8 + n + e.begin) % itemSize);
            Assert.Equal(e.shape.Aggregate(1L, (a, b) => a * b) * itemSize, e.end - e.begin);
            covered = e.end;
        }
        Assert.Equal(data.Length, covered);

        byte[] Bytes(string name)
        {
            var entry = entries.Single(e => e.name == name);
            return data[entry.begin..entry.end];
        }
        Assert.Equal(new byte[] { 7, 8, 9 }, Bytes("bytes"));
        Assert.Equal(new float[] { 1, 2, 3, 4 }, MemoryMarshal.Cast<byte, float>(Bytes("floats").AsSpan()).ToArray());
        Assert.Equal(new long[] { -5, 1L << 40, 3 }, MemoryMarshal.Cast<byte, long>(Bytes("longs").AsSpan()).ToArray());
        Assert.Equal(new[] { (Half)0.5f, (Half)(-2f) }, MemoryMarshal.Cast<byte, Half>(Bytes("halves").AsSpan()).ToArray());
        Assert.Equal(new long[] { 2, 2 }, entries.Single(e => e.name == "floats").shape);
    }

    [Fact]
    public void AFailedWriteLeavesTheTargetUntouchedAndNoTemporaryFile()
    {
        var path = PathOf("model.safetensors");
        using var kept = tensor(new float[] { 1, 2, 3 });
        safetensors.save_file(new Dictionary<string, Tensor> { ["kept"] = kept }, path);
        var before = File.ReadAllBytes(path);

        // A meta tensor has a dtype and a shape but no data to copy: writing fails after the header.
        using var good = ones(1000);
        using var dataless = empty([4], device: META);
        Assert.Throws<System.Runtime.InteropServices.ExternalException>(() =>
            safetensors.save_file(new Dictionary<string, Tensor> { ["a"] = good, ["b"] = dataless }, path));

        Assert.Equal(before, File.ReadAllBytes(path));
        Assert.Equal(new[] { path }, Directory.GetFiles(folder.FullName));

        // A successful write replaces the file.
        safetensors.save_file(new Dictionary<string, Tensor> { ["a"] = good }, path);
        using var scope = NewDisposeScope();
        Assert.Equal(new[] { "a" }, safetensors.load_file(path).Keys);
        Assert.Equal(new[] { path }, Directory.GetFiles(folder.FullName));
    }

    [Fact]
    public void RejectsATensorNamedLikeTheMetadata()
    {
        using var t = zeros(1);
        var error = Assert.Throws<ArgumentException>(() =>
            safetensors.save_file(new Dictionary<string, Tensor> { ["__metadata__"] = t }, PathOf("x.safetensors")));
        Assert.Contains("__metadata__", error.Message);
        Assert.Empty(Directory.GetFiles(folder.FullName));
    }

    [Fact]
    public void RefusesToWriteAHeaderThatReadersWouldRefuse()
    {
        var path = PathOf("huge-metadata.safetensors");
        using var t = zeros(1);
        void Refused(Dictionary<string, string> metadata, string size)
        {
            var error = Assert.Throws<ArgumentException>(() => safetensors.save_file(new Dictionary<string, Tensor> { ["t"] = t }, path, metadata));
            Assert.Equal("metadata", error.ParamName);
            Assert.StartsWith($"{path}: the header would take {size}", error.Message);
            Assert.Contains($" bytes, over the {safetensors.MaxHeaderBytes} that safetensors readers", error.Message);
            Assert.Empty(Directory.GetFiles(folder.FullName));
        }

        // More characters (11 keys of 6 or 7 and 11 values of 10^7) than the limit has bytes, refused before encoding.
        var tenMillion = new string('x', 10_000_000);
        Refused(Enumerable.Range(0, 11).ToDictionary(i => $"part {i}", _ => tenMillion), "at least 110000067 bytes");
        // Fewer characters, but JSON escapes each of these as six bytes (\u00E9).
        var accents = new string('é', 8_500_000);
        Refused(new Dictionary<string, string> { ["a"] = accents, ["b"] = accents }, "1020000");  // and a few bytes of JSON
    }

    [Fact]
    public void RefusesAHeaderLengthOverTheLimitBeforeReadingIt()
    {
        // A sparse file long enough to hold the header its length field claims.
        var path = PathOf("huge-header.safetensors");
        var claimed = safetensors.MaxHeaderBytes + 8;
        using (var stream = File.Create(path))
        {
            Span<byte> length = stackalloc byte[8];
            BinaryPrimitives.WriteUInt64LittleEndian(length, (ulong)claimed);
            stream.Write(length);
            stream.SetLength(8 + claimed);
        }
        var error = Assert.Throws<DataFormatException>(() => safetensors.load_file(path));
        Assert.Equal(path, error.File);
        Assert.Contains($"{claimed} exceeds the limit of {safetensors.MaxHeaderBytes} bytes", error.Message);
    }

    // A header (padded as the spec allows) followed by dataBytes zero bytes.
    static byte[] FileWith(string header, int dataBytes)
    {
        var json = Encoding.UTF8.GetBytes(header);
        var file = new byte[8 + json.Length + dataBytes];
        BinaryPrimitives.WriteUInt64LittleEndian(file, (ulong)json.Length);
        json.CopyTo(file, 8);
        return file;
    }

    // The file with its first byte equal to marker replaced: how invalid UTF-8 gets into a header.
    static byte[] Replaced(byte[] file, char marker, byte value)
    {
        file[Array.IndexOf(file, (byte)marker)] = value;
        return file;
    }

    static string Entry(string name, string dtype, string shape, long begin, long end) =>
        $"\"{name}\": {{\"dtype\": \"{dtype}\", \"shape\": {shape}, \"data_offsets\": [{begin}, {end}]}}";

    public static TheoryData<string, byte[], string> CorruptFiles()
    {
        var lengthBeyond = new byte[16];
        BinaryPrimitives.WriteUInt64LittleEndian(lengthBeyond, 9);
        return new()
        {
            { "too short", [1, 2, 3, 4, 5], "header length: the file has 5 bytes, too few" },
            { "header length beyond the file", lengthBeyond, "header length: 9 runs beyond the end of the 16-byte file" },
            { "bad JSON", FileWith("{\"w\": {\"dtype\": ", 0), "header: not valid JSON" },
            { "not an object", FileWith("[1, 2]  ", 0), "must start with '{'" },
            { "invalid UTF-8 in a name", Replaced(FileWith("{" + Entry("w#", "U8", "[1]", 0, 1) + "}", 1), '#', 0xFF), "header: not valid UTF-8 (byte 3 of the header)" },
            { "invalid UTF-8 in metadata", Replaced(FileWith("{\"__metadata__\": {\"a\": \"#\"}}", 0), '#', 0xC3), "header: not valid UTF-8" },
            { "unknown dtype", FileWith("{" + Entry("w", "F8_E4M3", "[4]", 0, 4) + "}", 4), "tensor 'w': unknown dtype 'F8_E4M3'" },
            { "offsets out of range", FileWith("{" + Entry("w", "F32", "[4]", 0, 16) + "}", 8), "tensor 'w': data_offsets [0, 16] run past" },
            { "offsets not matching the shape", FileWith("{" + Entry("w", "F32", "[2, 3]", 0, 16) + "}", 16), "tensor 'w': data_offsets [0, 16] span 16 bytes but shape [2, 3] of F32 needs 24" },
            { "shape overflowing", FileWith("{" + Entry("w", "F32", "[4294967296, 4294967296]", 0, 0) + "}", 0), "tensor 'w': shape [4294967296, 4294967296] is too large" },
            { "empty shape with overflowing strides", FileWith("{" + Entry("w", "U8", "[0, 4611686018427387904, 4]", 0, 0) + "}", 0), "tensor 'w': shape [0, 4611686018427387904, 4] is too large" },
            { "offsets reversed", FileWith("{" + Entry("w", "U8", "[0]", 4, 0) + "}", 4), "tensor 'w': data_offsets [4, 0] end before" },
            { "overlap", FileWith("{" + Entry("a", "F32", "[2]", 0, 8) + ", " + Entry("b", "F32", "[2]", 4, 12) + "}", 12), "tensor 'b': data_offsets [4, 12] overlap those of 'a'" },
            { "gap", FileWith("{" + Entry("a", "F32", "[1]", 0, 4) + ", " + Entry("b", "F32", "[1]", 8, 12) + "}", 12), "tensor 'b': data_offsets [8, 12] leave a gap of 4 bytes" },
            { "uncovered tail", FileWith("{" + Entry("a", "F32", "[1]", 0, 4) + "}", 8), "data: data_offsets cover 4 bytes but the file holds 8" },
            { "duplicate names", FileWith("{" + Entry("a", "U8", "[1]", 0, 1) + ", " + Entry("a", "U8", "[1]", 1, 2) + "}", 2), "'a' appears twice" },
            { "negative dim", FileWith("{" + Entry("w", "F32", "[-1]", 0, 0) + "}", 0), "tensor 'w': shape holds -1" },
            { "offset beyond long", FileWith("{\"w\": {\"dtype\": \"U8\", \"shape\": [1], \"data_offsets\": [0, 9223372036854775808]}}", 0), "tensor 'w': data_offsets holds 9223372036854775808" },
            { "missing offsets", FileWith("{\"w\": {\"dtype\": \"F32\", \"shape\": [1]}}", 4), "tensor 'w': data_offsets is missing" },
            { "three offsets", FileWith("{\"w\": {\"dtype\": \"U8\", \"shape\": [1], \"data_offsets\": [0, 1, 2]}}", 1), "tensor 'w': data_offsets must hold two" },
            { "missing dtype", FileWith("{\"w\": {\"shape\": [1], \"data_offsets\": [0, 1]}}", 1), "tensor 'w': dtype is missing" },
            { "entry not an object", FileWith("{\"w\": 3}", 0), "tensor 'w': entry must be an object" },
            { "metadata not strings", FileWith("{\"__metadata__\": {\"epoch\": 3}}", 0), "__metadata__: 'epoch' must be a string" },
        };
    }

    [Theory]
    [MemberData(nameof(CorruptFiles))]
    public void RejectsACorruptFileNamingItAndTheFaultyField(string what, byte[] contents, string expected)
    {
        var path = PathOf(what.Replace(' ', '_') + ".safetensors");
        File.WriteAllBytes(path, contents);
        var loadError = Assert.Throws<DataFormatException>(() => safetensors.load_file(path));
        Assert.StartsWith(path + ": ", loadError.Message);
        Assert.Contains(expected, loadError.Message);
        Assert.Equal(path, loadError.File);
        Assert.Contains(expected, Assert.Throws<DataFormatException>(() => safetensors.read_metadata(path)).Message);
    }

    [Fact]
    public void AFileCutShortInsideTheDataIsRejected()
    {
        var path = PathOf("cut.safetensors");
        using (var t = arange(0.0, 64.0))
            safetensors.save_file(new Dictionary<string, Tensor> { ["t"] = t }, path);
        var bytes = File.ReadAllBytes(path);
        File.WriteAllBytes(path, bytes[..^10]);
        var error = Assert.Throws<DataFormatException>(() => safetensors.load_file(path));
        Assert.Contains("tensor 't'", error.Message);
    }

    [Fact]
    public void AnEmptyDictionaryMakesAValidFile()
    {
        var path = PathOf("empty.safetensors");
        safetensors.save_file(new Dictionary<string, Tensor>(), path);
        var bytes = File.ReadAllBytes(path);
        Assert.Equal(16, bytes.Length);
        Assert.Equal("{}      ", Encoding.UTF8.GetString(bytes, 8, 8));
        Assert.Empty(safetensors.load_file(path));
        Assert.Empty(safetensors.read_metadata(path));
    }

    [Fact]
    public void ASaveRemovesTheTemporaryFilesOfKilledSavesButNotOneBeingWritten()
    {
        var path = PathOf("run.safetensors");
        var killed = PathOf($".run.safetensors.{Guid.NewGuid():N}.tmp");
        var writing = PathOf($".run.safetensors.{Guid.NewGuid():N}.tmp");
        var otherTarget = PathOf($".other.safetensors.{Guid.NewGuid():N}.tmp");
        foreach (var file in new[] { killed, writing, otherTarget }) File.WriteAllBytes(file, new byte[10]);
        using (var held = new FileStream(writing, FileMode.Open, FileAccess.Write, FileShare.None))
        using (var t = ones(3))
            safetensors.save_file(new Dictionary<string, Tensor> { ["t"] = t }, path);
        Assert.Equal(new[] { otherTarget, path, writing }.Order(), Directory.GetFiles(folder.FullName).Order());
    }
}
