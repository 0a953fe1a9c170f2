using System.Buffers.Binary;

namespace VaeLab.Data.Images;

/// <summary>An IDX array of unsigned bytes: its dimensions and its elements in row-major order.</summary>
public sealed record IdxArray(int[] Shape, byte[] Data)
{
    /// <summary>How many records (entries along the first dimension) it holds.</summary>
    public int Count => Shape[0];
}

/// <summary>
/// Reads IDX files, the format of MNIST and Fashion-MNIST (gzip-compressed or not, told by the content): two
/// zero bytes, a type byte, the number of dimensions, each dimension as a big-endian uint32, then the elements.
/// Only unsigned bytes (type 0x08) are read, which is what image and label files hold.
/// </summary>
public static class Idx
{
    const int UnsignedByte = 0x08;

    /// <summary>Reads the first <paramref name="limit"/> records (all when null) of a file of <paramref name="dimensions"/> dimensions.</summary>
    public static IdxArray Read(string path, int dimensions, int? limit = null)
    {
        using var stream = DataFile.OpenRead(path);
        return Read(stream, path, dimensions, limit);
    }

    /// <summary>Reads from a stream; <paramref name="name"/> names it in errors.</summary>
    public static IdxArray Read(Stream stream, string name, int dimensions, int? limit = null)
    {
        if (limit is < 0) throw new ArgumentOutOfRangeException(nameof(limit), limit, "a number of records, 0 or more");
        Span<byte> magic = stackalloc byte[4];
        if (stream.ReadAtLeast(magic, 4, throwOnEndOfStream: false) < 4)
            throw new DataFormatException(name, "header", "the file is shorter than an IDX header (truncated or empty)");
        if (magic[0] != 0 || magic[1] != 0)
            throw new DataFormatException(name, "header", $"not an IDX file: it starts with {magic[0]:X2} {magic[1]:X2} instead of 00 00");
        if (magic[2] != UnsignedByte)
            throw new DataFormatException(name, "header", $"element type 0x{magic[2]:X2} is not 0x08 (unsigned byte), the only one image and label files use");
        if (magic[3] != dimensions)
            throw new DataFormatException(name, "header", $"{magic[3]} dimensions where {dimensions} are expected ({(dimensions == 3 ? "images" : dimensions == 1 ? "labels" : "")})");

        var shape = new int[dimensions];
        Span<byte> field = stackalloc byte[4];
        for (var d = 0; d < dimensions; d++)
        {
            if (stream.ReadAtLeast(field, 4, throwOnEndOfStream: false) < 4)
                throw new DataFormatException(name, "header", "the file ends inside its dimensions (truncated)");
            var size = BinaryPrimitives.ReadUInt32BigEndian(field);
            if (size > int.MaxValue || (size == 0 && d > 0))
                throw new DataFormatException(name, "header", $"dimension {d} is {size}");
            shape[d] = (int)size;
        }
        var total = shape[0];
        var count = Math.Min(total, limit ?? total);
        // Dimensions up to 2^31 - 1 each: four of them overflow even 64 bits.
        long recordSize = 1, bytes;
        try
        {
            foreach (var n in shape.Skip(1)) recordSize = checked(recordSize * n);
            bytes = checked(recordSize * count);
        }
        catch (OverflowException)
        {
            throw new DataFormatException(name, "header", $"dimensions ({string.Join(", ", shape)}) are too large: their product does not fit 64 bits");
        }
        if (bytes > Array.MaxLength)
            throw new DataFormatException(name, "header", $"{count} records of {recordSize} bytes are too many for one array: pass a limit");

        var data = StreamBytes.ReadExactly(stream, bytes, read => new DataFormatException(name, $"record {read / recordSize}",
            $"the file ends inside record {read / recordSize} of the {total} its header announces (truncated)"));
        // Reading past the last record also makes DataFile check a gzip file's trailer.
        if (count == total && stream.ReadByte() >= 0)
            throw new DataFormatException(name, $"record {total}", $"data follows the {total} records the header announces");
        shape[0] = count;
        return new IdxArray(shape, data);
    }
}

/// <summary>
/// MNIST-style folders: <c>train-images-idx3-ubyte</c>, <c>train-labels-idx1-ubyte</c> and the <c>t10k-</c>
/// pair for the test split, each optionally gzip-compressed (<c>.gz</c>), as MNIST and Fashion-MNIST ship them.
/// </summary>
public static class Mnist
{
    public static readonly IReadOnlyList<string> Digits = [.. Enumerable.Range(0, 10).Select(d => d.ToString())];

    /// <summary>Loads the first <paramref name="limit"/> images (all when null) of split "train" or "test" (or "t10k").</summary>
    public static ImageArray Load(string directory, string split = "train", int? limit = null, IReadOnlyList<string>? classes = null)
    {
        var prefix = split switch
        {
            "train" => "train",
            "test" or "t10k" => "t10k",
            _ => throw new ArgumentException($"split '{split}' is not 'train' or 'test'", nameof(split)),
        };
        var imagesPath = Find(directory, $"{prefix}-images-idx3-ubyte");
        var labelsPath = Find(directory, $"{prefix}-labels-idx1-ubyte");
        classes ??= Digits;
        var images = Idx.Read(imagesPath, 3, limit);
        var labels = Idx.Read(labelsPath, 1, limit);
        if (images.Count != labels.Count)
            throw new DataFormatException(labelsPath, "header", $"{labels.Count} labels for the {images.Count} images of {imagesPath}");
        var stray = Array.FindIndex(labels.Data, l => l >= classes.Count);
        if (stray >= 0)
            throw new DataFormatException(labelsPath, $"record {stray}", $"label {labels.Data[stray]} is not one of the {classes.Count} classes");
        return new ImageArray(images.Data, 1, images.Shape[1], images.Shape[2], [.. labels.Data.Select(l => (long)l)], classes);
    }

    static string Find(string directory, string name)
    {
        foreach (var candidate in new[] { name, name + ".gz" })
        {
            var path = Path.Combine(directory, candidate);
            if (File.Exists(path)) return path;
        }
        throw new FileNotFoundException($"{Path.Combine(directory, name)}[.gz] not found", Path.Combine(directory, name));
    }
}

/// <summary>
/// Zalando's Fashion-MNIST: 28x28 grey images of 10 kinds of clothing, 60000 to train and 10000 to test. Debian's
/// <c>dataset-fashion-mnist</c> package installs it in <see cref="DefaultDirectory"/>.
/// </summary>
public static class FashionMnist
{
    public const string DefaultDirectory = "/usr/share/datasets/fashion-mnist";
    public const string Package = "dataset-fashion-mnist";

    public static readonly IReadOnlyList<string> Classes =
        ["T-shirt/top", "Trouser", "Pullover", "Dress", "Coat", "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot"];

    /// <summary>Loads split "train" or "test", its first <paramref name="limit"/> images when given.</summary>
    public static ImageArray Load(string split = "train", int? limit = null, string? directory = null)
    {
        directory ??= DefaultDirectory;
        try
        {
            return Mnist.Load(directory, split, limit, Classes);
        }
        catch (FileNotFoundException e)
        {
            throw new FileNotFoundException($"Fashion-MNIST not found: {e.Message}. Debian's {Package} package installs it in {DefaultDirectory} (apt-get install {Package}, or scripts/setup.sh)", e.FileName, e);
        }
    }
}
