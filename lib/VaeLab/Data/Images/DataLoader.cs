using System.Collections;
using System.Collections.Concurrent;
using System.Diagnostics;
using System.Runtime.ExceptionServices;
using TorchSharp;
using VaeLab.Torch;
using static TorchSharp.torch;

namespace VaeLab.Data.Images;

/// <summary>A batch of images and labels. The tensors are the caller's to dispose (a DisposeScope around the step does it).</summary>
public sealed class ImageBatch : IBatch, IDisposable
{
    internal ImageBatch(Tensor images, Tensor labels, int[] indices)
    {
        Images = images;
        Labels = labels;
        Indices = indices;
    }

    /// <summary>B x C x H x W float32.</summary>
    public Tensor Images { get; }

    /// <summary>B int64.</summary>
    public Tensor Labels { get; }

    /// <summary>The dataset index of each sample, in batch order.</summary>
    public int[] Indices { get; }

    public int Size => Indices.Length;

    public void Deconstruct(out Tensor images, out Tensor labels) => (images, labels) = (Images, Labels);

    /// <summary>The images and labels on <paramref name="device"/>, for a model there.</summary>
    public ImageBatch to(Device device) => new(Images.to(device), Labels.to(device), Indices);

    IBatch IBatch.to(Device device) => to(device);

    public void Dispose()
    {
        Images.Dispose();
        Labels.Dispose();
    }
}

/// <summary>
/// Batches a dataset for training, as PyTorch's DataLoader does: an epoch visits every sample once (shuffled from
/// (seed, epoch) when asked), applies the transform, and stacks images into B x C x H x W float32 and labels into
/// B int64. A worker thread prepares batches ahead of the consumer, up to <c>prefetch</c> of them, decoding the
/// samples of a batch on <c>workers</c> threads; prepared batches are managed arrays, turned into tensors only when
/// handed over, on the consumer's thread (so they land in its DisposeScope, and nothing native is left behind when
/// an epoch is abandoned). Enumerating the loader runs the next epoch; <see cref="batches"/> runs a given one, the
/// same batches every time, which is what <c>Trainer.fit(epoch => loader.batches(epoch))</c> needs to resume.
/// <code>
/// var loader = new DataLoader(FashionMnist.Load(), batch_size: 128, shuffle: true, transform: new Resize(64, 64));
/// foreach (var (x, y) in loader) { ... }
/// </code>
/// </summary>
public sealed class DataLoader : IEnumerable<ImageBatch>
{
    int nextEpoch;

    /// <param name="transform">Applied to each sample on the worker threads; random transforms draw from a
    /// generator seeded by (seed, epoch, sample index).</param>
    /// <param name="prefetch">Batches prepared ahead of the consumer; 0 prepares each one on the consumer's thread when asked.</param>
    /// <param name="workers">Threads decoding the samples of a batch; by default half the cores (1 to 8).</param>
    /// <param name="options">With SkipBadRecords, samples whose reading throws a <see cref="DataFormatException"/>
    /// are left out of their batch (counted in <see cref="DataLoaderEpoch.skipped"/>) instead of ending the epoch.</param>
    public DataLoader(IDataset<LabeledImage> dataset, int batch_size = 1, bool shuffle = false, bool drop_last = false,
        ITransform? transform = null, long seed = 0, int prefetch = 2, int? workers = null, ReadOptions? options = null)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(batch_size, 1);
        ArgumentOutOfRangeException.ThrowIfNegative(prefetch);
        if (workers is < 1) throw new ArgumentOutOfRangeException(nameof(workers), workers, "at least 1 thread");
        this.dataset = dataset;
        this.batch_size = batch_size;
        this.shuffle = shuffle;
        this.drop_last = drop_last;
        this.transform = transform;
        this.seed = seed;
        this.prefetch = prefetch;
        this.workers = workers ?? Math.Clamp(Environment.ProcessorCount / 2, 1, 8);
        this.options = options ?? ReadOptions.Strict;
    }

    public IDataset<LabeledImage> dataset { get; }
    public int batch_size { get; }
    public bool shuffle { get; }
    public bool drop_last { get; }
    public ITransform? transform { get; }
    public long seed { get; }
    public int prefetch { get; }
    public int workers { get; }
    public ReadOptions options { get; }

    /// <summary>Batches per epoch (len(loader)).</summary>
    public int Count => drop_last ? dataset.Count / batch_size : (dataset.Count + batch_size - 1) / batch_size;

    /// <summary>The dataset indices in the order epoch <paramref name="epoch"/> visits them.</summary>
    public int[] order(int epoch)
    {
        var indices = Enumerable.Range(0, dataset.Count).ToArray();
        if (!shuffle) return indices;
        var random = new Random(Seed(seed, epoch, -1));
        for (var i = indices.Length - 1; i > 0; i--)
        {
            var j = random.Next(i + 1);
            (indices[i], indices[j]) = (indices[j], indices[i]);
        }
        return indices;
    }

    /// <summary>The batches of epoch <paramref name="epoch"/> (0 for the first).</summary>
    public DataLoaderEpoch batches(int epoch) => new(this, epoch);

    /// <summary>Runs the next epoch: the first enumeration is epoch 0, the next epoch 1, and so on.</summary>
    public IEnumerator<ImageBatch> GetEnumerator() => batches(nextEpoch++).GetEnumerator();

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();

    /// <summary>SplitMix64 over (seed, epoch, index): unrelated generator seeds for every sample of every epoch.</summary>
    internal static int Seed(long seed, long epoch, long index)
    {
        static ulong Mix(ulong z)
        {
            z += 0x9E3779B97F4A7C15;
            z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9;
            z = (z ^ (z >> 27)) * 0x94D049BB133111EB;
            return z ^ (z >> 31);
        }
        return (int)(Mix(Mix(Mix((ulong)seed) ^ (ulong)epoch) ^ (ulong)index) >> 33);
    }
}

