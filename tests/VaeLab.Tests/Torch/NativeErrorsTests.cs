using System.Runtime.InteropServices;
using TorchSharp.Modules;
using VaeLab.Data;
using F = TorchSharp.torch.nn.functional;

namespace VaeLab.Tests.Torch;

/// <summary>
/// Invalid calls through TorchSharp and VaeLab: each throws a .NET exception that says what went wrong, and the process
/// keeps working after it. libtorch's errors arrive as ExternalException, whose message is libtorch's own: its first
/// line names the problem (not always the operation), and a C++ backtrace follows. TorchSharp's and VaeLab's checks
/// throw ArgumentException (naming the argument where VaeLab checks), InvalidOperationException, FileNotFoundException
/// or DataFormatException. The calls that abort the process instead are in <see cref="AbortingCallsTests"/>.
/// </summary>
[Collection(TrainingSerial.Name)]
public class NativeErrorsTests
{
    static ConvVaeConfig SmallConvVae => new() { image_channels = 1, image_size = 16, latent_dim = 4, max_filters = 8 };
    static SplitVaeConfig SmallSplitVae => new() { image_size = 16, latent_dim = 4, encoder_channels = [8, 8, 8], fc_size = 16, decoder_channels = [8, 8, 4] };
    static CvaeConfig SmallCvae => new() { image_size = 16, latent_dim = 4, encoder_channels = [4, 8, 8], decoder_channels = [8, 4] };

    static readonly string MissingFile = Path.Combine(Path.GetTempPath(), $"vaelab-missing-{Guid.NewGuid():N}.safetensors");

