using static VaeLab.Torch.Native.NativeMethods;

namespace VaeLab.Torch.Optim;

/// <summary>torch.optim.RMSprop, optionally centered (normalizing by the gradient's variance) and with momentum.</summary>
public sealed class RMSprop : Optimizer
{
    public RMSprop(IEnumerable<ParamGroup> param_groups, double lr = 1e-2, double alpha = 0.99, double eps = 1e-8,
        double weight_decay = 0, double momentum = 0, bool centered = false, bool maximize = false)
        : base(param_groups, new Dictionary<string, object>
        {
            [nameof(lr)] = lr,
            [nameof(alpha)] = alpha,
            [nameof(eps)] = eps,
            [nameof(weight_decay)] = weight_decay,
            [nameof(momentum)] = momentum,
            [nameof(centered)] = centered,
            [nameof(maximize)] = maximize,
        })
    { }

    protected override void Validate(ParamGroup group)
    {
        RequireNonNegative(group, "lr");
        RequireNonNegative(group, "alpha");
        RequireNonNegative(group, "eps");
        RequireNonNegative(group, "weight_decay");
        RequireNonNegative(group, "momentum");
    }

    protected override (bool step, string[] tensors) StateLayout(ParamGroup group)
    {
        var names = new List<string> { "square_avg" };
        if (group.Get<double>("momentum") > 0) names.Add("momentum_buffer");
        if (group.Get<bool>("centered")) names.Add("grad_avg");
        return (true, names.ToArray());
    }

    protected override void Update(Tensor param, ParamState state, ParamGroup group)
    {
        state.step = (state.step ?? 0) + 1;
        var momentum = group.Get<double>("momentum");
        var centered = group.Get<bool>("centered");
        var buffer = momentum > 0 ? state.Buffer("momentum_buffer", param) : null;
        var gradAvg = centered ? state.Buffer("grad_avg", param) : null;
        Checked.Status(vt_rmsprop_update(param.Handle, state.Buffer("square_avg", param).Handle, buffer?.Pointer ?? IntPtr.Zero,
            gradAvg?.Pointer ?? IntPtr.Zero, group.lr, group.Get<double>("alpha"), group.Get<double>("eps"),
            group.Get<double>("weight_decay"), momentum, centered ? 1 : 0, group.Get<bool>("maximize") ? 1 : 0), "RMSprop.step");
        GC.KeepAlive(buffer);
        GC.KeepAlive(gradAvg);
    }
}
