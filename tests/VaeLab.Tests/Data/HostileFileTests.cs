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

    /// <summary>Asserts that <paramref name="read"/> fails on the named file at <paramref name="location"/>, for a reason
    /// that holds <paramref name="reason"/>, having allocated no more than <see cref="AllocationBound"/> meanwhile.</summary>
    static void AssertRefused(string name, Action<string> read, string location, string? reason = null)
    {
        var path = PathOf(name);
        var before = GC.GetAllocatedBytesForCurrentThread();
        var error = Assert.Throws<DataFormatException>(() => read(path));
        var allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        Assert.Equal(path, error.File);
        Assert.Equal(location, error.Location);
        if (reason is not null) Assert.Contains(reason, error.Reason);
        Assert.True(allocated < AllocationBound, $"reading {name} allocated {allocated} bytes");
    }

    [Fact]
    public void AShapeWhoseByteCountOverflowsIsRefusedInTheHeader() =>
        AssertRefused("huge_shape.npy", path => NpyFile.Read(path), "header", "too large");

    [Fact]
    public void IdxDimensionsWhoseProductOverflowsAreRefusedInTheHeader() =>
        AssertRefused("overflow-images-idx3-ubyte", path => Idx.Read(path, 3), "header", "too large");

    [Theory]
    [InlineData("claims_2gb-images-idx3-ubyte")]
    [InlineData("claims_2gb-images-idx3-ubyte.gz")]
    public void AnIdxHeaderClaiming2GBFailsAtTheEndOfIts16Bytes(string name) =>
        AssertRefused(name, path => Idx.Read(path, 3), "record 0", "truncated");

    [Fact]
    public void A69BytePngClaiming1GBIsRefusedInItsHeader() =>
        AssertRefused("claims_1gb.png", path => ImageFile.Read(path), "IHDR", "16384x16384");

    [Fact]
    public void AnNpzWhoseZipDirectoryClaims2GBIsRefusedAtThatEntry() =>
        AssertRefused("directory_claims_2gb.npz", path => SketchRnnNpz.Read(path), "train.npy");

    [Fact]
    public void AJpegClaimingMorePixelsThanItsBytesCanHoldIsRefusedInTheHeader()
    {
        // The same 141 bytes with their true size decode: what is refused is the claim.
        Assert.Equal((8, 8), ImageFile.Read(PathOf("tiny.jpg")) is var tiny ? (tiny.Width, tiny.Height) : default);
        AssertRefused("claims_1600mb.jpg", path => ImageFile.Read(path), "JPEG header", "40000x40000");
    }
}
