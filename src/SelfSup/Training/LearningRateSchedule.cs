namespace SelfSup.Training;

/// <summary>
/// Learning rate per optimiser step. "none" (the authors' default with Adam): lr(t) = lr₀.
/// "warmup-cosine" (the wider field's choice with LARS): linear warm-up over W steps, then
/// lr(t) = lr_min + ½(lr₀ − lr_min)(1 + cos(π·(t − W)/(T − W))) down to lr_min = lr₀/1000 at step T.
/// </summary>
public sealed record LearningRateSchedule(string Kind, double BaseLr, long TotalSteps, long WarmupSteps)
{
    public static readonly string[] Kinds = ["none", "warmup-cosine"];

    public static LearningRateSchedule Create(string kind, double baseLr, long totalSteps, long warmupSteps)
    {
        if (!Kinds.Contains(kind)) throw new SelfSupError($"unknown `schedule` '{kind}'; use one of: {string.Join(", ", Kinds)}");
        if (!(baseLr > 0) || double.IsInfinity(baseLr)) throw new SelfSupError($"`lr` {baseLr} must be a positive number, e.g. 1e-3");
        return new LearningRateSchedule(kind, baseLr, Math.Max(1, totalSteps), Math.Max(0, warmupSteps));
    }

    public double At(long step)
    {
        if (Kind == "none") return BaseLr;
        if (step < WarmupSteps) return BaseLr * (step + 1) / WarmupSteps;
        double minLr = BaseLr / 1000;
        double progress = Math.Clamp((double)(step - WarmupSteps) / Math.Max(1, TotalSteps - WarmupSteps), 0, 1);
        return minLr + 0.5 * (BaseLr - minLr) * (1 + Math.Cos(Math.PI * progress));
    }
}
