namespace VaeLab.Training;

/// <summary>The weight of the KL term at a point of training, handed to the step function as <see cref="StepContext.kl_weight"/>.</summary>
public abstract record KlSchedule
{
    /// <param name="epoch">The epoch being trained, from 0.</param>
    /// <param name="step">Optimizer steps taken before this one.</param>
    public abstract double weight(int epoch, long step);
}

/// <summary>The same weight throughout (beta; 1 is the plain ELBO).</summary>
public sealed record ConstantKl(double value = 1) : KlSchedule
{
    public override double weight(int epoch, long step) => value;
}

/// <summary>A linear warm-up by epoch, from start in epoch 0 to end from epoch `epochs` on (seed 000: 0 to 1 over 10 epochs).</summary>
public sealed record LinearKlWarmup(int epochs, double start = 0, double end = 1) : KlSchedule
{
    public override double weight(int epoch, long step) =>
        epochs <= 0 ? end : start + (end - start) * Math.Min(1.0, (double)epoch / epochs);
}

/// <summary>Sketch-RNN's annealing by step: end - (end - start) * decay^step (Ha and Eck: start 0.01, end 0.5, decay 0.99995).</summary>
public sealed record ExponentialKlWarmup(double start, double end, double decay) : KlSchedule
{
    public override double weight(int epoch, long step) => end - (end - start) * Math.Pow(decay, step);
}
