using System.IO.Compression;
using System.Text;
using VaeLab.Data;
using VaeLab.Data.QuickDraw;

namespace VaeLab.Tests.Data.QuickDraw;

public class SketchRnnNpzTests
{
    [Theory]
    [InlineData("sketchrnn_py2.npz")]
    [InlineData("sketchrnn_p2.npz")]
    [InlineData("sketchrnn_p3.npz")]
    [InlineData("sketchrnn_p4_f64.npz")]
    [InlineData("sketchrnn_equal.npz")]
    public void ReadsEverySplitAsNumpyWroteIt(string file)
    {
        var data = SketchRnnNpz.Read(DataFixtures.PathOf(file));
        var splits = new[] { data.Train, data.Valid, data.Test };
        for (var i = 0; i < 3; i++)
        {
            var expected = DataFixtures.ExpectedSketches(file, SketchRnnNpz.Splits[i]);
            Assert.Equal(expected, splits[i].Select(s => s.Data));
        }
        Assert.Equal(0, data.Skipped.Count);
    }

    [Fact]
    public void ReadsAGzippedArchive()
    {
        using var packed = new MemoryStream();
        using (var gzip = new GZipStream(packed, CompressionLevel.Fastest, leaveOpen: true))
            gzip.Write(DataFixtures.Bytes("sketchrnn_p3.npz"));
        packed.Position = 0;
        var data = SketchRnnNpz.Read(DataFile.OpenRead(packed, "p3.npz.gz"), "p3.npz.gz");
        Assert.Equal(DataFixtures.ExpectedSketches("sketchrnn_p3.npz", "test"), data.Test.Select(s => s.Data));
    }

    /// <summary>An .npz whose train.npy holds the given pickle after an object-array header.</summary>
    static byte[] NpzWithPickle(byte[] pickle, int count = 1)
    {
        var header = Encoding.Latin1.GetBytes($"{{'descr': '|O', 'fortran_order': False, 'shape': ({count},), }}\n");
        byte[] npy = [0x93, .. "NUMPY"u8, 1, 0, (byte)header.Length, 0, .. header, .. pickle];
        using var zip = new MemoryStream();
        using (var archive = new ZipArchive(zip, ZipArchiveMode.Create, leaveOpen: true))
        {
            using (var entry = archive.CreateEntry("train.npy").Open()) entry.Write(npy);
            using (var src = new ZipArchive(new MemoryStream(DataFixtures.Bytes("sketchrnn_p3.npz"))))
                foreach (var name in new[] { "valid.npy", "test.npy" })
                {
                    using var to = archive.CreateEntry(name).Open();
                    using var from = src.GetEntry(name)!.Open();
                    from.CopyTo(to);
                }
        }
        return zip.ToArray();
    }

    static SketchRnnData Read(byte[] npz, ReadOptions? options = null) => SketchRnnNpz.Read(new MemoryStream(npz), "cat.npz", options);

    /// <summary>The train.npy pickle of a fixture.</summary>
    static byte[] TrainPickle(string file)
    {
        using var zip = new ZipArchive(new MemoryStream(DataFixtures.Bytes(file)));
        using var npy = new MemoryStream();
        zip.GetEntry("train.npy")!.Open().CopyTo(npy);
        var bytes = npy.ToArray();
        return bytes[(10 + BitConverter.ToUInt16(bytes, 8))..];
    }

    [Fact]
    public void PicklesCallingAnythingButNumpyAreRefused()
    {
        // The classic exploit: os.system('echo hi') via GLOBAL + REDUCE, protocol 2.
        byte[] pickle = [0x80, 2, .. "cos\nsystem\n"u8, (byte)'X', 7, 0, 0, 0, .. "echo hi"u8, 0x85, (byte)'R', (byte)'.'];
        var error = Assert.Throws<DataFormatException>(() => Read(NpzWithPickle(pickle)));
        Assert.Equal("cat.npz/train.npy", error.File);
        Assert.Equal("pickle byte 2", error.Location);
        Assert.Contains("unsupported pickle global os.system", error.Reason);
    }

