namespace VaeLab.Data.Images;

/// <summary>A CIFAR record: its label (CIFAR-100's fine label), CIFAR-100's coarse label, and 3 x 32 x 32 bytes (R, G, B planes).</summary>
public sealed record CifarRecord(int Label, int? CoarseLabel, byte[] Pixels);

/// <summary>
/// The "binary version" of CIFAR-10 and CIFAR-100: fixed-size records, a label byte (CIFAR-100: the coarse then
/// the fine label) and 3072 pixel bytes, the red, green and blue 32x32 planes row by row. CIFAR-10 ships
/// <c>cifar-10-batches-bin/data_batch_1.bin</c>..<c>_5.bin</c>, <c>test_batch.bin</c> and <c>batches.meta.txt</c>
/// (the class names); CIFAR-100 ships <c>cifar-100-binary/train.bin</c>, <c>test.bin</c>,
/// <c>coarse_label_names.txt</c> and <c>fine_label_names.txt</c>.
/// </summary>
public static class Cifar
{
    public const int Side = 32;
    public const int PixelBytes = 3 * Side * Side;
    const string Folder10 = "cifar-10-batches-bin", Folder100 = "cifar-100-binary";

    /// <summary>Reads the records of one CIFAR-10 (<paramref name="cifar100"/> false) or CIFAR-100 file lazily.</summary>
    public static RecordStream<CifarRecord> Read(string path, bool cifar100, ReadOptions? options = null) =>
        new(options, bad => ReadRecords(path, cifar100, bad));

    static IEnumerable<CifarRecord> ReadRecords(string path, bool cifar100, BadRecords bad)
    {
        var labelBytes = cifar100 ? 2 : 1;
        var record = new byte[labelBytes + PixelBytes];
        using var stream = DataFile.OpenRead(path);
        for (var i = 0; ; i++)
        {
            var n = stream.ReadAtLeast(record, record.Length, throwOnEndOfStream: false);
            if (n == 0) yield break;
            if (n < record.Length)
            {
                bad.Skip(new DataFormatException(path, $"record {i}", $"the file ends {n} bytes into a record of {record.Length} (truncated)"));
                yield break;
            }
            int label = record[labelBytes - 1], coarse = record[0];
            if (cifar100 ? label >= 100 || coarse >= 20 : label >= 10)
            {
                bad.Skip(new DataFormatException(path, $"record {i}", cifar100
                    ? $"labels coarse {coarse} / fine {label} are not below 20 / 100"
                    : $"label {label} is not below 10"));
                continue;
            }
            yield return new CifarRecord(label, cifar100 ? coarse : null, record[labelBytes..]);
        }
    }

    /// <summary>
    /// Loads CIFAR-10's "train" (the five data batches) or "test" split from its folder (or the folder holding
    /// <c>cifar-10-batches-bin</c>), at most <paramref name="limit"/> images. Bad records throw; to skip them,
    /// read the files with <see cref="Read"/>.
    /// </summary>
    public static ImageArray Load10(string directory, string split = "train", int? limit = null)
    {
        var files = split switch
        {
            "train" => Enumerable.Range(1, 5).Select(i => $"data_batch_{i}.bin").ToArray(),
            "test" => ["test_batch.bin"],
            _ => throw new ArgumentException($"split '{split}' is not 'train' or 'test'", nameof(split)),
        };
        directory = Locate(directory, Folder10, files[0]);
        var classes = Names(Path.Combine(directory, "batches.meta.txt"), 10);
        return Collect(directory, files, cifar100: false, coarse: false, classes, limit);
    }

    /// <summary>
    /// Loads CIFAR-100's "train" or "test" split from its folder (or the folder holding <c>cifar-100-binary</c>),
    /// labelled with the 100 fine classes, or the 20 coarse superclasses when <paramref name="coarse"/>.
    /// </summary>
    public static ImageArray Load100(string directory, string split = "train", bool coarse = false, int? limit = null)
    {
        if (split is not ("train" or "test")) throw new ArgumentException($"split '{split}' is not 'train' or 'test'", nameof(split));
        directory = Locate(directory, Folder100, $"{split}.bin");
        var classes = coarse
            ? Names(Path.Combine(directory, "coarse_label_names.txt"), 20)
            : Names(Path.Combine(directory, "fine_label_names.txt"), 100);
        return Collect(directory, [$"{split}.bin"], cifar100: true, coarse, classes, limit);
    }

    static string Locate(string directory, string folder, string probe)
    {
        if (File.Exists(Path.Combine(directory, probe))) return directory;
        var inner = Path.Combine(directory, folder);
        if (File.Exists(Path.Combine(inner, probe))) return inner;
        throw new FileNotFoundException($"{probe} is neither in {directory} nor in {inner}: point at the extracted {folder} folder", Path.Combine(directory, probe));
    }

    /// <summary>Class names, one a line (blank lines ignored); numbers when the file is missing.</summary>
    static IReadOnlyList<string> Names(string path, int count)
    {
        if (!File.Exists(path)) return [.. Enumerable.Range(0, count).Select(i => i.ToString())];
        var names = File.ReadAllLines(path).Select(l => l.Trim()).Where(l => l.Length > 0).ToArray();
        if (names.Length != count) throw new DataFormatException(path, "names", $"{names.Length} class names instead of {count}");
        return names;
    }

    static ImageArray Collect(string directory, string[] files, bool cifar100, bool coarse, IReadOnlyList<string> classes, int? limit)
    {
        var pixels = new MemoryStream();
        var labels = new List<long>();
        foreach (var file in files)
        {
            if (labels.Count == limit) break;
            var path = Path.Combine(directory, file);
            if (!File.Exists(path)) throw new FileNotFoundException($"{path} not found", path);
            foreach (var record in Read(path, cifar100))
            {
                if (labels.Count == limit) break;
                pixels.Write(record.Pixels);
                labels.Add(coarse ? record.CoarseLabel!.Value : record.Label);
            }
        }
        return new ImageArray(pixels.ToArray(), 3, Side, Side, [.. labels], classes);
    }
}
