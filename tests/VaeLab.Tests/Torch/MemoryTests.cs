using System.Runtime.InteropServices;
using TorchSharp.Modules;
using F = TorchSharp.torch.nn.functional;

namespace VaeLab.Tests.Torch;

/// <summary>
/// Training keeps resident memory flat when each step runs in a DisposeScope: libtorch's memory is freed as the scope
/// ends, not when the garbage collector, which does not see it, gets round to the tensors' finalizers. Resident memory
/// is process-wide, so these run in the serial collection.
/// </summary>
[Collection(TrainingSerial.Name)]
public class MemoryTests
{
    const double AllowedGrowthMegabytes = 50;
    const int Steps = 2000;

    /// <summary>The process's resident memory in MB, as the kernel counts it.</summary>
    static double ResidentMegabytes()
    {
        var line = File.ReadLines("/proc/self/status").First(l => l.StartsWith("VmRSS:"));
        return long.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1]) / 1024.0;
    }

    /// <summary>Resident memory once the finalizers of unreachable tensors have run and the C library has given its free
    /// memory back: kept for reuse, those pages could take a leak without any growth to see.</summary>
    static double SettledResidentMegabytes()
    {
        GC.Collect();
        GC.WaitForPendingFinalizers();
        GC.Collect();
        malloc_trim(0);
        return ResidentMegabytes();
    }

    [DllImport("libc")]
    static extern int malloc_trim(nuint pad);

    /// <summary>A conv net learning four classes of 8x8 images (a batch of 256), each class a different constant brightness added to noise.</summary>
    sealed class Training : IDisposable
    {
        readonly Tensor x, y;
        readonly Sequential model = nn.Sequential(nn.Conv2d(1, 4, 3), nn.ReLU(), nn.Flatten(), nn.Linear(4 * 6 * 6, 4));
        readonly SGD optimizer;

        public Training()
        {
            manual_seed(0);
            y = randint(0, 4, [256]);
            x = randn(256, 1, 8, 8) + y.view(256, 1, 1, 1);
            optimizer = optim.SGD(model.parameters(), 0.05);
        }

        public double Step()
        {
            optimizer.zero_grad();
            var loss = F.cross_entropy(model.call(x), y);
            loss.backward();
            optimizer.step();
            return loss.item<float>();
        }

        public void Dispose()
        {
            optimizer.Dispose();
            model.Dispose();
            x.Dispose();
            y.Dispose();
        }
    }

    /// <summary>Runs the steps with libtorch on one thread: on a busy machine its thread team makes such tiny steps many
    /// times slower, and what is measured here is memory.</summary>
    static T OnOneThread<T>(Func<T> run)
    {
        var threads = get_num_threads();
        set_num_threads(1);
        try
        {
            return run();
        }
        finally
        {
            set_num_threads(threads);
        }
    }

    [Fact]
    public void TrainingWithADisposeScopePerStepKeepsMemoryFlat()
    {
        using var training = new Training();
        double Step()
        {
            using var scope = NewDisposeScope();
            return training.Step();
        }

        var (first, last, growth) = OnOneThread(() =>
        {
            var first = Step();
            for (var i = 0; i < 100; i++) Step();
            var before = SettledResidentMegabytes();
            var last = 0.0;
            for (var i = 0; i < Steps; i++) last = Step();
            return (first, last, SettledResidentMegabytes() - before);
        });

        Assert.True(growth < AllowedGrowthMegabytes, $"resident memory grew by {growth:F1} MB over {Steps} steps");
        Assert.True(last < first / 4, $"the net did not learn: loss {first:F3} -> {last:F3}");
    }

    [Fact]
    public void WithoutAScopeTheSameStepsOutgrowTheAllowance()
    {
        // Until the garbage collector runs, each step's tensors stay: held off here, as it is when a loop allocates too
        // little managed memory to trigger it, their native memory piles up, and the check above would see it.
        using var training = new Training();
        var growth = OnOneThread(() =>
        {
            var before = SettledResidentMegabytes();
            Assert.True(GC.TryStartNoGCRegion(64 << 20), "the garbage collector could not be held off");
            try
            {
                for (var i = 0; i < Steps; i++) training.Step();
                return ResidentMegabytes() - before;
            }
            finally
            {
                GC.EndNoGCRegion();
            }
        });
        Assert.True(growth > AllowedGrowthMegabytes, $"resident memory grew by only {growth:F1} MB over {Steps} steps without a scope");
        // The steps' tensors are unreachable now; their finalizers free the memory before the next test.
        GC.Collect();
        GC.WaitForPendingFinalizers();
    }

    [Fact]
    public void TheEndOfAScopeGivesNativeMemoryBackAtOnce()
    {
        var before = SettledResidentMegabytes();
        double during;
        using (NewDisposeScope())
        {
            ones(64, 1024, 1024);  // 256 MB, written (so resident) by the fill
            during = ResidentMegabytes();
        }
        var after = ResidentMegabytes();
        Assert.True(during - before > 200, $"a 256 MB tensor raised resident memory by only {during - before:F0} MB");
        Assert.True(after - before < AllowedGrowthMegabytes, $"resident memory stayed {after - before:F0} MB above where it was after the scope");
    }
}
