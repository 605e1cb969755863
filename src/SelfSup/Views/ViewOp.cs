using TorchSharp;
using static TorchSharp.torch;

namespace SelfSup.Views;

/// <summary>
/// One augmentation op of the view pipeline (<see cref="ViewPipeline"/>): it declares how many uniforms it draws
/// per view (<see cref="Draws"/>, its own block of the draws table whether or not it is enabled, so a view's
/// parameters never shift with the preset) and applies itself to a batch of views with them.
/// </summary>
public abstract class ViewOp
{
    /// <summary>Uniforms in [0, 1) each view draws for this op.</summary>
    public abstract int Draws { get; }

    /// <summary>
    /// The op's parameters per view, computed on the host from its B×<see cref="Draws"/> uniforms before the one copy
    /// of a batch's parameters to the device; the uniforms themselves unless the op overrides it.
    /// </summary>
    /// <param name="u">B×<see cref="Draws"/> float64 uniforms.</param>
    /// <param name="height">Height of the images the op will see.</param>
    /// <param name="width">Width of the images the op will see.</param>
    public virtual Tensor Parameters(Tensor u, long height, long width) => u.alias();

    /// <summary>Parameters per view that <see cref="Parameters"/> makes: <see cref="Draws"/> unless the op overrides both.</summary>
    public virtual int ParameterCount => Draws;

    /// <summary>Applies the op to B×C×H×W views in [0, 1] with their parameters (from <see cref="Parameters"/>, on any device).</summary>
    public abstract Tensor Transform(Tensor x, Tensor parameters);

    /// <summary>Applies the op to B×C×H×W views in [0, 1] with B×<see cref="Draws"/> uniforms <paramref name="u"/>.</summary>
    public Tensor Apply(Tensor x, Tensor u)
    {
        if (x.dim() != 4) throw new SelfSupError($"{GetType().Name} expects B×C×H×W views, got shape [{string.Join(", ", x.shape)}]");
        using var parameters = Parameters(u, x.shape[2], x.shape[3]);
        return Transform(x, parameters);
    }

    /// <summary>As <see cref="Apply(Tensor, Tensor)"/> with uniforms drawn from <paramref name="gen"/> (tests and previews).</summary>
    public Tensor Apply(Tensor x, Generator gen)
    {
        using var u = rand(new long[] { x.shape[0], Draws }, float64, generator: gen);
        return Apply(x, u);
    }

    /// <summary>The rule every op's probability follows: p ∈ [0, 1].</summary>
    /// <exception cref="SelfSupError"><paramref name="p"/> is outside [0, 1]; the message names <paramref name="what"/>.</exception>
    protected static double CheckProbability(double p, string what) =>
        p >= 0 && p <= 1 ? p : throw new SelfSupError($"{what} must be in [0, 1], got {p}");
}
