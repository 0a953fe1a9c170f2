namespace VaeLab.Cli;

/// <summary>One file of a dataset: its path under the dataset's root URL and under the local data folder, and its MD5
/// (hex) where the dataset's publisher gives one.</summary>
sealed record RemoteFile(string Remote, string Local, string? Md5 = null);

/// <summary>
/// A downloadable dataset: its files under <see cref="Root"/>, and for archives the folder they unpack to
/// (whose presence says the archive was already unpacked).
/// </summary>
sealed record DataSource(string Name, string Root, IReadOnlyList<RemoteFile> Files, string? Unpacks = null);

/// <summary>Where the public datasets live, and what to do for those that cannot be fetched with a plain GET.</summary>
static class DataSources
{
    public const string QuickDrawRoot = "https://storage.googleapis.com/quickdraw_dataset/";

    /// <summary>QuickDraw's formats: the remote folder and file extension of each (see experiments-spec.md).</summary>
    public static readonly IReadOnlyDictionary<string, (string Folder, string Extension)> QuickDrawFormats =
        new Dictionary<string, (string, string)>
        {
            ["raw"] = ("full/raw", ".ndjson"),
            ["simplified"] = ("full/simplified", ".ndjson"),
            ["bin"] = ("full/binary", ".bin"),
            ["bitmap"] = ("full/numpy_bitmap", ".npy"),
            ["npz"] = ("sketchrnn", ".npz"),
        };

    // The MNIST files are mirrored by PyTorch (torchvision's first mirror): LeCun's own site now refuses most downloads.
    // The MD5s are those torchvision checks MNIST's against, and those Fashion-MNIST's README and the CIFAR page publish.
    public static readonly IReadOnlyDictionary<string, DataSource> Images = new Dictionary<string, DataSource>
    {
        ["mnist"] = Plain("mnist", "https://ossci-datasets.s3.amazonaws.com/mnist/",
            ("train-images-idx3-ubyte.gz", "f68b3c2dcbeaaa9fbdd348bbdeb94873"), ("train-labels-idx1-ubyte.gz", "d53e105ee54ea40749a09fcbcd1e9432"),
            ("t10k-images-idx3-ubyte.gz", "9fb629c4189551a2d022fa330f9573f3"), ("t10k-labels-idx1-ubyte.gz", "ec29112dd5afa0611ce80d1b7f02629c")),
        ["fashion-mnist"] = Plain("fashion-mnist", "http://fashion-mnist.s3-website.eu-central-1.amazonaws.com/",
            ("train-images-idx3-ubyte.gz", "8d4fb7e6c68d591d4c3dfef9ec88bf0d"), ("train-labels-idx1-ubyte.gz", "25c81989df183df01b3e8a0aad5dffbe"),
            ("t10k-images-idx3-ubyte.gz", "bef4ecab320f06d8554ea6380940ec79"), ("t10k-labels-idx1-ubyte.gz", "bb300cfdad3c16e7a12a480ee83cd310")),
        ["cifar-10"] = Plain("cifar-10", "https://www.cs.toronto.edu/~kriz/",
            ("cifar-10-binary.tar.gz", "c32a1d4ab5d03f1284b67883e8d87530")) with { Unpacks = "cifar-10-batches-bin" },
        ["cifar-100"] = Plain("cifar-100", "https://www.cs.toronto.edu/~kriz/",
            ("cifar-100-binary.tar.gz", "03b5dce01913d631647c71ecec9e9cb8")) with { Unpacks = "cifar-100-binary" },
    };

    /// <summary>Datasets behind a sign-up or too large to fetch casually: what to do instead.</summary>
    public static readonly IReadOnlyDictionary<string, string> Manual = new Dictionary<string, string>
    {
        ["celeba"] = "CelebA is shared through Google Drive behind a usage agreement: accept it at "
            + "https://mmlab.ie.cuhk.edu.hk/projects/CelebA.html, download img_align_celeba.zip (1.4 GB) and "
            + "list_eval_partition.txt, and unzip them into data/celeba/ (giving data/celeba/img_align_celeba/*.jpg).",
        ["coco"] = "COCO is large (train2017.zip is 18 GB): download what you need from https://cocodataset.org/#download "
            + "(e.g. http://images.cocodataset.org/zips/val2017.zip, 1 GB) and unzip it into data/coco/.",
        ["food-101"] = "Food-101 is a 5 GB archive: download https://data.vision.ee.ethz.ch/cvl/datasets_extra/food-101/food-101.tar.gz "
            + "and unpack it into data/ (giving data/food-101/images/<class>/*.jpg, readable as an image folder).",
    };

    /// <summary>The QuickDraw files of <paramref name="categories"/> in one format, cached as data/quickdraw/&lt;format&gt;/&lt;category&gt;.</summary>
    public static DataSource QuickDraw(IReadOnlyList<string> categories, string format)
    {
        if (!QuickDrawFormats.TryGetValue(format, out var layout))
            throw new ArgumentException($"--format '{format}' is not one of {string.Join(", ", QuickDrawFormats.Keys)}", nameof(format));
        if (categories.Count == 0) throw new ArgumentException("--categories names no category (e.g. --categories cat,sun)", nameof(categories));
        return new DataSource("quickdraw", QuickDrawRoot, [.. categories.Select(c => new RemoteFile(
            $"{layout.Folder}/{Uri.EscapeDataString(c)}{layout.Extension}",
            Path.Combine("quickdraw", format, c + layout.Extension)))]);
    }

    static DataSource Plain(string name, string root, params (string File, string Md5)[] files) =>
        new(name, root, [.. files.Select(f => new RemoteFile(f.File, Path.Combine(name, f.File), f.Md5))]);
}
