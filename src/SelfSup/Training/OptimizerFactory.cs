using TorchSharp.Modules;

namespace SelfSup.Training;

/// <summary>Builds the optimiser named by <see cref="TrainConfig.Optimizer"/>: adam (the authors' default), sgd or lars.</summary>
public static class OptimizerFactory
{
    public static readonly string[] Names = ["adam", "sgd", "lars"];

    /// <summary>
    /// The optimiser <paramref name="name"/> over <paramref name="parameters"/>, which it moves into flat storage
    /// (<see cref="FlatParameters"/>; the model must already have its device and dtype) and owns from then on.
    /// </summary>
    public static ITrainingOptimizer Create(string name, IReadOnlyList<Parameter> parameters, double lr, double weightDecay, double momentum = 0.9)
    {
        if (!Names.Contains(name)) throw new SelfSupError($"unknown `optimizer` '{name}'; use one of: {string.Join(", ", Names)}");
        var flat = new FlatParameters(parameters);
        return name switch
        {
            "adam" => new FlatAdam(flat, lr, weightDecay),
            "sgd" => new FlatSgd(flat, lr, weightDecay, momentum),
            _ => new LarsOptimizer(flat, lr, weightDecay, momentum),
        };
    }
}
