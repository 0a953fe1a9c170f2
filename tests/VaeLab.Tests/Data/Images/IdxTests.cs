using System.Buffers.Binary;
using System.IO.Compression;
using VaeLab.Data;
using VaeLab.Data.Images;

namespace VaeLab.Tests.Data.Images;

public class IdxTests
{
    static byte[] IdxFile(byte type, int[] shape, byte[] data)
    {
        var bytes = new byte[4 + 4 * shape.Length + data.Length];
        bytes[2] = type;
        bytes[3] = (byte)shape.Length;
        for (var d = 0; d < shape.Length; d++) BinaryPrimitives.WriteInt32BigEndian(bytes.AsSpan(4 + 4 * d), shape[d]);
        data.CopyTo(bytes, 4 + 4 * shape.Length);
        return bytes;
    }

    static byte[] Gzip(byte[] data)
    {
        var output = new MemoryStream();
        using (var gzip = new GZipStream(output, CompressionLevel.Fastest)) gzip.Write(data);
        return output.ToArray();
    }

    [Theory]
    [InlineData("idx")]
    [InlineData("idx_gz")]
    public void ReadsWhatNumpyWrotePlainOrGzipped(string folder)
    {
        var expected = ImageFixtures.Expected.GetProperty("idx");
        var shape = ImageFixtures.Ints(expected.GetProperty("shape"));
        var images = Mnist.Load(ImageFixtures.PathOf(folder), "train");
        Assert.Equal((shape[0], 1, shape[1], shape[2]), (images.Count, images.Channels, images.Height, images.Width));
        Assert.Equal(ImageFixtures.Ints(expected.GetProperty("images")).Select(v => (byte)v).ToArray(),
            Enumerable.Range(0, images.Count).SelectMany(i => images.Pixels(i).ToArray()).ToArray());
        Assert.Equal(ImageFixtures.Ints(expected.GetProperty("labels")).Select(v => (long)v).ToArray(), images.Labels);
        var sample = images.Get(3);
        Assert.Equal(images.Pixels(3)[1 * shape[2] + 2] / 255f, sample.Image[0, 1, 2]);
        Assert.Equal(images.Labels[3], sample.Label);

        var limited = Mnist.Load(ImageFixtures.PathOf(folder), "train", limit: 2);
        Assert.Equal(2, limited.Count);
        Assert.Equal(images.Pixels(1).ToArray(), limited.Pixels(1).ToArray());
    }

    [Theory]
    [InlineData("idx", "t10k-images-idx3-ubyte")]
    [InlineData("idx_gz", "t10k-images-idx3-ubyte.gz")]
    public void TruncationNamesTheFileAndTheRecord(string folder, string file)
    {
        // The fixture's t10k files announce 5 records and hold 2.
        var error = Assert.Throws<DataFormatException>(() => Mnist.Load(ImageFixtures.PathOf(folder), "test"));
        Assert.Equal(ImageFixtures.PathOf(folder, file), error.File);
        Assert.Equal("record 2", error.Location);
        Assert.Contains("truncated", error.Reason);
        Assert.Equal(2, Mnist.Load(ImageFixtures.PathOf(folder), "test", limit: 2).Count);
    }

    public static IEnumerable<object[]> BadFiles =>
    [
        ["not IDX", new byte[] { 1, 0, 8, 3, 0, 0, 0, 1 }, "header"],
        ["float type", IdxFile(0x0D, [1, 2, 2], new byte[16]), "header"],
        ["labels as images", IdxFile(0x08, [4], new byte[4]), "header"],
        ["short header", IdxFile(0x08, [1, 2, 2], [])[..10], "header"],
        ["zero height", IdxFile(0x08, [1, 0, 2], []), "header"],
        ["trailing data", IdxFile(0x08, [1, 2, 2], new byte[5]), "record 1"],
        ["cut record", IdxFile(0x08, [3, 2, 2], new byte[9]), "record 2"],
        ["cut gzip", Gzip(IdxFile(0x08, [3, 2, 2], new byte[12]))[..^6], "gzip data after 28 bytes"],
    ];

    [Theory]
    [MemberData(nameof(BadFiles))]
    public void RefusesFilesThatAreNotMnistImages(string what, byte[] bytes, string location)
    {
        var error = Assert.Throws<DataFormatException>(() => Idx.Read(DataFile.OpenRead(new MemoryStream(bytes), what), what, 3));
        Assert.Equal(what, error.File);
        Assert.Equal(location, error.Location);
    }

    [Fact]
    public void LabelsMustMatchTheImagesInNumberAndRange()
    {
        using var folder = new ImageFixtures.TempFolder();
        File.WriteAllBytes(folder.File("train-images-idx3-ubyte"), IdxFile(0x08, [3, 2, 2], new byte[12]));
        File.WriteAllBytes(folder.File("train-labels-idx1-ubyte"), IdxFile(0x08, [2], [1, 2]));
        var count = Assert.Throws<DataFormatException>(() => Mnist.Load(folder.Path));
        Assert.Equal(folder.File("train-labels-idx1-ubyte"), count.File);
        Assert.Contains("2 labels for the 3 images", count.Reason);

        File.WriteAllBytes(folder.File("train-labels-idx1-ubyte"), IdxFile(0x08, [3], [1, 10, 2]));
        var range = Assert.Throws<DataFormatException>(() => Mnist.Load(folder.Path));
        Assert.Equal("record 1", range.Location);
        Assert.Contains("label 10", range.Reason);
    }

    [Fact]
    public void MissingFashionMnistNamesTheDebianPackage()
    {
        using var folder = new ImageFixtures.TempFolder();
        var error = Assert.Throws<FileNotFoundException>(() => FashionMnist.Load(directory: folder.Path));
        Assert.Contains("dataset-fashion-mnist", error.Message);
        Assert.Contains("train-images-idx3-ubyte", error.Message);
        Assert.Throws<ArgumentException>(() => FashionMnist.Load("valid"));
    }

    /// <summary>Debian's dataset-fashion-mnist (installed by scripts/setup.sh): 6000 training and 1000 test images per class.</summary>
    [Fact]
    public void LoadsDebiansFashionMnistWithBalancedClasses()
    {
        var test = FashionMnist.Load("test");
        Assert.Equal((10000, 1, 28, 28), (test.Count, test.Channels, test.Height, test.Width));
        Assert.All(test.Labels.GroupBy(l => l), g => Assert.Equal(1000, g.Count()));
        Assert.Equal(10, test.Classes.Count);
        var train = FashionMnist.Load("train", limit: 500);
        Assert.Equal(500, train.Count);
        Assert.All(train.Labels, l => Assert.InRange(l, 0, 9));
        // Clothes on a black background: the corners are dark, the middle is not.
        var mean = Enumerable.Range(0, 500).Average(i => train.Pixels(i)[14 * 28 + 14]);
        Assert.True(mean > 60 && Enumerable.Range(0, 500).Average(i => train.Pixels(i)[0]) < 5, $"centre mean {mean}");
    }
}
