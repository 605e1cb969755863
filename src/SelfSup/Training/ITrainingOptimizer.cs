namespace SelfSup.Training;

/// <summary>
/// The optimiser the trainer drives: zero the gradients, step, set the learning rate
/// (the schedule lives in <see cref="LearningRateSchedule"/>), save and restore its state. Every implementation works
/// on <see cref="FlatParameters"/>: a step is a few kernels over all parameters at once.
/// </summary>
public interface ITrainingOptimizer : IDisposable
{
    /// <summary>The parameters and gradients it updates, in flat storage.</summary>
    FlatParameters Flat { get; }
    void ZeroGrad();
    void Step();
    void SetLearningRate(double lr);
    void Save(string path);
    void Load(string path);
}