/// <summary>
/// One epoch of a <see cref="DataLoader"/>. Each enumeration gives the same batches; its progress counters
/// describe the latest enumeration.
/// </summary>
public sealed class DataLoaderEpoch : IReadOnlyCollection<ImageBatch>
{
    internal readonly DataLoader loader;
    internal int preparedCount;

    internal DataLoaderEpoch(DataLoader loader, int epoch)
    {
        this.loader = loader;
        this.epoch = epoch;
        skipped = new BadRecords(loader.options);
    }

    public int epoch { get; }

    /// <summary>Batches in the epoch (fewer are delivered if skipped samples leave a batch empty).</summary>
    public int Count => loader.Count;

    /// <summary>Samples left out because they could not be read (with ReadOptions.SkipBadRecords).</summary>
    public BadRecords skipped { get; }

    /// <summary>Batches prepared so far, delivered or waiting in the queue.</summary>
    public int prepared => Volatile.Read(ref preparedCount);

    /// <summary>Batches handed to the consumer so far.</summary>
    public int delivered { get; internal set; }

    /// <summary>Time the consumer spent waiting for batches: near zero when the workers keep ahead of the model.</summary>
    public TimeSpan waited { get; internal set; }

    public IEnumerator<ImageBatch> GetEnumerator() => new BatchEnumerator(this);

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();
}

sealed class BatchEnumerator : IEnumerator<ImageBatch>
{
    sealed record Prepared(float[] Images, long[] Shape, long[] Labels, int[] Indices);

    readonly DataLoaderEpoch owner;
    readonly DataLoader loader;
    readonly int[] order;
    readonly CancellationTokenSource cancel = new();
    readonly BlockingCollection<Prepared>? queue;
    readonly Task? worker;
    volatile ExceptionDispatchInfo? failure;
    int next;
    bool disposed;
    ImageBatch? current;

    public BatchEnumerator(DataLoaderEpoch owner)
    {
        this.owner = owner;
        loader = owner.loader;
        order = loader.order(owner.epoch);
        owner.skipped.Clear();
        owner.preparedCount = 0;
        owner.delivered = 0;
        owner.waited = TimeSpan.Zero;
        if (loader.prefetch == 0) return;
        queue = new BlockingCollection<Prepared>(loader.prefetch);
        worker = Task.Factory.StartNew(Produce, CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default);
    }

    public ImageBatch Current => current ?? throw new InvalidOperationException("MoveNext has not given a batch");

    object IEnumerator.Current => Current;

