namespace VaeLab.Data.Images;

/// <summary>
/// Image files (JPEG or PNG) with a label each, decoded when a sample is asked for: Food-101, COCO and CelebA
/// through the factories below, or any list of files. Images come as decoded: grey JPEGs have one channel, so
/// pipelines that batch mixed folders (COCO has grey images) start with <see cref="GreyToRgb"/>.
/// </summary>
public sealed class ImageFolder : IDataset<LabeledImage>
{
    public ImageFolder(IReadOnlyList<string> files, IReadOnlyList<long>? labels = null, IReadOnlyList<string>? classes = null)
    {
        labels ??= new long[files.Count];
        classes ??= ["image"];
        if (labels.Count != files.Count) throw new ArgumentException($"{labels.Count} labels for {files.Count} files", nameof(labels));
        for (var i = 0; i < labels.Count; i++)
            if (labels[i] < 0 || labels[i] >= classes.Count)
                throw new ArgumentException($"label {labels[i]} of {files[i]} is not one of the {classes.Count} classes", nameof(labels));
        Files = files;
        Labels = labels;
        Classes = classes;
    }

    public IReadOnlyList<string> Files { get; }
    public IReadOnlyList<long> Labels { get; }
    public IReadOnlyList<string> Classes { get; }
    public int Count => Files.Count;

    public LabeledImage Get(int index) => new(ImageFile.Read(Files[index]).ToFloat(), Labels[index]);

    /// <summary>
    /// Food-101 (<c>food-101/</c>): the images listed in <c>meta/train.txt</c> or <c>meta/test.txt</c>, one
    /// <c>class/id</c> a line, read from <c>images/class/id.jpg</c>, labelled by their place in
    /// <c>meta/classes.txt</c> (or, without it, in the sorted classes of the split file).
    /// </summary>
    public static ImageFolder Food101(string root, string split = "train")
    {
        if (split is not ("train" or "test")) throw new ArgumentException($"split '{split}' is not 'train' or 'test'", nameof(split));
        var list = Path.Combine(root, "meta", split + ".txt");
        if (!File.Exists(list)) throw new FileNotFoundException($"{list} not found: point at the extracted food-101 folder (it holds images/ and meta/)", list);
        var entries = new List<(string Class, string Id)>();
        var lines = File.ReadAllLines(list);
        for (var i = 0; i < lines.Length; i++)
        {
            var line = lines[i].Trim();
            if (line.Length == 0) continue;
            var parts = line.Split('/');
            if (parts.Length != 2 || parts[0].Length == 0 || parts[1].Length == 0)
                throw new DataFormatException(list, $"line {i + 1}", $"'{line}' is not of the form class/id");
            entries.Add((parts[0], parts[1]));
        }
        var classesPath = Path.Combine(root, "meta", "classes.txt");
        IReadOnlyList<string> classes = File.Exists(classesPath)
            ? [.. File.ReadAllLines(classesPath).Select(l => l.Trim()).Where(l => l.Length > 0)]
            : [.. entries.Select(e => e.Class).Distinct().Order(StringComparer.Ordinal)];
        var index = classes.Select((name, k) => (name, k)).ToDictionary(p => p.name, p => (long)p.k);
        var labels = new long[entries.Count];
        for (var i = 0; i < entries.Count; i++)
            labels[i] = index.TryGetValue(entries[i].Class, out var label) ? label
                : throw new DataFormatException(list, $"entry {i + 1}", $"class '{entries[i].Class}' is not in {classesPath}");
        var files = entries.Select(e => Path.Combine(root, "images", e.Class, e.Id + ".jpg")).ToArray();
        if (files.Length > 0 && !File.Exists(files[0])) throw new FileNotFoundException($"{files[0]}, listed first in {list}, not found", files[0]);
        return new ImageFolder(files, labels, classes);
    }

    /// <summary>
    /// COCO images (<c>train2017/</c>, <c>val2017/</c>, <c>test2017/</c>): the image files of the named folders
    /// under <paramref name="root"/>, in name order, folder after folder, all labelled 0. Seed 002 trains on
    /// train2017 + test2017 and validates on val2017.
    /// </summary>
    public static ImageFolder Coco(string root, params string[] folders)
    {
        if (folders.Length == 0) folders = ["train2017"];
        var files = folders.SelectMany(folder =>
        {
            var path = Path.Combine(root, folder);
            if (!Directory.Exists(path)) throw new DirectoryNotFoundException($"COCO folder {path} not found");
            return ListImages(path);
        }).ToArray();
        return new ImageFolder(files);
    }

    /// <summary>
    /// CelebA's aligned faces, <c>img_align_celeba/*.jpg</c> under <paramref name="root"/> (or in it), in name
    /// order, all labelled 0. A split ("train", "valid", "test") keeps the images that
    /// <c>list_eval_partition.txt</c> (or Kaggle's <c>list_eval_partition.csv</c>) puts in it (0, 1, 2).
    /// </summary>
    public static ImageFolder CelebA(string root, string? split = null)
    {
        var folder = Path.Combine(root, "img_align_celeba");
        if (!Directory.Exists(folder)) folder = root;
        var files = ListImages(folder);
        if (files.Length == 0) throw new FileNotFoundException($"no images in {folder}: point at the folder holding img_align_celeba/", folder);
        if (split is null) return new ImageFolder(files);
        var partition = split switch
        {
            "train" => "0",
            "valid" => "1",
            "test" => "2",
            _ => throw new ArgumentException($"split '{split}' is not 'train', 'valid' or 'test'", nameof(split)),
        };
        var listPath = new[] { "list_eval_partition.txt", "list_eval_partition.csv" }.Select(n => Path.Combine(root, n)).FirstOrDefault(File.Exists)
            ?? throw new FileNotFoundException($"a split needs {Path.Combine(root, "list_eval_partition.txt")} (or .csv)");
        var keep = new HashSet<string>(StringComparer.Ordinal);
        var lines = File.ReadAllLines(listPath);
        for (var i = 0; i < lines.Length; i++)
        {
            var line = lines[i].Trim();
            if (line.Length == 0 || (i == 0 && line.StartsWith("image_id", StringComparison.Ordinal))) continue;
            var parts = line.Split([' ', ',', '\t'], StringSplitOptions.RemoveEmptyEntries);
            if (parts.Length != 2 || parts[1] is not ("0" or "1" or "2"))
                throw new DataFormatException(listPath, $"line {i + 1}", $"'{line}' is not 'file partition' with partition 0, 1 or 2");
            if (parts[1] == partition) keep.Add(parts[0]);
        }
        return new ImageFolder(files.Where(f => keep.Contains(Path.GetFileName(f))).ToArray());
    }

    /// <summary>torchvision's ImageFolder layout, <c>root/class/image</c>: classes in name order, labelled by their place.</summary>
    public static ImageFolder FromClassFolders(string root)
    {
        if (!Directory.Exists(root)) throw new DirectoryNotFoundException($"{root} not found");
        var classes = Directory.GetDirectories(root).Select(Path.GetFileName).OfType<string>().Order(StringComparer.Ordinal).ToArray();
        var files = new List<string>();
        var labels = new List<long>();
        for (var k = 0; k < classes.Length; k++)
        {
            var images = ListImages(Path.Combine(root, classes[k]));
            files.AddRange(images);
            labels.AddRange(Enumerable.Repeat((long)k, images.Length));
        }
        return new ImageFolder(files, labels, classes);
    }

    static string[] ListImages(string folder) =>
        Directory.EnumerateFiles(folder).Where(ImageFile.HasImageExtension).Order(StringComparer.Ordinal).ToArray();
}
