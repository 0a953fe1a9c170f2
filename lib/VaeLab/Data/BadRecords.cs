namespace VaeLab.Data;

/// <summary>
/// The bad records a read met. With <see cref="ReadOptions.SkipBadRecords"/> they are counted here and
/// reading goes on; otherwise the first one is thrown.
/// </summary>
public sealed class BadRecords(ReadOptions? options)
{
    // Enough to show what went wrong without holding every error of a badly damaged file.
    const int KeptErrors = 100;

    readonly List<DataFormatException> errors = [];

    public ReadOptions Options { get; } = options ?? ReadOptions.Strict;

    /// <summary>How many records were skipped.</summary>
    public int Count { get; private set; }

    /// <summary>The errors of the first skipped records (at most 100).</summary>
    public IReadOnlyList<DataFormatException> Errors => errors;

    /// <summary>Counts a bad record when skipping is on; otherwise throws its error.</summary>
    internal void Skip(DataFormatException error)
    {
        if (!Options.SkipBadRecords) throw error;
        Count++;
        if (errors.Count < KeptErrors) errors.Add(error);
    }

    internal void Clear()
    {
        Count = 0;
        errors.Clear();
    }

    public override string ToString() => Count == 0 ? "no bad records" : $"{Count} bad records skipped, first: {errors[0].Message}";
}
