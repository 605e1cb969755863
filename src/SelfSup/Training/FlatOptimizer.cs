namespace SelfSup.Training;

/// <summary>
/// What every optimiser over <see cref="FlatParameters"/> shares: the parameters, zeroing their gradients (one kernel),
/// the learning rate the schedule sets, and disposing the flat storage with the optimiser that owns it.
/// </summary>
public abstract class FlatOptimizer(FlatParameters flat, double lr) : ITrainingOptimizer
{
    public FlatParameters Flat { get; } = flat;

    /// <summary>The learning rate of the next step.</summary>
    protected double LearningRate { get; private set; } = lr;

    public void ZeroGrad() => Flat.ZeroGrad();

    public void SetLearningRate(double lr) => LearningRate = lr;

    public abstract void Step();
    public abstract void Save(string path);
    public abstract void Load(string path);

    /// <summary>Releases the optimiser's own state (moments, velocity); the flat storage goes after it.</summary>
    protected abstract void DisposeState();

    public void Dispose()
    {
        DisposeState();
        Flat.Dispose();
        GC.SuppressFinalize(this);
    }
}
