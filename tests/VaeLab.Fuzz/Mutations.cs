namespace VaeLab.Fuzz;

/// <summary>
/// Damage done to a file: one to three edits, each flipping a bit, setting a byte (random, or one that matters to
/// the parsers), cutting the file short, inserting or deleting a few bytes, repeating a short run of bytes, or
/// repeating an opening bracket of the file (how a header comes to nest thousands of parentheses); repeats run up
/// to 40,000 bytes.
/// </summary>
static class Mutations
{
    // Bytes that matter to the parsers: JSON punctuation, digits, pickle MARK and STOP, markdown quotes, zero and all ones.
    static readonly byte[] Meaningful = [0, 0xff, .. "9-,[]{}\"\n(.>"u8];

    static readonly byte[] Openings = "([{<"u8.ToArray();

    const int LongestRepeat = 40_000;

    public static byte[] Mutate(byte[] original, Random random)
    {
        var bytes = original.ToList();
        var edits = random.Next(1, 4);
        for (var e = 0; e < edits && bytes.Count > 0; e++)
        {
            var at = random.Next(bytes.Count);
            switch (random.Next(8))
            {
                case 0: bytes[at] ^= (byte)(1 << random.Next(8)); break;
                case 1: bytes[at] = (byte)random.Next(256); break;
                case 2: bytes[at] = Meaningful[random.Next(Meaningful.Length)]; break;
                case 3: bytes.RemoveRange(at, bytes.Count - at); break;
                case 4: bytes.InsertRange(at, Enumerable.Range(0, random.Next(1, 9)).Select(_ => (byte)random.Next(256))); break;
                case 5: bytes.RemoveRange(at, Math.Min(random.Next(1, 9), bytes.Count - at)); break;
                case 6:
                    var run = bytes.GetRange(at, Math.Min(random.Next(1, 5), bytes.Count - at));
                    bytes.InsertRange(at, Enumerable.Repeat(run, random.Next(1, LongestRepeat / run.Count)).SelectMany(r => r));
                    break;
                default:
                    var opening = bytes.FindIndex(at, b => Openings.Contains(b));
                    if (opening >= 0) bytes.InsertRange(opening, Enumerable.Repeat(bytes[opening], random.Next(1, LongestRepeat)));
                    break;
            }
        }
        return bytes.ToArray();
    }
}
