using static VaeLab.Torch.Native.NativeMethods;

namespace VaeLab.Torch.Optim;

/// <summary>torch.optim.SGD: stochastic gradient descent with optional (Nesterov) momentum and L2 weight decay.</summary>
public sealed class SGD : Optimizer
{
    public SGD(IEnumerable<ParamGroup> param_groups, double lr, double momentum = 0, double dampening = 0,
        double weight_decay = 0, bool nesterov = false, bool maximize = false)
        : base(param_groups, new Dictionary<string, object>
        {
            [nameof(lr)] = lr,
            [nameof(momentum)] = momentum,
            [nameof(dampening)] = dampening,
            [nameof(weight_decay)] = weight_decay,
            [nameof(nesterov)] = nesterov,
            [nameof(maximize)] = maximize,
        })
    { }

    protected override void Validate(ParamGroup group)
    {
        RequireNonNegative(group, "lr");
        RequireNonNegative(group, "momentum");
        RequireNonNegative(group, "weight_decay");
        if (group.Get<bool>("nesterov") && (group.Get<double>("momentum") <= 0 || group.Get<double>("dampening") != 0))
            throw new ArgumentException("Nesterov momentum needs a positive momentum and zero dampening", "nesterov");
    }

    protected override (bool step, string[] tensors) StateLayout(ParamGroup group) =>
        (false, group.Get<double>("momentum") != 0 ? ["momentum_buffer"] : []);

    protected override void Update(Tensor param, ParamState state, ParamGroup group)
    {
        var momentum = group.Get<double>("momentum");
        // PyTorch starts the buffer as a copy of the first gradient rather than decaying zeros.
        var first = momentum != 0 && !state.tensors.ContainsKey("momentum_buffer");
        var buffer = momentum != 0 ? state.Buffer("momentum_buffer", param) : null;
        Checked.Status(vt_sgd_update(param.Handle, buffer?.Pointer ?? IntPtr.Zero, first ? 1 : 0, group.lr, momentum,
            group.Get<double>("dampening"), group.Get<double>("weight_decay"), group.Get<bool>("nesterov") ? 1 : 0,
            group.Get<bool>("maximize") ? 1 : 0), "SGD.step");
        GC.KeepAlive(buffer);
    }
}
