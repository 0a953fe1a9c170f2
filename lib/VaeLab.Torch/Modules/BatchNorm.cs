using static VaeLab.Torch.torch;
using F = VaeLab.Torch.torch.nn.functional;

namespace VaeLab.Torch.Modules;

/// <summary>
/// Batch normalisation over dim 1, shared by BatchNorm1d and BatchNorm2d (PyTorch's _BatchNorm). Training
/// uses batch statistics and, when tracked, updates running_mean / running_var by momentum (a cumulative
/// average when momentum is null); eval uses the running statistics. Names match PyTorch's state_dict keys.
/// </summary>
public abstract class BatchNorm : nn.Module<Tensor, Tensor>
{
    public nn.Parameter? weight { get; }
    public nn.Parameter? bias { get; }
    public Tensor? running_mean { get; }
    public Tensor? running_var { get; }
    public Tensor? num_batches_tracked { get; }
    public long num_features { get; }
    public double eps { get; }
    public double? momentum { get; }
    public bool affine { get; }
    public bool track_running_stats { get; }

    protected BatchNorm(long num_features, double eps, double? momentum, bool affine, bool track_running_stats)
    {
        Arguments.Positive(num_features, nameof(num_features));
        if (!(eps > 0)) throw new ArgumentException($"eps must be positive, got {eps}", nameof(eps));
        this.num_features = num_features;
        this.eps = eps;
        this.momentum = momentum;
        this.affine = affine;
        this.track_running_stats = track_running_stats;
        if (affine)
        {
            weight = new nn.Parameter(ones(num_features));
            bias = new nn.Parameter(zeros(num_features));
        }
        if (track_running_stats)
        {
            running_mean = zeros(num_features).DetachFromDisposeScope();
            running_var = ones(num_features).DetachFromDisposeScope();
            num_batches_tracked = zeros([], ScalarType.Int64).DetachFromDisposeScope();
        }
    }

    /// <summary>Throws when the input has a number of dims this kind of batch norm does not take.</summary>
    protected abstract void check_input_dim(Tensor input);

    public void reset_running_stats()
    {
        if (running_mean is null || running_var is null || num_batches_tracked is null) return;
        nn.init.zeros_(running_mean);
        nn.init.ones_(running_var);
        nn.init.zeros_(num_batches_tracked);
    }

    public void reset_parameters()
    {
        reset_running_stats();
        if (weight is null || bias is null) return;
        nn.init.ones_(weight);
        nn.init.zeros_(bias);
    }

    public override Tensor forward(Tensor input)
    {
        check_input_dim(input);
        var factor = momentum ?? 0.0;
        if (training && num_batches_tracked is not null)
        {
            num_batches_tracked.add_(1);
            factor = momentum ?? 1.0 / num_batches_tracked.item();
        }
        // Running statistics are used in eval, and updated in training only when tracked.
        var useStats = !training || track_running_stats;
        var batchStatistics = training || (running_mean is null && running_var is null);
        return F.batch_norm(input, useStats ? running_mean : null, useStats ? running_var : null, weight, bias,
            batchStatistics, factor, eps);
    }
}
