using SelfSup.Training;

namespace SelfSup.Evaluation;

/// <summary>The spectra of one checkpoint: backbone features and projector embeddings of a held-out split.</summary>
public sealed record RunSpectrumResult(SpectrumResult Features, SpectrumResult Embeddings, string Split, int Images, string Checkpoint);