    public bool MoveNext()
    {
        ObjectDisposedException.ThrowIf(disposed, this);
        var clock = Stopwatch.StartNew();
        Prepared? batch = null;
        if (queue is null)
        {
            while (batch is null && next < loader.Count)
            {
                batch = Prepare(next++, CancellationToken.None);
                Interlocked.Increment(ref owner.preparedCount);
            }
        }
        else if (!queue.TryTake(out batch, Timeout.Infinite))
        {
            failure?.Throw();
        }
        owner.waited += clock.Elapsed;
        if (batch is null) return false;
        current = new ImageBatch(torch.tensor(batch.Images, batch.Shape), torch.tensor(batch.Labels, [batch.Labels.Length]), batch.Indices);
        owner.delivered++;
        return true;
    }

    void Produce()
    {
        var token = cancel.Token;
        try
        {
            for (var b = 0; b < loader.Count; b++)
            {
                if (Prepare(b, token) is { } batch) queue!.Add(batch, token);
                Interlocked.Increment(ref owner.preparedCount);
            }
        }
        catch (OperationCanceledException) when (token.IsCancellationRequested)
        {
        }
        catch (Exception e)
        {
            failure = ExceptionDispatchInfo.Capture(e);
        }
        finally
        {
            queue!.CompleteAdding();
        }
    }

    /// <summary>Reads, transforms and stacks the samples of batch <paramref name="b"/>; null when all were skipped.</summary>
    Prepared? Prepare(int b, CancellationToken token)
    {
        var indices = order.AsSpan(b * loader.batch_size, Math.Min(loader.batch_size, order.Length - b * loader.batch_size)).ToArray();
        var images = new FloatImage?[indices.Length];
        var labels = new long[indices.Length];
        var errors = new Exception?[indices.Length];
        void Load(int k)
        {
            try
            {
                var sample = loader.dataset.Get(indices[k]);
                images[k] = loader.transform is null
                    ? sample.Image
                    : loader.transform.Apply(sample.Image, new Random(DataLoader.Seed(loader.seed, owner.epoch, indices[k])));
                labels[k] = sample.Label;
            }
            catch (Exception e)
            {
                errors[k] = e;
            }
        }
        if (loader.workers == 1 || indices.Length == 1)
            for (var k = 0; k < indices.Length; k++)
            {
                token.ThrowIfCancellationRequested();
                Load(k);
            }
        else
            Parallel.For(0, indices.Length, new ParallelOptions { MaxDegreeOfParallelism = loader.workers, CancellationToken = token }, Load);

        // Errors are raised in batch order, so that the same sample is blamed whatever the threads did.
        for (var k = 0; k < indices.Length; k++)
        {
            switch (errors[k])
            {
                case null:
                    continue;
                case DataFormatException bad when owner.skipped.Options.SkipBadRecords:
                    lock (owner.skipped) owner.skipped.Skip(bad);
                    continue;
                case DataFormatException bad:
                    ExceptionDispatchInfo.Throw(bad);
                    break;
                case var e:
                    throw new InvalidOperationException($"sample {indices[k]} of the dataset (epoch {owner.epoch}, batch {b}): {e.Message}", e);
            }
        }

        var kept = Enumerable.Range(0, indices.Length).Where(k => errors[k] is null).ToArray();
        if (kept.Length == 0) return null;
        var first = images[kept[0]]!;
        var size = first.Data.Length;
        var data = new float[(long)kept.Length * size];
        for (var j = 0; j < kept.Length; j++)
        {
            var image = images[kept[j]]!;
            if (image.Channels != first.Channels || image.Height != first.Height || image.Width != first.Width)
                throw new InvalidOperationException(
                    $"sample {indices[kept[j]]} is {image.Channels}x{image.Height}x{image.Width} but sample {indices[kept[0]]} of the same batch is " +
                    $"{first.Channels}x{first.Height}x{first.Width}: a batch needs one size, so give the loader a transform that makes it (Resize, CenterCrop, GreyToRgb)");
            image.Data.CopyTo(data, (long)j * size);
        }
        return new Prepared(data, [kept.Length, first.Channels, first.Height, first.Width],
            [.. kept.Select(k => labels[k])], [.. kept.Select(k => indices[k])]);
    }

    public void Reset() => throw new NotSupportedException("enumerate the epoch again instead");

    public void Dispose()
    {
        if (disposed) return;
        disposed = true;
        cancel.Cancel();
        worker?.Wait();
        queue?.Dispose();
        cancel.Dispose();
    }
}
