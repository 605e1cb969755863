using SelfSup.Losses;

namespace SelfSup.Theory;

/// <summary>Settings of <c>selfsup theory</c>: which runs to make and where to write them.</summary>
public sealed record TheoryOptions(int[] Views, int ProjDim, int[] Dims, BetaSetting Beta, double CompareBeta, int Steps,
    int BatchSize, int Hidden, string Method, string Optimizer, double LearningRate, double WeightDecay, int EvalEvery, int Seed,
    string OutDir, string FeaturesOut);
