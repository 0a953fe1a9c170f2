using System.Diagnostics;
using VaeLab.Data;
using VaeLab.Data.Images;

namespace VaeLab.Tests.Data.Images;

public class LoaderTests
{
    /// <summary>Sample i is a 1 x 2 x 3 image whose values are i, i + 0.1 ... (column-distinct, so flips show), labelled i.</summary>
    sealed class Numbered(int count, Func<int, Exception?>? fail = null, int delayMs = 0) : IDataset<LabeledImage>
    {
        int gets;

        public int Count => count;
        public int Gets => Volatile.Read(ref gets);

        public LabeledImage Get(int index)
        {
            Interlocked.Increment(ref gets);
            if (delayMs > 0) Thread.Sleep(delayMs);
            if (fail?.Invoke(index) is { } error) throw error;
            return new LabeledImage(new FloatImage(1, 2, 3, [index, index + 0.1f, index + 0.2f, index + 0.3f, index + 0.4f, index + 0.5f]), index);
        }
    }

    static List<long[]> Labels(IEnumerable<ImageBatch> batches) =>
        batches.Select(b => { using (b) return b.Labels.data<long>().ToArray(); }).ToList();

    [Theory]
    [InlineData(false, 0)]
    [InlineData(true, 2)]
    public void EverySampleComesOnceAnEpochInBatchesOfItsImages(bool shuffle, int prefetch)
    {
        var loader = new DataLoader(new Numbered(50), batch_size: 7, shuffle: shuffle, prefetch: prefetch, workers: 2);
        Assert.Equal(8, loader.Count);
        var seen = new List<long>();
        foreach (var batch in loader)
        {
            using (batch)
            {
                Assert.Equal(ScalarType.Float32, batch.Images.dtype);
                Assert.Equal(ScalarType.Int64, batch.Labels.dtype);
                Assert.Equal([batch.Size, 1L, 2, 3], batch.Images.shape);
                var labels = batch.Labels.data<long>().ToArray();
                var images = batch.Images.data<float>().ToArray();
                for (var k = 0; k < labels.Length; k++)
                {
                    Assert.Equal(batch.Indices[k], labels[k]);
                    Assert.Equal(labels[k] + 0.4f, images[k * 6 + 4], 1e-5f);
                }
                seen.AddRange(labels);
            }
        }
        Assert.Equal(Enumerable.Range(0, 50).Select(i => (long)i), seen.Order());
        Assert.Equal(shuffle, !seen.SequenceEqual(seen.Order()));

        var dropped = Labels(new DataLoader(new Numbered(50), batch_size: 7, shuffle: shuffle, drop_last: true).batches(0));
        Assert.Equal(7, dropped.Count);
        Assert.All(dropped, b => Assert.Equal(7, b.Length));
        Assert.Equal(49, dropped.SelectMany(b => b).Distinct().Count());
    }

    [Fact]
    public void SeedsRepeatOrdersAndEpochsShuffleAnew()
    {
        var data = new Numbered(40);
        var a = new DataLoader(data, batch_size: 8, shuffle: true, seed: 5);
        var b = new DataLoader(data, batch_size: 8, shuffle: true, seed: 5, workers: 3, prefetch: 0);
        var epoch0 = Labels(a);
        var epoch1 = Labels(a);
        Assert.Equal(epoch0, Labels(b));
        Assert.Equal(epoch1, Labels(b));
        Assert.NotEqual(epoch0.SelectMany(x => x), epoch1.SelectMany(x => x));
        Assert.Equal(epoch1, Labels(a.batches(1)));
        Assert.Equal(a.order(7), new DataLoader(data, shuffle: true, seed: 5).order(7));
        Assert.NotEqual(a.order(0), new DataLoader(data, shuffle: true, seed: 6).order(0));
    }

    [Fact]
    public void RandomTransformsDependOnSeedEpochAndSampleNotOnThreads()
    {
        float[] Images(int workers, int epoch, long seed = 0)
        {
            var loader = new DataLoader(new Numbered(64), batch_size: 16, transform: new RandomHorizontalFlip(), seed: seed, workers: workers);
            return loader.batches(epoch).SelectMany(b => { using (b) return b.Images.data<float>().ToArray(); }).ToArray();
        }
        var one = Images(1, 0);
        Assert.Equal(one, Images(4, 0));
        Assert.NotEqual(one, Images(1, 1));
        Assert.NotEqual(one, Images(1, 0, seed: 1));
        var flipped = Enumerable.Range(0, 64).Count(i => one[i * 6] > one[i * 6 + 1]);
        Assert.InRange(flipped, 16, 48);
    }

    static void WaitFor(Func<bool> condition, string what)
    {
        var clock = Stopwatch.StartNew();
        while (!condition())
        {
            if (clock.Elapsed > TimeSpan.FromSeconds(10)) Assert.Fail($"timed out waiting until {what}");
            Thread.Sleep(2);
        }
    }

