namespace VaeLab.Data;

/// <summary>
/// A data file does not hold what its format promises: a corrupt line, record, header or pickle, or a
/// truncated file. <see cref="File"/> and <see cref="Location"/> ("line 12", "record 3", "header") say where.
/// </summary>
public sealed class DataFormatException(string file, string location, string reason, Exception? inner = null)
    : Exception($"{file}: {location}: {reason}", inner)
{
    public string File { get; } = file;
    public string Location { get; } = location;
    public string Reason { get; } = reason;
}
