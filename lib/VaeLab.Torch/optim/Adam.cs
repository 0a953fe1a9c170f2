using static VaeLab.Torch.Native.NativeMethods;

namespace VaeLab.Torch.Optim;

/// <summary>torch.optim.Adam, with AMSGrad as an option and weight decay added to the gradient (L2).</summary>
public class Adam : Optimizer
{
    readonly bool decoupled;

    public Adam(IEnumerable<ParamGroup> param_groups, double lr = 1e-3, (double, double)? betas = null, double eps = 1e-8,
        double weight_decay = 0, bool amsgrad = false, bool maximize = false)
        : this(param_groups, lr, betas, eps, weight_decay, amsgrad, maximize, decoupled: false) { }

    private protected Adam(IEnumerable<ParamGroup> param_groups, double lr, (double, double)? betas, double eps,
        double weight_decay, bool amsgrad, bool maximize, bool decoupled)
        : base(param_groups, new Dictionary<string, object>
        {
            [nameof(lr)] = lr,
            [nameof(betas)] = betas ?? (0.9, 0.999),
            [nameof(eps)] = eps,
            [nameof(weight_decay)] = weight_decay,
            [nameof(amsgrad)] = amsgrad,
            [nameof(maximize)] = maximize,
        }) => this.decoupled = decoupled;

    protected override void Validate(ParamGroup group)
    {
        RequireNonNegative(group, "lr");
        RequireNonNegative(group, "eps");
        RequireNonNegative(group, "weight_decay");
        var (beta1, beta2) = group.Get<(double, double)>("betas");
        if (!(beta1 >= 0 && beta1 < 1) || !(beta2 >= 0 && beta2 < 1))
            throw new ArgumentException($"betas must both lie in [0, 1), got ({beta1}, {beta2})", "betas");
    }

    protected override (bool step, string[] tensors) StateLayout(ParamGroup group) =>
        (true, group.Get<bool>("amsgrad") ? ["exp_avg", "exp_avg_sq", "max_exp_avg_sq"] : ["exp_avg", "exp_avg_sq"]);

    protected override void Update(Tensor param, ParamState state, ParamGroup group)
    {
        var step = state.step = (state.step ?? 0) + 1;
        var (beta1, beta2) = group.Get<(double, double)>("betas");
        var maxExpAvgSq = group.Get<bool>("amsgrad") ? state.Buffer("max_exp_avg_sq", param) : null;
        Checked.Status(vt_adam_update(param.Handle, state.Buffer("exp_avg", param).Handle, state.Buffer("exp_avg_sq", param).Handle,
            maxExpAvgSq?.Pointer ?? IntPtr.Zero, step.Value, group.lr, beta1, beta2, group.Get<double>("eps"),
            group.Get<double>("weight_decay"), decoupled ? 1 : 0, group.Get<bool>("maximize") ? 1 : 0), $"{GetType().Name}.step");
        GC.KeepAlive(maxExpAvgSq);
    }
}

/// <summary>torch.optim.AdamW: Adam whose weight decay shrinks the parameters directly (decoupled from the gradient).</summary>
public sealed class AdamW : Adam
{
    public AdamW(IEnumerable<ParamGroup> param_groups, double lr = 1e-3, (double, double)? betas = null, double eps = 1e-8,
        double weight_decay = 1e-2, bool amsgrad = false, bool maximize = false)
        : base(param_groups, lr, betas, eps, weight_decay, amsgrad, maximize, decoupled: true) { }
}
