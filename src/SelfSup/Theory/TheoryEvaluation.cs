namespace SelfSup.Theory;

/// <summary>
/// One evaluation during a theory run (one line of <c>theory.jsonl</c>). Alignments are
/// (1/d)‖Q_Aᵀ Q_B‖² in L²(q) (see <see cref="AugmentationKernel.Align"/>), on all n latent images, clean (no noise).
/// </summary>
/// <param name="Step">Optimiser steps taken.</param>
/// <param name="Views">Views per image M.</param>
/// <param name="ProjDim">Projector output dimension d.</param>
/// <param name="Beta">Orthogonality weight β used.</param>
/// <param name="BetaRule">"auto" (β = c/d) or "fixed".</param>
/// <param name="Alignment">Embeddings (n × d) vs the top d non-constant eigenfunctions of the exact kernel.</param>
/// <param name="FeatureAlignment">The top-d principal subspace of the backbone features (n × H) vs the same subspace
/// (<see cref="AugmentationKernel.AlignPrincipal"/>): whether the features' main directions are the eigenfunctions (random ≈ d/n).</param>
/// <param name="EmpiricalAlignment">Embeddings vs the top d eigenfunctions of the empirical kernel of the views drawn so far.</param>
/// <param name="KernelAlignment">Top-d eigenspace of the empirical kernel vs the exact one: how well the sampled views estimate it.</param>
/// <param name="Loss">Mean training loss since the previous evaluation (NaN at step 0).</param>
/// <param name="Spectrum">Eigenvalues (descending) of the embedding covariance over the n latent images.</param>
/// <param name="Seconds">Training seconds so far (evaluations excluded).</param>
public sealed record TheoryEvaluation(int Step, int Views, int ProjDim, double Beta, string BetaRule, double Alignment,
    double FeatureAlignment, double EmpiricalAlignment, double KernelAlignment, double Loss, double[] Spectrum, double Seconds);
