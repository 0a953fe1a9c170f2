using VaeLab.Data;

namespace VaeLab.Fuzz;

/// <summary>
/// Feeds one loader its mutated inputs in a process of its own (see <see cref="Campaign"/>), and reports on stdout
/// "input K" before each input and after it "accepted", "clear" (a <see cref="DataFormatException"/> naming the
/// file and a place in it) or "other DESCRIPTION" (anything else).
/// </summary>
static class Worker
{
    /// <summary>Input <paramref name="index"/> of a run seeded with <paramref name="seed"/>: the seed file it starts from, and its bytes.</summary>
    public static (string SeedFile, byte[] Bytes) Input(Target target, int seed, int index)
    {
        var random = new Random(unchecked(seed * 1_000_003 + index));
        var file = target.Seeds[index % target.Seeds.Count];
        var bytes = Mutations.Mutate(File.ReadAllBytes(file), random);
        return (file, target.Repair?.Invoke(bytes) ?? bytes);
    }

    public static void Run(Target target, int seed, int first, int end, string folder, string? save)
    {
        for (var index = first; index < end; index++)
        {
            Console.WriteLine($"input {index}");
            var (seedFile, bytes) = Input(target, seed, index);
            // The input keeps its seed file's folder and name, which loaders read meaning into (".gz", "labels", "cifar-100").
            var path = Path.Combine(folder, Path.GetFileName(Path.GetDirectoryName(seedFile)!), Path.GetFileName(seedFile));
            Directory.CreateDirectory(Path.GetDirectoryName(path)!);
            File.WriteAllBytes(path, bytes);
            try
            {
                target.Load(path, new ReadOptions(SkipBadRecords: index % 2 == 1));
                Console.WriteLine("accepted");
            }
            catch (DataFormatException e) when (e.File.Contains(path) && e.Location.Length > 0)
            {
                Console.WriteLine("clear");
            }
            catch (Exception e)
            {
                var at = e.StackTrace?.Split('\n', StringSplitOptions.TrimEntries).FirstOrDefault() ?? "";
                Console.WriteLine($"other from {Path.GetFileName(seedFile)}: {e.GetType().Name}: {OneLine(e.Message)} {at}");
                if (save is not null) File.Copy(path, Path.Combine(Directory.CreateDirectory(save).FullName, $"{target.Name}-{index}-{Path.GetFileName(path)}"), overwrite: true);
            }
        }
    }

    public static string OneLine(string text) => (text.Length > 300 ? text[..300] + "..." : text).ReplaceLineEndings(" ");
}