    // name -> (what the first line of libtorch's message says, the call)
    static readonly Dictionary<string, (string message, Action call)> LibtorchErrors = new()
    {
        // tensor operations
        ["mm shapes"] = ("mat1 and mat2 shapes cannot be multiplied (2x3 and 4x5)", () => randn(2, 3).mm(randn(4, 5))),
        ["bmm batch sizes"] = ("Expected size for first two dimensions of batch2 tensor to be: [2, 3] but got: [2, 4]", () => randn(2, 2, 3).bmm(randn(2, 4, 5))),
        ["einsum operands"] = ("einsum(): fewer operands were provided than specified in the equation", () => einsum("ij,jk->ik", randn(2, 3))),
        ["add broadcast"] = ("The size of tensor a (3) must match the size of tensor b (4) at non-singleton dimension 1", () => _ = randn(2, 3) + randn(4)),
        ["add_ of a fraction to int64"] = ("result type Float can't be cast to the desired output type Long", () => zeros([3], int64).add_(0.5)),
        ["add_ on a leaf that requires grad"] = ("a leaf Variable that requires grad is being used in an in-place operation", () => randn([3], requires_grad: true).add_(1)),
        ["cat sizes"] = ("Sizes of tensors must match except in dimension 0. Expected size 3 but got size 4", () => cat([randn(2, 3), randn(2, 4)], 0)),
        ["stack sizes"] = ("stack expects each tensor to be equal size, but got [2] at entry 0 and [3] at entry 1", () => stack([randn(2), randn(3)])),
        ["view numel"] = ("shape '[4]' is invalid for input of size 6", () => randn(2, 3).view(4)),
        ["view of a transpose"] = ("view size is not compatible with input tensor's size and stride", () => randn(2, 3).t().view(6)),
        ["expand size"] = ("The expanded size of the tensor (4) must match the existing size (2) at non-singleton dimension 0", () => randn(2, 3).expand(4, 3)),
        ["permute duplicate dims"] = ("permute(): duplicate dims are not allowed", () => randn(2, 3).permute(0, 0)),
        ["indexer out of range"] = ("select(): index 9 out of range for tensor of size [3] at dimension 0", () => _ = randn(2, 3)[0, 9]),
        ["index_select index"] = ("index out of range in self", () => zeros(3).index_select(0, tensor(new long[] { 5 }))),
        ["gather index"] = ("index 5 is out of bounds for dimension 0 with size 3", () => zeros(3).gather(0, tensor(new long[] { 5 }))),
        ["narrow range"] = ("start (3) + length (4) exceeds dimension size (5)", () => randn(5).narrow(0, 3, 4)),
        ["sum dim"] = ("Dimension out of range (expected to be in range of [-2, 1], but got 5)", () => randn(2, 3).sum(5)),
        ["mean of int64"] = ("mean(): could not infer output dtype", () => zeros([3], int64).mean()),
        ["zeros of a negative size"] = ("zeros: Dimension size must be non-negative", () => zeros(-1, 2)),
        ["multinomial of a negative probability"] = ("probability tensor contains either `inf`, `nan` or element < 0", () => multinomial(tensor(new[] { -0.5f, 0.5f }), 1)),
        ["ToDouble of three elements"] = ("a Tensor with 3 elements cannot be converted to Scalar", () => randn(3).ToDouble()),
        // functional operations
        ["linear in-features"] = ("mat1 and mat2 shapes cannot be multiplied (2x3 and 5x4)", () => F.linear(randn(2, 3), randn(4, 5))),
        ["conv2d channels"] = ("expected input[1, 3, 8, 8] to have 2 channels, but got 3 channels instead", () => F.conv2d(randn(1, 3, 8, 8), randn(4, 2, 3, 3))),
        ["conv2d kernel over the input"] = ("Kernel size can't be greater than actual input size", () => F.conv2d(randn(1, 1, 2, 2), randn(1, 1, 3, 3))),
        ["softmax dim"] = ("Dimension out of range (expected to be in range of [-1, 0], but got 1)", () => F.softmax(randn(3), 1)),
        ["layer_norm shape"] = ("Given normalized_shape=[4], expected input with shape [*, 4], but got input of size[2, 3]", () => F.layer_norm(randn(2, 3), [4])),
        ["group_norm groups"] = ("Expected number of channels in input to be divisible by num_groups", () => F.group_norm(randn(2, 3, 4), 2)),
        ["dropout probability"] = ("dropout probability has to be between 0 and 1, but got 1.5", () => F.dropout(randn(3), 1.5)),
        ["interpolate rank"] = ("Got 3D input, but bilinear mode needs 4D input", () => F.interpolate(randn(1, 4, 4), size: [2], mode: InterpolationMode.Bilinear, align_corners: false)),
        // layers given inputs of the wrong size
        ["Linear in-features"] = ("mat1 and mat2 shapes cannot be multiplied (2x5 and 3x4)", () =>
        {
            using var layer = nn.Linear(3, 4);
            layer.call(randn(2, 5));
        }),
        ["BatchNorm2d channels"] = ("running_mean should contain 4 elements not 3", () =>
        {
            using var layer = nn.BatchNorm2d(3);
            layer.call(randn(2, 4, 5, 5));
        }),
        ["LSTM input size"] = ("input.size(-1) must be equal to input_size. Expected 3, got 6", () =>
        {
            using var layer = nn.LSTM(3, 4);
            layer.call(randn(5, 2, 6));
        }),
        ["Embedding index"] = ("index out of range in self", () =>
        {
            using var layer = nn.Embedding(10, 4);
            layer.call(tensor(new long[] { 12 }));
        }),
        ["MaxPool2d over a small input"] = ("Given input size: (1x2x2). Calculated output size: (1x0x0). Output size is too small", () =>
        {
            using var layer = nn.MaxPool2d(3);
            layer.call(randn(1, 1, 2, 2));
        }),
        // losses with bad targets
        ["cross_entropy of float class targets"] = ("expected scalar type Long but found Float", () => F.cross_entropy(randn(2, 3), tensor(new[] { 1f, 0f }))),
        ["nll_loss class out of range"] = ("Target 5 is out of bounds", () => F.nll_loss(randn(2, 3), tensor(new long[] { 5, 0 }))),
        ["binary_cross_entropy of a probability above 1"] = ("all elements of input should be between 0 and 1", () => F.binary_cross_entropy(tensor(new[] { 1.5f }), tensor(new[] { 1f }))),
        ["binary_cross_entropy_with_logits sizes"] = ("Target size ([4]) must be the same as input size ([3])", () => F.binary_cross_entropy_with_logits(randn(3), randn(4))),
        // backward and optimizer misuse
        ["backward of a vector"] = ("grad can be implicitly created only for scalar outputs", () => (randn([3], requires_grad: true) * 2).backward()),
        ["backward without a graph"] = ("element 0 of tensors does not require grad and does not have a grad_fn", () => zeros(3).sum().backward()),
        ["backward twice"] = ("Trying to backward through the graph a second time", () =>
        {
            var x = randn([3], requires_grad: true);
            var y = (x.exp() * x).sum();
            y.backward();
            y.backward();
        }),
        ["requires_grad on int64"] = ("Only Tensors of floating point and complex dtype can require gradients", () => zeros([3], int64).requires_grad_()),
        ["optimizer step with a grad of another shape"] = ("The size of tensor a (3) must match the size of tensor b (5) at non-singleton dimension 0", () =>
        {
            var p = new Parameter(randn(3));
            using var optimizer = optim.Adam([p]);
            p.grad = randn(5);  // TorchSharp accepts it; the step finds out
            optimizer.step();
        }),
        ["TorchSharp's load_state_dict with a wrong shape"] = ("The size of tensor a (3) must match the size of tensor b (5) at non-singleton dimension 1", () =>
        {
            using var model = nn.Linear(3, 4);
            using var other = nn.Linear(5, 6);
            model.load_state_dict(other.state_dict());
        }),
        // VaeLab entry points that reach libtorch's checks
        ["SplitVae.backward twice"] = ("Trying to backward through the graph a second time", () =>
        {
            using var model = new SplitVae(SmallSplitVae);
            var losses = model.losses(rand(2, 3, 16, 16) * 2 - 1);
            model.backward(losses);
            model.backward(losses);
        }),
        ["SplitVae.backward of losses made under no_grad"] = ("element 0 of tensors does not require grad and does not have a grad_fn", () =>
        {
            using var model = new SplitVae(SmallSplitVae);
            Dictionary<string, Tensor> losses;
            using (no_grad()) losses = model.losses(rand(2, 3, 16, 16) * 2 - 1);
            model.backward(losses);
        }),
    };

