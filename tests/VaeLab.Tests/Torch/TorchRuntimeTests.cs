using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using VaeLab.Torch;

namespace VaeLab.Tests.Torch;

public sealed class TorchRuntimeTests
{
    /// <summary>
    /// Freed blocks of the size of a conv VAE's activations stay with malloc for the next step. Three 16 MiB blocks: more
    /// than glibc's default trim threshold in a fresh process (128 KiB, then twice the largest mmapped block freed so far),
    /// so with glibc's defaults their pages fault again in the second round; and within the 64 MiB heap that a thread's
    /// own arena keeps whatever the threshold, since the test runs on a thread of the pool.
    /// </summary>
    [Fact]
    public unsafe void MallocKeepsFreedActivationsForTheNextStep()
    {
        if (!OperatingSystem.IsLinux()) return;
        RuntimeHelpers.RunModuleConstructor(typeof(TorchRuntime).Module.ModuleHandle);

        const int size = TorchRuntime.MmapThreshold / 2, pages = size / 4096;
        long Round()
        {
            var before = MinorFaultsOfThisThread();
            var blocks = new byte*[3];
            for (var i = 0; i < blocks.Length; i++)
            {
                blocks[i] = (byte*)NativeMemory.Alloc(size);
                for (var page = 0; page < pages; page++) blocks[i][page * 4096] = 1;
            }
            foreach (var block in blocks) NativeMemory.Free(block);
            return MinorFaultsOfThisThread() - before;
        }

        Round();
        var faults = Round();
        Assert.True(faults < pages, $"{faults} page faults on reusing {3 * pages} freed pages");
    }

    [Fact]
    public void FlushingDenormalsZeroesSubnormalFloatsOnTheCallingThreadAndThreadsItStarts()
    {
        if (RuntimeInformation.ProcessArchitecture != Architecture.X64) return;
        static int Doubled()
        {
            using var x = tensor(BitConverter.Int32BitsToSingle(subnormal)) * 2;
            return BitConverter.SingleToInt32Bits(x.item<float>());
        }
        int flushed = -1, inherited = -1, kept = -1;
        var thread = new Thread(() =>
        {
            Assert.True(TorchRuntime.set_flush_denormal(true));
            flushed = Doubled();
            var child = new Thread(() => inherited = Doubled());
            child.Start();
            child.Join();
            TorchRuntime.set_flush_denormal(false);
            kept = Doubled();
        });
        thread.Start();
        thread.Join();

        Assert.Equal(0, flushed);
        Assert.Equal(0, inherited);
        Assert.Equal(2 * subnormal, kept);
        Assert.Equal(2 * subnormal, Doubled());
    }

    // The bits of a subnormal float32, about 1e-39, read at run time: the JIT would fold a constant, and code it compiles
    // on a thread that flushes denormals turns subnormal constants into zero.
    static int subnormal = 0x000A_E398;

    static long MinorFaultsOfThisThread()
    {
        const int RUSAGE_THREAD = 1;
        if (getrusage(RUSAGE_THREAD, out var usage) != 0) throw new InvalidOperationException("getrusage(RUSAGE_THREAD) failed");
        return usage.ru_minflt;
    }

    [DllImport("libc")]
    static extern int getrusage(int who, out RUsage usage);

    // struct rusage on 64-bit Linux: two timevals, then fourteen longs.
    [StructLayout(LayoutKind.Sequential)]
    struct RUsage
    {
        public long ru_utime_sec, ru_utime_usec, ru_stime_sec, ru_stime_usec;
        public long ru_maxrss, ru_ixrss, ru_idrss, ru_isrss, ru_minflt, ru_majflt, ru_nswap, ru_inblock, ru_oublock;
        public long ru_msgsnd, ru_msgrcv, ru_nsignals, ru_nvcsw, ru_nivcsw;
    }
}
