namespace SelfSup.Reports;

/// <summary>
/// How an accuracy was measured. <see cref="Final"/>: the readout after pretraining (summary.json,
/// <c>probe_epochs</c> epochs on every training image); otherwise the run's last periodic evaluation
/// (evals.jsonl: a short <see cref="Training.TrainConfig.EvalProbeEpochs"/> probe, possibly on <see cref="Training.TrainConfig.EvalImages"/> training images).
/// Accuracies of two protocols are not comparable, so the report never puts them in one comparison unmarked
/// (<see cref="ReadoutComparison"/>). <see cref="ProbeEpochs"/> is 0 for kNN (no training) and when the
/// summary did not record it.
/// </summary>
public readonly record struct ReadoutProtocol(bool Final, int ProbeEpochs)
{
    /// <summary>E.g. "final (200-epoch probe)", "periodic (20-epoch probe)", "final" (kNN).</summary>
    public string Describe() => (Final ? "final" : "periodic") + (ProbeEpochs > 0 ? $" ({ProbeEpochs}-epoch probe)" : "");
}
