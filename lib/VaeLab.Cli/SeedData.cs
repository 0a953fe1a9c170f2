using VaeLab.Data.Images;

namespace VaeLab.Cli;

/// <summary>
/// The datasets of seed 004's --dataset flag, where `vaelab data get` puts them: data/&lt;name&gt; in the current folder
/// (CelebA in data/celeba), except Fashion-MNIST, which Debian's dataset-fashion-mnist package installs. --data_dir
/// points elsewhere. Like the seed's, cifar-100 here loads CIFAR-100 (the seed's loads CIFAR-10, a defect).
/// </summary>
static class SeedData
{
    public static readonly string[] Names = ["mnist", "fashion-mnist", "cifar-10", "cifar-100", "celeb-a"];

    public sealed record Split(IDataset<LabeledImage> Images, int Channels);

    /// <summary>The split ("train" or "test"), its first <paramref name="limit"/> images when not 0.</summary>
    public static Split Load(string name, string split, int limit, string? directory)
    {
        try { return Read(name, split, limit, directory ?? DefaultFolder(name)); }
        catch (FileNotFoundException e) when (directory is null && name != "fashion-mnist")
        {
            throw new FileNotFoundException($"{e.Message} (vaelab data get {(name == "celeb-a" ? "celeba" : name)} fetches it; --data_dir reads it from elsewhere)", e.FileName, e);
        }
    }

    static Split Read(string name, string split, int limit, string folder)
    {
        int? first = limit > 0 ? limit : null;
        switch (name)
        {
            case "celeb-a":
                var faces = ImageFolder.CelebA(folder, split);
                return new Split(limit > 0 && limit < faces.Count ? new Subset<LabeledImage>(faces, [.. Enumerable.Range(0, limit)]) : faces, 3);
            default:
                var images = name switch
                {
                    "mnist" => Mnist.Load(folder, split, first),
                    "fashion-mnist" => FashionMnist.Load(split, first, folder),
                    "cifar-10" => Cifar.Load10(folder, split, first),
                    "cifar-100" => Cifar.Load100(folder, split, limit: first),
                    _ => throw new UsageException($"--dataset '{name}' is not one of {string.Join(", ", Names)}"),
                };
                return new Split(images, images.Channels);
        }
    }

    static string DefaultFolder(string name) => name switch
    {
        "fashion-mnist" => FashionMnist.DefaultDirectory,
        "celeb-a" => Path.Combine("data", "celeba"),
        _ => Path.Combine("data", name),
    };
}
