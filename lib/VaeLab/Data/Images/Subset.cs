namespace VaeLab.Data.Images;

/// <summary>The samples of a dataset at the given indices, in their order (PyTorch's Subset).</summary>
public sealed class Subset<T> : IDataset<T>
{
    readonly IDataset<T> dataset;

    public Subset(IDataset<T> dataset, IReadOnlyList<int> indices)
    {
        for (var i = 0; i < indices.Count; i++)
            if (indices[i] < 0 || indices[i] >= dataset.Count)
                throw new ArgumentOutOfRangeException(nameof(indices), indices[i], $"index {i} is outside the dataset's {dataset.Count} samples");
        this.dataset = dataset;
        Indices = indices;
    }

    public IReadOnlyList<int> Indices { get; }
    public int Count => Indices.Count;
    public T Get(int index) => dataset.Get(Indices[index]);
}

public static class Subset
{
    /// <summary>
    /// <paramref name="count"/> samples drawn without replacement by a generator seeded with <paramref name="seed"/>, in
    /// the drawn order; the dataset itself when count is 0 or not below its size. Image folders list their files class
    /// by class (Food-101), so their first samples are not a sample of the classes; these are.
    /// </summary>
    public static IDataset<T> Random<T>(IDataset<T> dataset, int count, int seed = 0)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(count);
        if (count == 0 || count >= dataset.Count) return dataset;
        var order = Enumerable.Range(0, dataset.Count).ToArray();
        new System.Random(seed).Shuffle(order);
        return new Subset<T>(dataset, order[..count]);
    }
}
