namespace SelfSup.Evaluation;

/// <summary>Settings of the linear readout (SPEC: Adam 1e-3, wd 1e-6, label smoothing 0.1, batch 512, 200 epochs).</summary>
public sealed record ProbeSettings(int Epochs = 200, int BatchSize = 512, double Lr = 1e-3, double WeightDecay = 1e-6,
    double LabelSmoothing = 0.1, int Seed = 0);
