using System.Buffers.Binary;
using System.IO.Compression;
using VaeLab.Torch;

namespace VaeLab.Cli;

/// <summary>Fashion-MNIST images, read from the IDX files of Debian's dataset-fashion-mnist package.</summary>
static class FashionMnist
{
    public const string DefaultFolder = "/usr/share/datasets/fashion-mnist";
    const string Package = "dataset-fashion-mnist";

    /// <summary>The images of a split ("train" or "t10k") as a uint8 tensor [N, 1, 28, 28]; the file may be gzipped or not.</summary>
    public static Tensor Images(string folder, string split)
    {
        var gzipped = Path.Combine(folder, $"{split}-images-idx3-ubyte.gz");
        var plain = gzipped[..^".gz".Length];
        if (File.Exists(gzipped))
        {
            using var stream = new GZipStream(File.OpenRead(gzipped), CompressionMode.Decompress);
            return Read(stream, gzipped);
        }
        if (File.Exists(plain))
        {
            using var stream = File.OpenRead(plain);
            return Read(stream, plain);
        }
        throw new FileNotFoundException(
            $"Fashion-MNIST file not found: {gzipped} (nor {plain}). Install Debian's {Package} package "
            + $"(apt-get install {Package}; `make reproduce` does it) or pass --data with the folder holding the IDX files.", gzipped);
    }

    // IDX: big-endian magic 0x00000803 (unsigned bytes, 3 dims), the three dims, then the pixels row-major.
    static Tensor Read(Stream stream, string file)
    {
        using var reader = new BinaryReader(stream);
        var header = reader.ReadBytes(16);
        if (header.Length < 16 || BinaryPrimitives.ReadInt32BigEndian(header) != 0x803)
            throw new InvalidDataException($"{file} is not an IDX file of images (its header should start with 0x00000803)");
        var count = BinaryPrimitives.ReadInt32BigEndian(header.AsSpan(4));
        var rows = BinaryPrimitives.ReadInt32BigEndian(header.AsSpan(8));
        var columns = BinaryPrimitives.ReadInt32BigEndian(header.AsSpan(12));
        var size = (long)count * rows * columns;
        var pixels = reader.ReadBytes(checked((int)size));
        if (pixels.Length != size) throw new InvalidDataException($"{file} ends after {pixels.Length} of its {size} pixel bytes");
        return torch.tensor(pixels, [count, 1, rows, columns]);
    }
}
