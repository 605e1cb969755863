using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace SelfSup.Training;

/// <summary>
/// The optimiser the trainer drives: zero the gradients, step, set the learning rate
/// (the schedule lives in <see cref="LearningRateSchedule"/>), save and restore its state.
/// </summary>
public interface ITrainingOptimizer : IDisposable
{
    void ZeroGrad();
    void Step();
    void SetLearningRate(double lr);
    void Save(string path);
    void Load(string path);
}

/// <summary>Builds the optimiser named by <c>--optimizer</c>: adam (the authors' default), sgd or lars.</summary>
public static class OptimizerFactory
{
    public static readonly string[] Names = ["adam", "sgd", "lars"];

    public static ITrainingOptimizer Create(string name, IReadOnlyList<Parameter> parameters, double lr, double weightDecay, double momentum = 0.9) =>
        name switch
        {
            "adam" => new TorchOptimizer(torch.optim.Adam(parameters, lr: lr, weight_decay: weightDecay)),
            "sgd" => new TorchOptimizer(torch.optim.SGD(parameters, lr, momentum: momentum, weight_decay: weightDecay)),
            "lars" => new LarsOptimizer(parameters, lr, weightDecay, momentum),
            _ => throw new SelfSupError($"unknown --optimizer '{name}'; use one of: {string.Join(", ", Names)}"),
        };
}

/// <summary>
/// Adapter over a TorchSharp optimiser (Adam, SGD). <see cref="Load"/> restores the per-parameter state (step
/// counts, moments, momentum buffers) and keeps the hyperparameters this optimiser was built with: TorchSharp's
/// loader would replace them with the file's (betas, eps, weight decay, momentum, amsgrad, maximize), so a resume
/// forced to a new --weight-decay would silently keep the old one, and a damaged byte could turn on "maximize".
/// </summary>
public sealed class TorchOptimizer(OptimizerHelper inner) : ITrainingOptimizer
{
    public void ZeroGrad() => inner.zero_grad();
    public void Step() => inner.step();
    public void SetLearningRate(double lr)
    {
        foreach (var group in inner.ParamGroups) group.LearningRate = lr;
    }
    public void Save(string path) => inner.save_state_dict(path);
    public void Load(string path)
    {
        var groups = inner.ParamGroups.Cast<ParamGroup>().ToList();
        var configured = groups.Select(group =>
        {
            using var bytes = new MemoryStream();
            using (var writer = new BinaryWriter(bytes)) group.Options.SaveStateDict(writer);
            return bytes.ToArray();
        }).ToList();
        inner.load_state_dict(path);
        foreach (var (group, options) in groups.Zip(configured))
        {
            using var reader = new BinaryReader(new MemoryStream(options));
            group.Options.LoadStateDict(reader);
        }
    }
    public void Dispose() => inner.Dispose();
}
