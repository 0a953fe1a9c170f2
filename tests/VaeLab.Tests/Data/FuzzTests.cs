using VaeLab.Data;

namespace VaeLab.Tests.Data;

/// <summary>
/// Damaged files of every format: reading each either succeeds or throws DataFormatException, never
/// another exception and never hangs. Mutations are seeded, so a failure names a reproducible case.
/// </summary>
public class FuzzTests
{
    const int Mutations = 300;

    static void ReadAll(string file, byte[] bytes, ReadOptions options)
    {
        Func<Stream> open = () => new MemoryStream(bytes);
        switch (Path.GetFileName(file))
        {
            case var f when f.Contains(".ndjson"): QuickDrawNdjson.Read(open, f, options).ToList(); break;
            case var f when f.Contains(".bin"): QuickDrawBinary.Read(open, f, "cat", options).ToList(); break;
            case var f when f.StartsWith("bitmap"): QuickDrawBitmaps.Read(open, f, options).ToList(); break;
            case var f when f.EndsWith(".npz"): SketchRnnNpz.Read(DataFile.OpenRead(open(), f), f, options); break;
            case var f:
                using (var stream = DataFile.OpenRead(open(), f)) NpyFile.Read(stream, f);
                break;
        }
    }

    // Bytes that matter to the parsers: JSON punctuation, digits, pickle MARK and STOP, zero and all ones.
    static readonly byte[] Meaningful = [0, 0xff, .. "9-,[]{}\"\n(."u8];

    static byte[] Mutate(byte[] original, Random random)
    {
        var bytes = original.ToList();
        var edits = random.Next(1, 4);
        for (var e = 0; e < edits && bytes.Count > 0; e++)
        {
            var at = random.Next(bytes.Count);
            switch (random.Next(6))
            {
                case 0: bytes[at] ^= (byte)(1 << random.Next(8)); break;
                case 1: bytes[at] = (byte)random.Next(256); break;
                case 2: bytes[at] = Meaningful[random.Next(Meaningful.Length)]; break;
                case 3: bytes.RemoveRange(at, bytes.Count - at); break;
                case 4: bytes.InsertRange(at, Enumerable.Range(0, random.Next(1, 9)).Select(_ => (byte)random.Next(256))); break;
                default: bytes.RemoveRange(at, Math.Min(random.Next(1, 9), bytes.Count - at)); break;
            }
        }
        return bytes.ToArray();
    }

    [Theory]
    [InlineData("raw.ndjson")]
    [InlineData("simplified.ndjson.gz")]
    [InlineData("cat.bin")]
    [InlineData("cat.bin.gz")]
    [InlineData("bitmap.npy")]
    [InlineData("bitmap_gzip.npy")]
    [InlineData("npy_f8_f.npy")]
    [InlineData("npy_b1_c.npy")]
    [InlineData("npy_v3.npy")]
    [InlineData("sketchrnn_py2.npz")]
    [InlineData("sketchrnn_p2.npz")]
    [InlineData("sketchrnn_p3.npz")]
    [InlineData("sketchrnn_p4_f64.npz")]
    [InlineData("sketchrnn_equal.npz")]
    public async Task DamagedFilesReadOrFailWithDataFormatException(string file)
    {
        var original = DataFixtures.Bytes(file);
        var run = Task.Run(() =>
        {
            var failures = new List<string>();
            var outcomes = new int[2];
            for (var seed = 0; seed < Mutations; seed++)
            {
                var bytes = Mutate(original, new Random(seed));
                var options = new ReadOptions(SkipBadRecords: seed % 2 == 1);
                try
                {
                    ReadAll(file, bytes, options);
                    outcomes[0]++;
                }
                catch (DataFormatException e)
                {
                    Assert.Contains(file, e.File);
                    outcomes[1]++;
                }
                catch (Exception e)
                {
                    failures.Add($"seed {seed}: {e.GetType().Name}: {e.Message}\n{e.StackTrace}");
                }
            }
            return (failures, outcomes);
        });
        var finished = await Task.WhenAny(run, Task.Delay(TimeSpan.FromSeconds(20)));
        Assert.True(finished == run, $"{file}: reading damaged copies did not finish (a hang?)");
        var (failures, outcomes) = await run;
        Assert.True(failures.Count == 0, $"{file}: {failures.Count} damaged copies threw other exceptions:\n{string.Join("\n", failures.Take(3))}");
        // The mutations must reach both outcomes, or they test nothing.
        Assert.True(outcomes[1] > 0, $"{file}: no damaged copy was rejected");
    }
}
