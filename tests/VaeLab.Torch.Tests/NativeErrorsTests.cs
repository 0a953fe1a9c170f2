using F = VaeLab.Torch.torch.nn.functional;

namespace VaeLab.Torch.Tests;

/// <summary>
/// Invalid calls across the API: each must surface as an exception naming the operation (never a
/// crash, never a bare SEHException), and the process must keep working afterwards.
/// </summary>
public class NativeErrorsTests
{
    // name -> (operation the TorchException must name, a fragment of libtorch's message, the call)
    static readonly Dictionary<string, (string operation, string fragment, Action call)> NativeCases = new()
    {
        ["matmul shapes"] = ("matmul", "cannot be multiplied", () => randn(2, 3).matmul(randn(4, 5))),
        ["mm of a vector"] = ("mm", "must be a matrix", () => randn(3).mm(randn(3, 3))),
        ["bmm of matrices"] = ("bmm", "must be a 3D tensor", () => randn(2, 3).bmm(randn(3, 2))),
        ["linear in-features"] = ("linear", "cannot be multiplied", () => F.linear(randn(2, 3), randn(4, 5))),
        ["einsum operands"] = ("einsum", "fewer operands", () => einsum("ij,jk->ik", randn(2, 3))),
        ["cat sizes"] = ("cat", "Sizes of tensors must match", () => cat([randn(2, 3), randn(2, 4)], 0)),
        ["cat of nothing"] = ("cat", "non-empty list", () => cat(Array.Empty<Tensor>())),
        ["stack sizes"] = ("stack", "equal size", () => stack([randn(2), randn(3)])),
        ["view numel"] = ("view", "is invalid for input of size 6", () => randn(2, 3).view(4)),
        ["view of a transpose"] = ("view", "view size is not compatible", () => randn(2, 3).t().view(6)),
        ["reshape numel"] = ("reshape", "is invalid for input of size 6", () => randn(2, 3).reshape(4, 2)),
        ["expand size"] = ("expand", "must match the existing size", () => randn(2, 3).expand(4, 3)),
        ["permute duplicate"] = ("permute", "duplicate dims", () => randn(2, 3).permute(0, 0)),
        ["add broadcast"] = ("add", "must match the size", () => _ = randn(2, 3) + randn(4)),
        ["mul broadcast"] = ("mul", "must match the size", () => randn(2, 3).mul(randn(2))),
        ["add_ output shape"] = ("add_", "doesn't match the broadcast shape", () => randn(3).add_(randn(2, 3))),
        ["mul_ fraction on int64"] = ("mul_", "can't be cast", () => zeros([3], int64).mul_(0.5)),
        ["add_ on a leaf"] = ("add_", "leaf Variable that requires grad", () => randn([3], requires_grad: true).add_(1)),
        ["copy_ shape"] = ("copy_", "must match the size", () => randn(3).copy_(randn(4))),
        ["where shapes"] = ("where", "must match the size", () => where(ones([2], @bool), randn(3), randn(4))),
        ["floor_divide by zero"] = ("floor_divide", "ZeroDivisionError", () => tensor(new long[] { 1, 2 }).floor_divide(tensor(new long[] { 0, 0 }))),
        ["mean of int64"] = ("mean", "could not infer output dtype", () => zeros([3], int64).mean()),
        ["cross_entropy float targets"] = ("cross_entropy", "expected scalar type Long but found Float", () => F.cross_entropy(randn(2, 3), tensor(new float[] { 1, 0 }))),
        ["nll_loss class range"] = ("nll_loss", "Target 5 is out of bounds", () => F.nll_loss(randn(2, 3), tensor(new long[] { 5, 0 }))),
        ["mse_loss shapes"] = ("mse_loss", "must match the size", () => F.mse_loss(randn(3), randn(4))),
        ["conv2d channels"] = ("conv2d", "to have 2 channels, but got 3", () => F.conv2d(randn(1, 3, 8, 8), randn(4, 2, 3, 3))),
        ["conv2d kernel size"] = ("conv2d", "Kernel size can't be greater", () => F.conv2d(randn(1, 1, 2, 2), randn(1, 1, 3, 3))),
        ["conv_transpose2d stride"] = ("conv_transpose2d", "non-positive stride", () => F.conv_transpose2d(randn(1, 1, 4, 4), randn(1, 1, 3, 3), stride: [0])),
        ["max_pool2d stride"] = ("max_pool2d", "stride should not be zero", () => F.max_pool2d(randn(1, 1, 4, 4), [2], [0])),
        ["interpolate rank"] = ("interpolate", "needs 4D input", () => F.interpolate(randn(1, 4, 4), size: [2], mode: "bilinear")),
        ["layer_norm shape"] = ("layer_norm", "normalized_shape=[4]", () => F.layer_norm(randn(2, 3), [4])),
        ["group_norm groups"] = ("group_norm", "divisible by num_groups", () => F.group_norm(randn(2, 3, 4), 2)),
        ["batch_norm stats"] = ("batch_norm", "running_mean should contain 3 elements not 4", () => F.batch_norm(randn(2, 3), zeros(4), ones(4))),
        ["one_hot classes"] = ("one_hot", "smaller than num_classes", () => F.one_hot(tensor(new long[] { 5 }), 3)),
        ["select index"] = ("select", "out of range", () => randn(2, 3).select(1, 3)),
        ["narrow range"] = ("narrow", "exceeds dimension size", () => randn(5).narrow(0, 3, 4)),
        ["index_select index"] = ("index_select", "index out of range", () => zeros(3).index_select(0, tensor(new long[] { 5 }))),
        ["gather index"] = ("gather", "index 5 is out of bounds", () => zeros(3).gather(0, tensor(new long[] { 5 }))),
        ["tensor index"] = ("index", "index 5 is out of bounds", () => _ = zeros(3)[tensor(new long[] { 5 })]),
        ["topk k"] = ("topk", "k out of range", () => randn(5).topk(6)),
        ["split sizes"] = ("split", "to sum exactly to 5", () => randn(5).split([1L, 1L])),
        ["transpose dim"] = ("transpose", "Dimension out of range", () => randn(2, 3).transpose(0, 2)),
        ["sum dim"] = ("sum", "Dimension out of range", () => randn(2, 3).sum(5)),
        ["softmax dim"] = ("softmax", "Dimension out of range", () => F.softmax(randn(3), 1)),
        ["unsqueeze dim"] = ("unsqueeze", "Dimension out of range", () => randn(3).unsqueeze(5)),
        ["zeros negative size"] = ("zeros", "negative dimension -1", () => zeros(-1, 2)),
        ["randn negative size"] = ("randn", "negative dimension -3", () => randn(-3)),
        ["arange step"] = ("arange", "step must be nonzero", () => arange(0.0, 1.0, 0.0)),
        ["randint range"] = ("randint", "'from' to be less than 'to'", () => randint(5, 5, [3])),
        ["multinomial probabilities"] = ("multinomial", "element < 0", () => multinomial(tensor(new float[] { -0.5f, 0.5f }), 1)),
        ["bernoulli_ p"] = ("bernoulli_", "expects p to be in [0, 1]", () => zeros(3).bernoulli_(1.5)),
        ["item of many"] = ("item", "3 elements cannot be converted", () => randn(3).item()),
        ["requires_grad on int64"] = ("requires_grad", "Only Tensors of floating point", () => zeros([3], int64).requires_grad_()),
        ["grad of another shape"] = ("grad", "assigned grad has shape [5]", () => randn([3], requires_grad: true).grad = zeros(5)),
        ["grad of another dtype"] = ("grad", "assigned grad is Double", () => randn([3], requires_grad: true).grad = zeros([3], float64)),
        ["retain_grad without grad"] = ("retain_grad", "requires_grad=False", () => zeros(3).retain_grad()),
        ["backward of a vector"] = ("backward", "only for scalar outputs", () => (randn([3], requires_grad: true) * 2).backward()),
        ["backward without graph"] = ("backward", "does not require grad", () => zeros(3).sum().backward()),
        ["backward twice"] = ("backward", "backward through the graph a second time", () =>
        {
            var x = randn([3], requires_grad: true);
            var y = (x.exp() * x).sum();
            y.backward();
            y.backward();
        }),
        ["autograd.grad of unused input"] = ("autograd.grad", "not have been used in the graph", () =>
        {
            var x = randn([3], requires_grad: true);
            var unused = randn([3], requires_grad: true);
            autograd.grad([(x * 2).sum()], [unused]);
        }),
    };

