namespace VaeLab.Data;

/// <summary>How readers treat bad records.</summary>
/// <param name="SkipBadRecords">
/// Skip a corrupt record and go on (counted in <see cref="BadRecords"/>) instead of throwing.
/// Damage that leaves the rest of the file unreadable (a bad header, a corrupt gzip stream) still throws.
/// </param>
public sealed record ReadOptions(bool SkipBadRecords = false)
{
    public static readonly ReadOptions Strict = new();
}
