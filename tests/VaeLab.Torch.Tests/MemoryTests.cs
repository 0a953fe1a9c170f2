using F = VaeLab.Torch.torch.nn.functional;

namespace VaeLab.Torch.Tests;

[Collection(ProcessWideState.Name)]
public class MemoryTests
{
    /// <summary>The process's resident memory in MB, as the kernel counts it.</summary>
    static double ResidentMegabytes()
    {
        var line = File.ReadLines("/proc/self/status").First(l => l.StartsWith("VmRSS:"));
        return long.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1]) / 1024.0;
    }

    static double SettledResidentMegabytes()
    {
        GC.Collect();
        GC.WaitForPendingFinalizers();
        GC.Collect();
        return ResidentMegabytes();
    }

    [Fact]
    public void TrainingWithADisposeScopePerStepKeepsMemoryFlat()
    {
        manual_seed(0);
        // Each class is a different constant brightness pattern, so a tiny conv net can learn it.
        var x = randn(32, 1, 8, 8);
        var y = randint(0, 4, [32]);
        using (no_grad()) x.add_(y.view(32, 1, 1, 1).to(float32));
        var conv = (randn([4, 1, 3, 3]) * 0.3).requires_grad_();
        var convBias = zeros([4], requires_grad: true);
        var fc = (randn([4, 4 * 6 * 6]) * 0.02).requires_grad_();
        var fcBias = zeros([4], requires_grad: true);
        Tensor[] parameters = [conv, convBias, fc, fcBias];

        double Step()
        {
            using var scope = NewDisposeScope();
            var hidden = F.conv2d(x, conv, convBias).relu().flatten(1);
            var loss = F.cross_entropy(F.linear(hidden, fc, fcBias), y);
            loss.backward();
            using (no_grad())
            {
                foreach (var p in parameters)
                {
                    p.sub_(p.grad! * 0.05);
                    p.grad!.zero_();
                }
            }
            return loss.item();
        }

        // One intra-op thread: what is measured is memory, and on a busy machine libtorch's thread team
        // makes these tiny steps many times slower (conv2d always splits its batch across threads).
        var threads = get_num_threads();
        set_num_threads(1);
        const int warmup = 100, steps = 2000;
        double firstLoss, lastLoss = 0, growth;
        try
        {
            firstLoss = Step();
            for (var i = 1; i < warmup; i++) Step();
            var before = SettledResidentMegabytes();
            for (var i = 0; i < steps; i++) lastLoss = Step();
            growth = SettledResidentMegabytes() - before;
        }
        finally
        {
            set_num_threads(threads);
        }

        Assert.True(growth < 50, $"resident memory grew by {growth:F1} MB over {steps} steps");
        Assert.True(lastLoss < firstLoss / 4, $"the net did not learn: loss {firstLoss:F3} -> {lastLoss:F3}");
        foreach (var p in parameters)
        {
            Assert.False(p.IsDisposed);
            p.Dispose();
        }
        x.Dispose();
        y.Dispose();
    }

    [Fact]
    public void TheEndOfAScopeGivesNativeMemoryBackAtOnce()
    {
        var before = SettledResidentMegabytes();
        double during;
        using (NewDisposeScope())
        {
            // 256 MB, written (so resident) by the fill.
            ones(64, 1024, 1024);
            during = ResidentMegabytes();
        }
        var after = ResidentMegabytes();
        Assert.True(during - before > 200, $"a 256 MB tensor raised resident memory by only {during - before:F0} MB");
        Assert.True(after - before < 50, $"resident memory stayed {after - before:F0} MB above where it was after the scope");
    }

    [Fact]
    public void TemporariesAreFreedWhenTheScopeEnds()
    {
        using var outside = ones(3);
        Tensor a, b, c;
        using (var scope = NewDisposeScope())
        {
            a = outside + 1;
            b = a.exp();
            c = b[0];
            Assert.Equal(3, scope.Count);
            Assert.False(c.IsDisposed);
        }
        Assert.True(a.IsDisposed);
        Assert.True(b.IsDisposed);
        Assert.True(c.IsDisposed);
        Assert.False(outside.IsDisposed);
        Assert.Equal(new float[] { 1, 1, 1 }, outside.data<float>());
    }

    [Fact]
    public void MoveToOuterDisposeScopeHandsTheTensorToTheEnclosingScope()
    {
        Tensor kept, dropped;
        using (var outer = NewDisposeScope())
        {
            using (NewDisposeScope())
            {
                dropped = randn(2);
                kept = (dropped * 2).MoveToOuterDisposeScope();
            }
            Assert.True(dropped.IsDisposed);
            Assert.False(kept.IsDisposed);
            Assert.Equal(1, outer.Count);
            Assert.Equal(2, kept.numel());
        }
        Assert.True(kept.IsDisposed);
    }

    [Fact]
    public void MovingOutOfTheOutermostScopeLeavesTheTensorToTheCaller()
    {
        Tensor result;
        using (NewDisposeScope())
        {
            result = arange(4L).MoveToOuterDisposeScope();
        }
        Assert.False(result.IsDisposed);
        Assert.Equal(new long[] { 0, 1, 2, 3 }, result.data<long>());
        result.Dispose();
        Assert.True(result.IsDisposed);
    }

    [Fact]
    public void NestedScopesFreeTheirOwnTensorsOnly()
    {
        using var outer = NewDisposeScope();
        var first = zeros(2);
        Tensor second;
        using (var inner = NewDisposeScope())
        {
            second = ones(2);
            var third = first + second;
            Assert.Equal(2, inner.Count);
            Assert.Equal(1, outer.Count);
            Assert.Equal(new float[] { 1, 1 }, third.data<float>());
        }
        Assert.True(second.IsDisposed);
        Assert.False(first.IsDisposed);
        var fourth = first + 5;
        Assert.Equal(2, outer.Count);
        Assert.Equal(new float[] { 5, 5 }, fourth.data<float>());
    }

    [Fact]
    public void DetachFromDisposeScopeSurvivesEveryScope()
    {
        Tensor detached;
        using (NewDisposeScope())
        {
            using (NewDisposeScope())
            {
                detached = full([3], 7.0).DetachFromDisposeScope();
            }
            Assert.False(detached.IsDisposed);
        }
        Assert.False(detached.IsDisposed);
        Assert.Equal(new float[] { 7, 7, 7 }, detached.data<float>());
        detached.Dispose();
        Assert.True(detached.IsDisposed);
    }

    [Fact]
    public void TensorsDisposedEarlyOrMadeOnOtherThreadsAreNotTouched()
    {
        Tensor early, elsewhere;
        using (var scope = NewDisposeScope())
        {
            early = randn(3);
            early.Dispose();
            Assert.Equal(0, scope.Count);
            // Scopes are per thread: a tensor made on another thread belongs to none of this thread's scopes.
            Tensor? made = null;
            var thread = new Thread(() => made = ones(2));
            thread.Start();
            thread.Join();
            elsewhere = made!;
        }
        Assert.True(early.IsDisposed);
        Assert.False(elsewhere.IsDisposed);
        elsewhere.Dispose();
    }
}
