using VaeLab.Data.Images;

namespace VaeLab.Tests.Data.Images;

public class SubsetTests
{
    sealed class Numbers(int count) : IDataset<int>
    {
        public int Count => count;
        public int Get(int index) => index < count ? index * 10 : throw new ArgumentOutOfRangeException(nameof(index));
    }

    [Fact]
    public void ASubsetReadsItsIndicesInOrder()
    {
        var subset = new Subset<int>(new Numbers(5), [4, 0, 2]);

        Assert.Equal(3, subset.Count);
        Assert.Equal([40, 0, 20], Enumerable.Range(0, 3).Select(subset.Get));
        Assert.Contains("index 1 is outside the dataset's 5 samples", Assert.Throws<ArgumentOutOfRangeException>(() => new Subset<int>(new Numbers(5), [1, 5])).Message);
    }

    [Fact]
    public void ARandomSubsetDrawsDistinctSamplesFromItsSeed()
    {
        var numbers = new Numbers(100);
        var drawn = Subset.Random(numbers, 30, seed: 4);
        var values = Enumerable.Range(0, drawn.Count).Select(drawn.Get).ToList();

        Assert.Equal(30, values.Distinct().Count());
        Assert.All(values, v => Assert.InRange(v, 0, 990));
        Assert.NotEqual(Enumerable.Range(0, 30).Select(i => i * 10), values);
        var again = Subset.Random(numbers, 30, seed: 4);
        Assert.Equal(values, Enumerable.Range(0, 30).Select(again.Get));
        var other = Subset.Random(numbers, 30, seed: 5);
        Assert.NotEqual(values, Enumerable.Range(0, 30).Select(other.Get));
        Assert.Same(numbers, Subset.Random(numbers, 0));
        Assert.Same(numbers, Subset.Random(numbers, 100));
    }
}
