using F = TorchSharp.torch.nn.functional;

namespace VaeLab.Tests.Torch;

/// <summary>
/// Calls that TorchSharp 0.107 lets abort the whole process on invalid input (C++ terminate, SIGABRT, exit code 134)
/// instead of throwing: its native entry points for them catch no libtorch error, and no .NET handler (try/catch,
/// AppDomain.UnhandledException) runs. Under a test host, a notebook kernel or a training run, the process is gone.
/// VaeLab's own code does not reach them with arguments that callers control (Pca uses mm, SplitVae.backward uses
/// backward(inputs)); code on TorchSharp must check arguments before calling these, or use the entry points that throw:
/// mm/bmm/einsum for matmul, item&lt;T&gt;() for the scalar conversions, backward(inputs) for autograd.grad.
/// Each call runs here in a child process; if one starts to throw instead, it belongs in <see cref="NativeErrorsTests"/>.
/// </summary>
public class AbortingCallsTests
{
    // name -> (what the child writes to stderr as it dies, the call)
    internal static readonly Dictionary<string, (string stderr, Action call)> Calls = new()
    {
        ["matmul shapes"] = (Terminate("mat1 and mat2 shapes cannot be multiplied (2x3 and 4x5)"), () => randn(2, 3).matmul(randn(4, 5))),
        ["cummax dim"] = (Terminate("Dimension out of range (expected to be in range of [-2, 1], but got 5)"), () => randn(2, 3).cummax(5)),
        ["cummin dim"] = (Terminate("Dimension out of range (expected to be in range of [-2, 1], but got 5)"), () => randn(2, 3).cummin(5)),
        ["var of int64 along a dim"] = (Terminate("std and var only support floating point and complex dtypes"), () => arange(6L).view(2, 3).var(1)),
        ["autograd.grad of an unused input"] = (Terminate("element 0of the differentiated Tensors appears to not have been used in the graph"), () =>
        {
            var x = randn([3], requires_grad: true);
            autograd.grad([(x * 2).sum()], [randn([3], requires_grad: true)]);
        }),
        ["autograd.grad without a graph"] = (Terminate("element 0 of tensors does not require grad and does not have a grad_fn"), () =>
            autograd.grad([randn(3).sum()], [randn([3], requires_grad: true)])),
        ["autograd.grad with more grad_outputs than outputs"] = (Terminate("got 1 tensors and 2 gradients"), () =>
        {
            var x = randn([2], requires_grad: true);
            autograd.grad([x.sum()], [x], [tensor(1f), tensor(1f)]);
        }),
        ["set_num_threads zero"] = (Terminate("Expected positive number of threads"), () => set_num_threads(0)),
        ["set_num_interop_threads twice"] = (Terminate("Error: cannot set number of interop threads after parallel work has started or set_num_interop_threads called"), () =>
        {
            set_num_interop_threads(2);
            set_num_interop_threads(3);
        }),
        ["set_rng_state of floats"] = (Terminate("RNG state must be a torch.ByteTensor"), () => random.set_rng_state(randn(3))),
        ["lp_pool2d kernel of three values"] = (Terminate("Expected 2 values, but instead got 3"), () => F.lp_pool2d(randn(1, 1, 4, 4), 2, [2L, 2, 2])),
        ["max_unpool2d kernel of three values"] = (Terminate("Expected 2 values, but instead got 3"), () =>
            F.max_unpool2d(randn(1, 1, 2, 2), zeros([1, 1, 2, 2], int64), [2L, 2, 2])),
        ["slice with step 0"] = (Terminate("slice step cannot be zero"), () => _ = randn(5)[TensorIndex.Slice(0, 4, 0)]),
        ["float of 1e300"] = (Terminate("value cannot be converted to type float without overflow"), () => _ = (float)tensor(1e300)),
        ["ToInt32 of 1e20"] = (Terminate("value cannot be converted to type int without overflow"), () => tensor(1e20).ToInt32()),
        ["exception in a distance callback"] = ("Unhandled exception. System.InvalidOperationException: no distance", () =>
            F.triplet_margin_with_distance_loss(randn(2, 3), randn(2, 3), randn(2, 3), (_, _) => throw new InvalidOperationException("no distance"))),
    };

    static string Terminate(string message) => $"what():  {message}";

    [Fact]
    public void EachCallAbortsTheProcessWithLibtorchsMessage()
    {
        var children = new Dictionary<string, TestProcess.Result>();
        Parallel.ForEach(Calls.Keys, new ParallelOptions { MaxDegreeOfParallelism = Environment.ProcessorCount }, name =>
        {
            var child = TestProcess.Run(new Dictionary<string, string?>(), "abort", name);
            lock (children) children[name] = child;
        });
        foreach (var (name, (stderr, _)) in Calls)
        {
            var child = children[name];
            var report = $"'{name}' exited with {child.exit_code}; stderr:\n{child.stderr}";
            Assert.True(child.exit_code == 128 + 6, report);  // killed by SIGABRT
            Assert.True(child.stderr.Contains(stderr), report);
        }
    }
}