    // Checks made on the C# side before libtorch is called: (exception type, fragment naming the op or argument, call).
    static readonly Dictionary<string, (Type type, string fragment, Action call)> ManagedCases = new()
    {
        ["disposed operand"] = (typeof(ObjectDisposedException), "disposed", () => Disposed().exp()),
        ["disposed argument"] = (typeof(ObjectDisposedException), "disposed", () => _ = randn(2) + Disposed()),
        ["disposed tensor in a list"] = (typeof(ObjectDisposedException), "disposed", () => cat([randn(2), Disposed()])),
        ["disposed by its scope"] = (typeof(ObjectDisposedException), "DisposeScope", () =>
        {
            Tensor inner;
            using (NewDisposeScope()) inner = randn(2);
            inner.sum();
        }),
        ["interpolate mode"] = (typeof(ArgumentException), "interpolate mode 'bicubic'", () => F.interpolate(randn(1, 1, 4, 4), size: [2], mode: "bicubic")),
        ["interpolate size and scale"] = (typeof(ArgumentException), "interpolate takes exactly one", () => F.interpolate(randn(1, 1, 4, 4), size: [2], scale_factor: [2.0])),
        ["dropout p above 1"] = (typeof(ArgumentOutOfRangeException), "dropout probability", () => F.dropout(randn(3), 1.5)),
        ["dropout2d p below 0"] = (typeof(ArgumentOutOfRangeException), "dropout probability", () => F.dropout2d(randn(2, 3), -0.1)),
        ["pad mode"] = (typeof(ArgumentException), "pad mode 'mirror'", () => F.pad(randn(1, 4), [1, 1], "mirror")),
        ["conv2d stride of three"] = (typeof(ArgumentException), "stride takes one or two values", () => F.conv2d(randn(1, 1, 4, 4), randn(1, 1, 3, 3), stride: [1, 1, 1])),
        ["mse_loss batchmean"] = (typeof(ArgumentException), "mse_loss has no batchmean", () => F.mse_loss(randn(3), randn(3), nn.Reduction.batchmean)),
        ["size dim"] = (typeof(ArgumentOutOfRangeException), "dim 5 is out of range", () => randn(2, 3).size(5)),
        ["tensor shape"] = (typeof(ArgumentException), "needs 6 values but 4 were given", () => tensor(new float[] { 1, 2, 3, 4 }, [2, 3])),
        ["roll lengths"] = (typeof(ArgumentException), "roll needs one shift per dim", () => randn(3).roll([1L, 2L], [0L])),
        ["set_num_threads zero"] = (typeof(ArgumentOutOfRangeException), "threads", () => set_num_threads(0)),
        ["default dtype"] = (typeof(ArgumentException), "default dtype must be floating point", () => set_default_dtype(int64)),
        ["device name"] = (typeof(ArgumentException), "unknown device 'tpu'", () => Device.Parse("tpu")),
        ["autograd.grad outputs"] = (typeof(ArgumentException), "grad_outputs has 2 entries for 1 outputs", () =>
            autograd.grad([randn([2], requires_grad: true).sum()], [randn(2)], [null, null])),
    };

