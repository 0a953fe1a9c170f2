using System.Runtime.InteropServices;

namespace VaeLab.Torch.Tests;

public class OpenMpWaitPolicyTests
{
    [DllImport("libc", EntryPoint = "getenv")]
    static extern IntPtr native_getenv(string name);

    [Fact]
    public void The_wait_policy_reaches_the_c_library_before_libtorch_loads()
    {
        using var x = ones(2);  // the native library, and libtorch's OpenMP with it, is loaded by now

        // Unless the test runner chose a policy, the binding chose PASSIVE; either way the C library, which libgomp
        // reads when it loads, sees the same value as .NET.
        var chosen = Environment.GetEnvironmentVariable("OMP_WAIT_POLICY");
        Assert.NotNull(chosen);
        Assert.Equal(chosen, Marshal.PtrToStringAnsi(native_getenv("OMP_WAIT_POLICY")));
    }
}
