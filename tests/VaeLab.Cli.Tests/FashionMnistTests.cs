using System.Buffers.Binary;
using System.IO.Compression;
using VaeLab.Cli;

namespace VaeLab.Cli.Tests;

public sealed class FashionMnistTests : IDisposable
{
    readonly string folder = Directory.CreateTempSubdirectory("vaelab-idx-").FullName;

    public void Dispose() => Directory.Delete(folder, recursive: true);

    // An IDX image file as the format's description gives it: big-endian magic 0x803, count, rows, columns, then bytes.
    static byte[] Idx(int magic, int count, int rows, int columns, byte[] pixels)
    {
        var bytes = new byte[16 + pixels.Length];
        BinaryPrimitives.WriteInt32BigEndian(bytes, magic);
        BinaryPrimitives.WriteInt32BigEndian(bytes.AsSpan(4), count);
        BinaryPrimitives.WriteInt32BigEndian(bytes.AsSpan(8), rows);
        BinaryPrimitives.WriteInt32BigEndian(bytes.AsSpan(12), columns);
        pixels.CopyTo(bytes, 16);
        return bytes;
    }

    static byte[] Pixels(int n) => Enumerable.Range(0, n).Select(i => (byte)(i * 7 % 256)).ToArray();

    [Fact]
    public void ReadsGzippedImagesAsCountByOneByRowsByColumns()
    {
        var pixels = Pixels(3 * 2 * 5);
        using (var file = new GZipStream(File.Create(Path.Combine(folder, "train-images-idx3-ubyte.gz")), CompressionLevel.Fastest))
            file.Write(Idx(0x803, 3, 2, 5, pixels));

        using var images = FashionMnist.Images(folder, "train");

        Assert.Equal([3L, 1, 2, 5], images.shape);
        Assert.Equal(ScalarType.Byte, images.dtype);
        Assert.Equal(pixels, images.data<byte>());
    }

    [Fact]
    public void ReadsAnUncompressedFileWhenThereIsNoGzippedOne()
    {
        var pixels = Pixels(2 * 3 * 3);
        File.WriteAllBytes(Path.Combine(folder, "t10k-images-idx3-ubyte"), Idx(0x803, 2, 3, 3, pixels));

        using var images = FashionMnist.Images(folder, "t10k");

        Assert.Equal([2L, 1, 3, 3], images.shape);
        Assert.Equal(pixels, images.data<byte>());
    }

    [Fact]
    public void AMissingFileNamesThePathAndThePackage()
    {
        var error = Assert.Throws<FileNotFoundException>(() => FashionMnist.Images(folder, "train"));

        Assert.Contains(Path.Combine(folder, "train-images-idx3-ubyte.gz"), error.Message);
        Assert.Contains("dataset-fashion-mnist", error.Message);
    }

    [Fact]
    public void ALabelFileOrATruncatedFileIsRejected()
    {
        var labels = Path.Combine(folder, "train-images-idx3-ubyte");
        File.WriteAllBytes(labels, Idx(0x801, 4, 0, 0, []));
        Assert.Contains("not an IDX file of images", Assert.Throws<InvalidDataException>(() => FashionMnist.Images(folder, "train")).Message);

        File.WriteAllBytes(labels, Idx(0x803, 2, 4, 4, Pixels(20)));
        Assert.Contains("ends after 20 of its 32 pixel bytes", Assert.Throws<InvalidDataException>(() => FashionMnist.Images(folder, "train")).Message);
    }
}