    static Tensor Disposed()
    {
        var t = randn(2);
        t.Dispose();
        return t;
    }

    public static TheoryData<string> NativeCaseNames() => new(NativeCases.Keys);
    public static TheoryData<string> ManagedCaseNames() => new(ManagedCases.Keys);

    [Theory]
    [MemberData(nameof(NativeCaseNames))]
    public void InvalidCallRaisesTorchExceptionNamingTheOperation(string name)
    {
        var (operation, fragment, call) = NativeCases[name];
        using var scope = NewDisposeScope();
        var error = Assert.Throws<TorchException>(call);
        Assert.Equal(operation, error.Operation);
        Assert.StartsWith(operation + ": ", error.Message);
        Assert.Contains(fragment, error.NativeMessage);
        // libtorch's C++ backtrace stays out of the message.
        Assert.DoesNotContain("Exception raised from", error.NativeMessage);
    }

    [Theory]
    [MemberData(nameof(ManagedCaseNames))]
    public void InvalidArgumentIsCaughtBeforeLibtorch(string name)
    {
        var (type, fragment, call) = ManagedCases[name];
        using var scope = NewDisposeScope();
        var error = Assert.ThrowsAny<Exception>(call);
        Assert.IsType(type, error);
        Assert.Contains(fragment, error.Message);
    }

    [Fact]
    public void CudaTensorsFailCleanlyWithoutCuda()
    {
        using var scope = NewDisposeScope();
        if (cuda.is_available())
        {
            Assert.Equal(DeviceType.CUDA, zeros([2], device: CUDA).device.type);
            return;
        }
        Assert.Equal("zeros", Assert.Throws<TorchException>(() => zeros([2], device: CUDA)).Operation);
        Assert.Equal("to", Assert.Throws<TorchException>(() => zeros(2).cuda()).Operation);
    }

    [Fact]
    public void TheProcessKeepsWorkingAfterEveryError()
    {
        var failures = 0;
        foreach (var (_, (_, _, call)) in NativeCases)
        {
            using var scope = NewDisposeScope();
            try { call(); }
            catch (TorchException) { failures++; }
        }
        foreach (var (_, (_, _, call)) in ManagedCases)
        {
            using var scope = NewDisposeScope();
            try { call(); }
            catch (Exception e) when (e is ArgumentException or ObjectDisposedException) { failures++; }
        }
        Assert.Equal(NativeCases.Count + ManagedCases.Count, failures);

        using (NewDisposeScope())
        {
            var a = tensor(new double[,] { { 1, 2 }, { 3, 4 } });
            var b = tensor(new double[,] { { 5 }, { 6 } });
            Assert.Equal(new double[] { 17, 39 }, a.matmul(b).data<double>());

            var x = tensor(new double[] { 1.5, -2 }, requires_grad: true);
            (x * x * x).sum().backward();
            Assert.Equal(new[] { 6.75, 12.0 }, x.grad!.data<double>());
        }
    }
}
