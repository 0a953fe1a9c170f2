namespace VaeLab.Data.Formats;

/// <summary>The CRC-32 of gzip, zip and PNG chunks (reflected polynomial 0xEDB88320).</summary>
static class Crc32
{
    static readonly uint[] Table = CreateTable();

    static uint[] CreateTable()
    {
        var table = new uint[256];
        for (uint n = 0; n < 256; n++)
        {
            var c = n;
            for (var k = 0; k < 8; k++) c = (c & 1) != 0 ? 0xEDB88320u ^ (c >> 1) : c >> 1;
            table[n] = c;
        }
        return table;
    }

    /// <summary>Continues <paramref name="crc"/> (0 to start) over <paramref name="bytes"/>.</summary>
    public static uint Append(uint crc, ReadOnlySpan<byte> bytes)
    {
        var c = ~crc;
        foreach (var b in bytes) c = Table[(c ^ b) & 0xff] ^ (c >> 8);
        return ~c;
    }
}