    // name -> (exception type, a fragment of its message, the argument it names (null: none), the call)
    static readonly Dictionary<string, (Type type, string message, string? argument, Action call)> ManagedErrors = new()
    {
        // TorchSharp's checks
        ["item of three elements"] = (typeof(ArgumentException), "Number of elements in the tensor must be 1", null, () => randn(3).item<float>()),
        ["item of another type"] = (typeof(ArgumentException), "Int64 is not compatible with Float32", null, () => randn(1).item<long>()),
        ["tensor of too few values"] = (typeof(ArgumentException), "mismatched total size creating a tensor from an array: 6 vs. 4", null, () => tensor(new[] { 1f, 2, 3, 4 }, [2, 3])),
        ["Conv2d channels"] = (typeof(ArgumentException), "Expected 3D (unbatched) or 4D (batched) input with 3 channels to Conv2d", null, () =>
        {
            using var layer = nn.Conv2d(3, 4, 3);
            layer.call(randn(1, 2, 8, 8));
        }),
        ["Adam with a negative lr"] = (typeof(ArgumentException), "Invalid learning rate: -1", null, () => optim.Adam([new Parameter(randn(3))], lr: -1)),
        ["SGD nesterov without momentum"] = (typeof(ArgumentException), "Nesterov momentum requires a momentum and zero dampening", null, () =>
            optim.SGD([new Parameter(randn(3))], 0.1, nesterov: true)),
        ["default dtype int64"] = (typeof(ArgumentException), "only floating-point types are supported as the default type", null, () => set_default_dtype(int64)),
        ["disposed tensor"] = (typeof(InvalidOperationException), "Tensor invalid -- empty handle", null, () => Disposed().exp()),
        ["disposed argument"] = (typeof(InvalidOperationException), "Tensor invalid -- empty handle", null, () => _ = randn(2) + Disposed()),
        ["tensor disposed by its scope"] = (typeof(InvalidOperationException), "Tensor invalid -- empty handle", null, () =>
        {
            Tensor inner;
            using (NewDisposeScope()) inner = randn(2);
            inner.sum();
        }),
        // VaeLab's checks
        ["load_weights with wrong shapes"] = (typeof(ArgumentException), "wrong shapes: weight is [6, 5] where the model has [4, 3]; bias is [6] where the model has [4]", "state", () =>
        {
            using var model = nn.Linear(3, 4);
            using var other = nn.Linear(5, 6);
            model.load_weights(other.state_dict());
        }),
        ["load_weights with a missing key"] = (typeof(ArgumentException), "missing keys: bias", "state", () =>
        {
            using var model = nn.Linear(3, 4);
            model.load_weights(new Dictionary<string, Tensor> { ["weight"] = randn(4, 3) });
        }),
        ["load_weights of a missing file"] = (typeof(FileNotFoundException), "/no/such/weights.pth: no such weights file", null, () =>
        {
            using var model = nn.Linear(3, 4);
            model.load_weights("/no/such/weights.pth");
        }),
        ["Weights.read of a broken zip"] = (typeof(DataFormatException), "torch.save archive: not a state_dict that TorchSharp.PyBridge can read", null, () =>
            WithFile("PK\x03\x04 not a zip"u8.ToArray(), path => Weights.read(path))),
        ["safetensors.load_file of a 3-byte file"] = (typeof(DataFormatException), "header length: the file has 3 bytes, too few for the 8-byte header length", null, () =>
            WithFile([1, 2, 3], path => safetensors.load_file(path))),
        ["safetensors.load_file of a missing file"] = (typeof(FileNotFoundException), MissingFile, null, () => safetensors.load_file(MissingFile)),
        ["safetensors.save_file of a complex tensor"] = (typeof(ArgumentException), "tensor 'z' has dtype ComplexFloat32, which safetensors cannot store", "tensors", () =>
            safetensors.save_file(new Dictionary<string, Tensor> { ["z"] = randn([2], complex64) }, Path.Combine(Path.GetTempPath(), "never-written.safetensors"))),
        ["ConvVae on a wrong image size"] = (typeof(ArgumentException), "ConvVae takes [N, 1, 16, 16] images, got [2, 1, 32, 32]", "x", () =>
        {
            using var model = new ConvVae(SmallConvVae);
            model.call(rand(2, 1, 32, 32));
        }),
        ["ConvVae.losses on three channels"] = (typeof(ArgumentException), "ConvVae takes [N, 1, 16, 16] images, got [2, 3, 16, 16]", "x", () =>
        {
            using var model = new ConvVae(SmallConvVae);
            model.losses(rand(2, 3, 16, 16));
        }),
        ["SplitVae on an unbatched image"] = (typeof(ArgumentException), "SplitVae takes [N, 3, 16, 16] images, got [3, 16, 16]", "x", () =>
        {
            using var model = new SplitVae(SmallSplitVae);
            model.call(rand(3, 16, 16));
        }),
        ["Cvae with a partial image of another size"] = (typeof(ArgumentException), "Cvae takes [N, 1, 16, 16] images, got [2, 1, 8, 8]", "y", () =>
        {
            using var model = new Cvae(SmallCvae);
            model.call(rand(2, 1, 16, 16), rand(2, 1, 8, 8));
        }),
        ["DoodleCnn on 32x32 rasters"] = (typeof(ArgumentException), "DoodleCnn takes [N, 1, 28, 28] images, got [2, 1, 32, 32]", "x", () =>
        {
            using var model = new DoodleCnn();
            model.call(rand(2, 1, 32, 32));
        }),
        ["PackedLstm length over the input's"] = (typeof(ArgumentException), "PackedLstm: length 6 is outside 1..5", "lengths", () =>
        {
            using var lstm = nn.LSTM(3, 4);
            PackedLstm.forward(lstm, randn(5, 2, 3), [6, 2], batch_first: false);
        }),
        ["PackedLstm with one length for two sequences"] = (typeof(ArgumentException), "PackedLstm: 1 lengths were given for a batch of 2", "lengths", () =>
        {
            using var lstm = nn.LSTM(3, 4);
            PackedLstm.forward(lstm, randn(5, 2, 3), [5], batch_first: false);
        }),
        ["LayerNormLSTMCell input size"] = (typeof(ArgumentException), "LayerNormLSTMCell: input has 5 features in its last dim, expected input_size = 3", "input", () =>
        {
            using var cell = new LayerNormLSTMCell(3, 4);
            cell.call(randn(2, 5));
        }),
        ["Pca.transform of another width"] = (typeof(ArgumentException), "PCA.transform takes an [N, 4] matrix (the width it was fitted to), got [3, 5]", "x", () =>
        {
            using var pca = Pca.fit(randn(10, 4));
            pca.transform(randn(3, 5));
        }),
    };

