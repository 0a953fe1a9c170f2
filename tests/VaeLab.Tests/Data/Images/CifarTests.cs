using System.Text.Json;
using VaeLab.Data;
using VaeLab.Data.Images;

namespace VaeLab.Tests.Data.Images;

public class CifarTests
{
    static JsonElement Recorded(string set, string file) => ImageFixtures.Expected.GetProperty("cifar").GetProperty(set).GetProperty(file);

    static void AssertRecords(ImageArray images, int start, JsonElement recorded, int labelColumn)
    {
        var labels = ImageFixtures.Ints(recorded.GetProperty("labels")[labelColumn]);
        var sums = ImageFixtures.Ints(recorded.GetProperty("sums"));
        for (var i = 0; i < labels.Length; i++)
        {
            Assert.Equal(labels[i], images.Labels[start + i]);
            Assert.Equal(sums[i], images.Pixels(start + i).ToArray().Sum(b => b));
            var image = images.Get(start + i).Image;
            foreach (var probe in recorded.GetProperty("probes")[i].EnumerateArray())
            {
                var p = ImageFixtures.Ints(probe);
                Assert.Equal(p[3] / 255f, image[p[0], p[1], p[2]]);
            }
        }
    }

    [Fact]
    public void Cifar10ReadsTheFiveTrainingBatchesAndTheTestBatch()
    {
        var train = Cifar.Load10(ImageFixtures.PathOf("cifar10"), "train");
        Assert.Equal((10, 3, 32, 32), (train.Count, train.Channels, train.Height, train.Width));
        for (var b = 1; b <= 5; b++) AssertRecords(train, 2 * (b - 1), Recorded("cifar10", $"data_batch_{b}.bin"), 0);
        Assert.Equal("airplane", train.Classes[0]);
        Assert.Equal("truck", train.Classes[9]);
        var test = Cifar.Load10(ImageFixtures.PathOf("cifar10", "cifar-10-batches-bin"), "test");
        AssertRecords(test, 0, Recorded("cifar10", "test_batch.bin"), 0);
        var limited = Cifar.Load10(ImageFixtures.PathOf("cifar10"), limit: 3);
        Assert.Equal(train.Labels[..3], limited.Labels);
        Assert.Equal(train.Pixels(2).ToArray(), limited.Pixels(2).ToArray());
    }

    [Fact]
    public void Cifar100ReadsCoarseAndFineLabels()
    {
        foreach (var split in new[] { "train", "test" })
        {
            var fine = Cifar.Load100(ImageFixtures.PathOf("cifar100"), split);
            var coarse = Cifar.Load100(ImageFixtures.PathOf("cifar100"), split, coarse: true);
            AssertRecords(fine, 0, Recorded("cifar100", $"{split}.bin"), 1);
            AssertRecords(coarse, 0, Recorded("cifar100", $"{split}.bin"), 0);
            Assert.Equal(100, fine.Classes.Count);
            Assert.Equal("fine_99", fine.Classes[99]);
            Assert.Equal(20, coarse.Classes.Count);
        }
    }

    static byte[] Records(int count, int labelBytes, Func<int, byte> label)
    {
        var bytes = new byte[count * (labelBytes + Cifar.PixelBytes)];
        for (var i = 0; i < count; i++)
        {
            var record = bytes.AsSpan(i * (labelBytes + Cifar.PixelBytes), labelBytes + Cifar.PixelBytes);
            record[..labelBytes].Fill(label(i));
            record[labelBytes..].Fill((byte)(i + 1));
        }
        return bytes;
    }

    [Fact]
    public void TruncatedOrMislabelledRecordsNameTheFileAndRecord()
    {
        using var folder = new ImageFixtures.TempFolder();
        var path = folder.File("cifar-10-batches-bin", "test_batch.bin");
        File.WriteAllBytes(path, Records(3, 1, i => (byte)i)[..^100]);
        var cut = Assert.Throws<DataFormatException>(() => Cifar.Load10(folder.Path, "test"));
        Assert.Equal((path, "record 2"), (cut.File, cut.Location));
        Assert.Contains("truncated", cut.Reason);

        var skipping = Cifar.Read(path, cifar100: false, new ReadOptions(SkipBadRecords: true));
        Assert.Equal([0, 1], skipping.Select(r => r.Label));
        Assert.Equal(1, skipping.Skipped.Count);

        File.WriteAllBytes(path, Records(3, 1, i => (byte)(i * 5)));
        var label = Assert.Throws<DataFormatException>(() => Cifar.Load10(folder.Path, "test"));
        Assert.Equal("record 2", label.Location);
        Assert.Contains("label 10", label.Reason);

        var hundred = folder.File("cifar-100-binary", "test.bin");
        File.WriteAllBytes(hundred, Records(2, 2, i => (byte)(i * 25)));
        var fine = Assert.Throws<DataFormatException>(() => Cifar.Load100(folder.Path, "test"));
        Assert.Equal((hundred, "record 1"), (fine.File, fine.Location));
    }

    [Fact]
    public void ClassNamesAndFoldersAreChecked()
    {
        using var folder = new ImageFixtures.TempFolder();
        Assert.Throws<FileNotFoundException>(() => Cifar.Load10(folder.Path));
        File.WriteAllBytes(folder.File("cifar-10-batches-bin", "data_batch_1.bin"), Records(1, 1, _ => 3));
        File.WriteAllBytes(folder.File("cifar-10-batches-bin", "test_batch.bin"), Records(1, 1, _ => 3));
        Assert.Equal("3", Cifar.Load10(folder.Path, "test").Classes[3]);
        var missing = Assert.Throws<FileNotFoundException>(() => Cifar.Load10(folder.Path, "train"));
        Assert.Contains("data_batch_2.bin", missing.Message);
        File.WriteAllText(folder.File("cifar-10-batches-bin", "batches.meta.txt"), "cat\ndog\n");
        Assert.Throws<DataFormatException>(() => Cifar.Load10(folder.Path, "test"));
    }
}