    [Theory]
    [InlineData(new byte[] { 0x80, 5, (byte)'N', (byte)'.' }, "protocol 5")]
    [InlineData(new byte[] { 0x80, 2, (byte)'N', (byte)'N', (byte)'.' }, "2 values on the stack")]
    [InlineData(new byte[] { 0x80, 2, (byte)'h', 3, (byte)'.' }, "memo 3 was never stored")]
    [InlineData(new byte[] { 0x80, 2, (byte)'S', (byte)'.' }, "unsupported pickle opcode 0x53")]
    [InlineData(new byte[] { 0x80, 2, (byte)'t', (byte)'.' }, "no MARK")]
    [InlineData(new byte[] { 0x80, 2, (byte)'N' }, "truncated")]
    [InlineData(new byte[] { 0x80, 2, (byte)'N', (byte)'.' }, "holds None")]
    public void MalformedPicklesAreReportedWithTheReason(byte[] pickle, string reason)
    {
        var error = Assert.Throws<DataFormatException>(() => Read(NpzWithPickle(pickle)));
        Assert.Contains(reason, error.Reason);
    }

    [Theory]
    [InlineData("sketchrnn_py2.npz")]
    [InlineData("sketchrnn_p4_f64.npz")]
    public void ATruncatedPickleIsReported(string file)
    {
        var pickle = TrainPickle(file);
        var error = Assert.Throws<DataFormatException>(() => Read(NpzWithPickle(pickle[..^3], 4)));
        Assert.Contains("truncated", error.Reason);
    }

    [Fact]
    public void SketchesOfTheWrongShapeAreBadRecordsThatCanBeSkipped()
    {
        // Reshape the first sketch from (L, 3) to (3L, 1) by editing its pickled shape: same bytes, wrong shape.
        var pickle = TrainPickle("sketchrnn_p3.npz");
        var sketches = DataFixtures.ExpectedSketches("sketchrnn_p3.npz", "train");
        var at = FindShape(pickle, sketches[0].Length / 3);
        pickle[at + 1] = (byte)sketches[0].Length;
        pickle[at + 3] = 1;
        var error = Assert.Throws<DataFormatException>(() => Read(NpzWithPickle(pickle, sketches.Count)));
        Assert.Equal("train[0]", error.Location);
        var data = Read(NpzWithPickle(pickle, sketches.Count), new ReadOptions(SkipBadRecords: true));
        Assert.Equal(sketches.Skip(1), data.Train.Select(s => s.Data));
        Assert.Equal(1, data.Skipped.Count);
    }

    /// <summary>Where numpy pickled the shape (rows, 3) as BININT1 rows BININT1 3 TUPLE2.</summary>
    static int FindShape(byte[] pickle, int rows)
    {
        for (var i = 0; i + 4 < pickle.Length; i++)
            if (pickle[i] == 'K' && pickle[i + 1] == rows && pickle[i + 2] == 'K' && pickle[i + 3] == 3 && pickle[i + 4] == 0x86)
                return i;
        throw new InvalidOperationException("shape not found");
    }

    [Fact]
    public void AMissingSplitOrAnArchiveThatIsNotAZipIsReported()
    {
        Assert.Equal("zip archive", Assert.Throws<DataFormatException>(() => Read(DataFixtures.Bytes("cat.bin"))).Location);
        using var zip = new MemoryStream();
        using (var archive = new ZipArchive(zip, ZipArchiveMode.Create, leaveOpen: true)) archive.CreateEntry("training.npy");
        Assert.Contains("missing", Assert.Throws<DataFormatException>(() => Read(zip.ToArray())).Reason);
    }

    [Fact]
    public void ACorruptEntryIsCaughtByItsCrc()
    {
        // A flipped bit inside a stored int16 value would otherwise unpickle into a wrong sketch.
        var bytes = DataFixtures.Bytes("sketchrnn_p3.npz");
        var pickle = TrainPickle("sketchrnn_p3.npz");
        var at = bytes.AsSpan().IndexOf(pickle.AsSpan(pickle.Length - 40, 8));
        bytes[at + 2] ^= 0x10;
        var error = Assert.Throws<DataFormatException>(() => Read(bytes));
        Assert.Equal("train.npy", error.Location);
        Assert.Contains("CRC-32", error.Reason);
    }
}