    static Tensor Disposed()
    {
        var t = randn(2);
        t.Dispose();
        return t;
    }

    static void WithFile(byte[] contents, Action<string> use)
    {
        var path = Path.GetTempFileName();
        try
        {
            File.WriteAllBytes(path, contents);
            use(path);
        }
        finally
        {
            File.Delete(path);
        }
    }

    public static TheoryData<string> LibtorchErrorNames() => [.. LibtorchErrors.Keys];
    public static TheoryData<string> ManagedErrorNames() => [.. ManagedErrors.Keys];

    [Theory, MemberData(nameof(LibtorchErrorNames))]
    public void LibtorchErrorsThrowExternalExceptionWithLibtorchsMessage(string name)
    {
        var (message, call) = LibtorchErrors[name];
        using (NewDisposeScope())
        {
            var error = Assert.Throws<ExternalException>(call);
            Assert.Contains(message, error.Message.Split('\n')[0]);
        }
        AssertTheProcessStillWorks();
    }

    [Theory, MemberData(nameof(ManagedErrorNames))]
    public void ManagedChecksThrowAndNameTheProblem(string name)
    {
        var (type, message, argument, call) = ManagedErrors[name];
        using (NewDisposeScope())
        {
            var error = Assert.ThrowsAny<Exception>(call);
            Assert.IsType(type, error);
            Assert.Contains(message, error.Message);
            if (argument is not null) Assert.Equal(argument, ((ArgumentException)error).ParamName);
        }
        AssertTheProcessStillWorks();
    }

