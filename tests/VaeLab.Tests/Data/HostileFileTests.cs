using VaeLab.Data;
using VaeLab.Data.Images;
using VaeLab.Data.Formats;
using VaeLab.Data.QuickDraw;

namespace VaeLab.Tests.Data;

/// <summary>
/// The files of tests/fixtures/data/hostile (gen_hostile.py): headers whose sizes overflow 64 bits or claim gigabytes
/// the file does not hold. Each fails with a DataFormatException naming the file and the place, having allocated no
/// more than the file could fill. (The nested-parentheses headers, which once overflowed the stack, are read in a
/// child process by the CLI tests.)
/// </summary>
public class HostileFileTests
{
    const long AllocationBound = 16 << 20;

    static string PathOf(string name) => DataFixtures.PathOf(Path.Combine("hostile", name));

    /// <summary>Runs <paramref name="read"/>, which must fail on <paramref name="path"/>; returns the error and the bytes allocated meanwhile.</summary>
    static (DataFormatException Error, long Allocated) Refuse(string path, Action read)
    {
        var before = GC.GetAllocatedBytesForCurrentThread();
        var error = Assert.Throws<DataFormatException>(read);
        var allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        Assert.Equal(path, error.File);
        Assert.NotEmpty(error.Location);
        Assert.True(allocated < AllocationBound, $"reading {Path.GetFileName(path)} allocated {allocated} bytes");
        return (error, allocated);
    }

    [Fact]
    public void AShapeWhoseByteCountOverflowsIsRefusedInTheHeader()
    {
        var path = PathOf("huge_shape.npy");
        var (error, _) = Refuse(path, () => NpyFile.Read(path));
        Assert.Equal("header", error.Location);
        Assert.Contains("too large", error.Reason);
    }

    [Fact]
    public void IdxDimensionsWhoseProductOverflowsAreRefusedInTheHeader()
    {
        var path = PathOf("overflow-images-idx3-ubyte");
        var (error, _) = Refuse(path, () => Idx.Read(path, 3));
        Assert.Equal("header", error.Location);
        Assert.Contains("too large", error.Reason);
    }

    [Theory]
    [InlineData("claims_2gb-images-idx3-ubyte")]
    [InlineData("claims_2gb-images-idx3-ubyte.gz")]
    public void AnIdxHeaderClaiming2GBFailsAtTheEndOfIts16Bytes(string name)
    {
        var path = PathOf(name);
        var (error, _) = Refuse(path, () => Idx.Read(path, 3));
        Assert.Equal("record 0", error.Location);
        Assert.Contains("truncated", error.Reason);
    }

    [Fact]
    public void A69BytePngClaiming1GBIsRefusedInItsHeader()
    {
        var path = PathOf("claims_1gb.png");
        var (error, _) = Refuse(path, () => ImageFile.Read(path));
        Assert.Equal("IHDR", error.Location);
        Assert.Contains("16384x16384", error.Reason);
    }

    [Fact]
    public void AnNpzWhoseZipDirectoryClaims2GBIsRefusedAtThatEntry()
    {
        var path = PathOf("directory_claims_2gb.npz");
        var (error, _) = Refuse(path, () => SketchRnnNpz.Read(path));
        Assert.Equal("train.npy", error.Location);
    }

    [Fact]
    public void AJpegClaimingMorePixelsThanItsBytesCanHoldIsRefusedInTheHeader()
    {
        // The same 141 bytes with their true size decode: what is refused is the claim.
        Assert.Equal((8, 8), ImageFile.Read(PathOf("tiny.jpg")) is var tiny ? (tiny.Width, tiny.Height) : default);
        var path = PathOf("claims_1600mb.jpg");
        var (error, _) = Refuse(path, () => ImageFile.Read(path));
        Assert.Equal("JPEG header", error.Location);
        Assert.Contains("40000x40000", error.Reason);
    }
}