    [Fact]
    public void PrefetchRunsAheadOfASlowConsumerAndNoFurther()
    {
        var data = new Numbered(12);
        var epoch = new DataLoader(data, batch_size: 1, prefetch: 3, workers: 1).batches(0);
        using (var batches = epoch.GetEnumerator())
        {
            Assert.True(batches.MoveNext());
            batches.Current.Dispose();
            // The consumer is busy: the worker fills the queue (3) and then holds one more batch it cannot add.
            WaitFor(() => epoch.prepared == 4 && data.Gets == 5, "the worker filled the queue");
            Thread.Sleep(50);
            Assert.Equal((4, 5), (epoch.prepared, data.Gets));
            while (batches.MoveNext()) batches.Current.Dispose();
        }
        Assert.Equal((12, 12), (epoch.prepared, epoch.delivered));

        var slow = new Numbered(6);
        var whole = new DataLoader(slow, batch_size: 2, prefetch: 8).batches(0);
        using (var batches = whole.GetEnumerator())
        {
            Assert.True(batches.MoveNext());
            batches.Current.Dispose();
            WaitFor(() => whole.prepared == whole.Count, "the worker finished the epoch");
            Assert.Equal(1, whole.delivered);
        }
    }

    [Theory]
    [InlineData(0, 1)]
    [InlineData(2, 1)]
    [InlineData(2, 4)]
    public void DatasetErrorsReachTheConsumerAfterTheBatchesBefore(int prefetch, int workers)
    {
        var format = new Numbered(40, i => i == 13 ? new DataFormatException("bad.jpg", "record 13", "corrupt") : null);
        var loader = new DataLoader(format, batch_size: 4, prefetch: prefetch, workers: workers);
        var delivered = 0;
        var error = Assert.Throws<DataFormatException>(() =>
        {
            foreach (var batch in loader)
            {
                batch.Dispose();
                delivered++;
            }
        });
        Assert.Equal(3, delivered);
        Assert.Equal(("bad.jpg", "record 13"), (error.File, error.Location));

        var other = new Numbered(40, i => i is 13 or 14 ? new IOException("disk gone") : null);
        var wrapped = Assert.Throws<InvalidOperationException>(() => Labels(new DataLoader(other, batch_size: 4, prefetch: prefetch, workers: workers)));
        Assert.Contains("sample 13", wrapped.Message);
        Assert.IsType<IOException>(wrapped.InnerException);
    }

    [Fact]
    public void SkippingBadRecordsLeavesThemOutAndCountsThem()
    {
        var data = new Numbered(10, i => i is 2 or 3 or 7 ? new DataFormatException($"{i}.jpg", "JPEG data", "corrupt") : null);
        var epoch = new DataLoader(data, batch_size: 2, options: new ReadOptions(SkipBadRecords: true)).batches(0);
        var labels = Labels(epoch);
        Assert.Equal([[0L, 1], [4, 5], [6], [8, 9]], labels); // batch 1 held only bad samples and is left out
        Assert.Equal(3, epoch.skipped.Count);
        Assert.Equal("2.jpg", epoch.skipped.Errors[0].File);
        Assert.Equal(4, epoch.delivered);
    }

    [Fact]
    public void DisposingMidEpochStopsTheWorker()
    {
        var data = new Numbered(400, delayMs: 1);
        var loader = new DataLoader(data, batch_size: 4, prefetch: 2, workers: 1);
        var taken = 0;
        foreach (var batch in loader)
        {
            batch.Dispose();
            if (++taken == 2) break;
        }
        var gets = data.Gets;
        Thread.Sleep(60);
        Assert.Equal(gets, data.Gets);
        Assert.InRange(gets, 8, 8 + 4 * 3);
    }

    [Fact]
    public void BatchesLandInTheConsumersDisposeScopeAndSizesMustAgree()
    {
        var epoch = new DataLoader(new Numbered(8), batch_size: 4).batches(0);
        Assert.Equal(2, epoch.Count);
        ImageBatch first;
        using (var batches = epoch.GetEnumerator())
        {
            using (torch.NewDisposeScope())
            {
                Assert.True(batches.MoveNext());
                first = batches.Current;
                Assert.False(first.Images.IsInvalid);
            }
            Assert.True(first.Images.IsInvalid && first.Labels.IsInvalid);
        }

        var mixed = new ImageFolder([ImageFixtures.PathOf("jpeg", "rgb_444.jpg"), ImageFixtures.PathOf("jpeg", "grey.jpg")]);
        var error = Assert.Throws<InvalidOperationException>(() => Labels(new DataLoader(mixed, batch_size: 2)));
        Assert.Contains("GreyToRgb", error.Message);
        var fixedUp = Labels(new DataLoader(mixed, batch_size: 2, transform: new GreyToRgb()));
        Assert.Equal([[0L, 0]], fixedUp);
    }
}