    [Fact]
    public void CudaCallsFailCleanlyWithoutCuda()
    {
        using (NewDisposeScope())
        {
            if (cuda.is_available())
            {
                Assert.Equal(DeviceType.CUDA, zeros([2], device: CUDA).device_type);
                return;
            }
            using var layer = nn.Linear(3, 4);
            Action[] calls = [() => zeros([2], device: CUDA), () => zeros(2).cuda(), () => zeros(2).to(CUDA), () => layer.to(CUDA)];
            foreach (var call in calls)
                Assert.Contains("Torch device type CUDA did not initialise on the current machine", Assert.Throws<InvalidOperationException>(call).Message);
        }
        AssertTheProcessStillWorks();
    }

    /// <summary>A product and a gradient after the error come out right.</summary>
    static void AssertTheProcessStillWorks()
    {
        using var scope = NewDisposeScope();
        var a = tensor(new double[,] { { 1, 2 }, { 3, 4 } });
        var b = tensor(new double[,] { { 5 }, { 6 } });
        Assert.Equal([17.0, 39.0], a.mm(b).data<double>().ToArray());
        var x = tensor(new[] { 1.5, -2 }, requires_grad: true);
        (x * x * x).sum().backward();
        Assert.Equal([6.75, 12.0], x.grad!.data<double>().ToArray());
    }
}
