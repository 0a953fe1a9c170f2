namespace VaeLab.Tests.Torch;

/// <summary>
/// The initialisers VaeLab's models rely on, applied right after manual_seed, give PyTorch 1.13's values
/// (tests/fixtures/torch/init.json): the models start where the seeds' models start. TorchSharp 0.107's xavier_normal_
/// is not among them: it draws xavier_uniform_'s values, so SplitVae draws its Glorot-normal weights with normal_.
/// </summary>
[Collection(TrainingSerial.Name)]
public class InitTests
{
    static readonly Dictionary<string, Func<Tensor, Tensor>> Initialisers = new()
    {
        ["xavier_uniform"] = w => nn.init.xavier_uniform_(w),
        ["xavier_uniform_conv_gain2"] = w => nn.init.xavier_uniform_(w, gain: 2.0),
        ["kaiming_uniform"] = w => nn.init.kaiming_uniform_(w),
        ["kaiming_uniform_sqrt5"] = w => nn.init.kaiming_uniform_(w, a: Math.Sqrt(5)),
        ["kaiming_uniform_fan_out"] = w => nn.init.kaiming_uniform_(w, a: 0.2, mode: nn.init.FanInOut.FanOut),
        ["kaiming_uniform_relu_conv"] = w => nn.init.kaiming_uniform_(w, nonlinearity: nn.init.NonlinearityType.ReLU),
        ["kaiming_normal"] = w => nn.init.kaiming_normal_(w),
        ["kaiming_normal_fan_out_relu_conv"] = w => nn.init.kaiming_normal_(w, mode: nn.init.FanInOut.FanOut, nonlinearity: nn.init.NonlinearityType.ReLU),
        ["orthogonal_wide"] = w => nn.init.orthogonal_(w),
        ["orthogonal_tall_gain"] = w => nn.init.orthogonal_(w, gain: 1.5),
        ["orthogonal_conv"] = w => nn.init.orthogonal_(w),
        ["uniform"] = w => nn.init.uniform_(w, -2.0, 3.0),
        ["normal"] = w => nn.init.normal_(w, 1.0, 0.5),
    };

    public static IEnumerable<object[]> Cases => Initialisers.Keys.Select(name => new object[] { name });

    [Theory]
    [MemberData(nameof(Cases))]
    public void GivesPyTorchsValuesAfterTheSameSeed(string name)
    {
        var fixture = TorchFixture.Load("init.json", name);
        using var scope = NewDisposeScope();
        var expected = fixture.Output("w");
        var w = empty(expected.shape, expected.dtype);
        manual_seed(fixture.Arg("seed").GetInt64());
        using (no_grad()) Initialisers[name](w);
        // orthogonal_ goes through a QR decomposition, whose LAPACK (MKL here, OpenBLAS under PyTorch 1.13) rounds differently.
        TensorAssert.Close(expected, w, rtol: 1e-5, atol: name.StartsWith("orthogonal") ? 1e-5 : 1e-7, what: name);
    }
}
