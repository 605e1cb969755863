namespace SelfSup.Theory;

/// <summary>One finished run of the experiment, with its settings.</summary>
public sealed record TheoryRunRecord(TheoryRunSettings Settings, IReadOnlyList<TheoryEvaluation> Evaluations)
{
    /// <summary>The last evaluation (after the final step).</summary>
    public TheoryEvaluation Final => Evaluations[^1];
}
