namespace VaeLab.Data;

/// <summary>
/// The records of a file, read lazily each time it is enumerated, so that files larger than memory
/// stream through. <see cref="Skipped"/> counts the bad records the latest enumeration skipped.
/// </summary>
public sealed class RecordStream<T> : IEnumerable<T>
{
    readonly Func<BadRecords, IEnumerable<T>> read;

    internal RecordStream(ReadOptions? options, Func<BadRecords, IEnumerable<T>> read)
    {
        Skipped = new BadRecords(options);
        this.read = read;
    }

    public BadRecords Skipped { get; }

    public IEnumerator<T> GetEnumerator()
    {
        Skipped.Clear();
        return read(Skipped).GetEnumerator();
    }

    System.Collections.IEnumerator System.Collections.IEnumerable.GetEnumerator() => GetEnumerator();
}
