using System.Globalization;

namespace SelfSup.Losses;

/// <summary>
/// How the orthogonality weight β is chosen: <c>auto</c> (β = <see cref="C"/> / d, resolved once the
/// projector dimension d is known) or a fixed value (e.g. the 0.0004 / 0.001 / 0.005 baselines).
/// </summary>
/// <param name="Fixed">The fixed β, or null for the automatic c / d rule.</param>
/// <param name="C">The constant c of the automatic rule.</param>
public sealed record BetaSetting(double? Fixed, double C = OrthogonalityWeight.DefaultC)
{
    /// <summary>The automatic rule β = c / d.</summary>
    public static BetaSetting Auto(double c = OrthogonalityWeight.DefaultC) => new(null, c);

    /// <summary>A fixed β regardless of the projector dimension.</summary>
    public static BetaSetting Of(double beta) => Parse(beta.ToString("R", CultureInfo.InvariantCulture), OrthogonalityWeight.DefaultC);

    /// <summary>True if β follows the c / d rule.</summary>
    public bool IsAuto => Fixed is null;

    /// <summary>β for a projector with output dimension <paramref name="projDim"/>.</summary>
    public double Resolve(int projDim) => Fixed ?? OrthogonalityWeight.ForProjector(projDim, C);

    /// <summary>
    /// Parses "auto" (case-insensitive) or a positive number (invariant culture, e.g. "0.005", "1e-3").
    /// </summary>
    /// <exception cref="SelfSupError">The text is neither "auto" nor a positive finite number.</exception>
    public static BetaSetting Parse(string text, double c = OrthogonalityWeight.DefaultC)
    {
        var t = text?.Trim() ?? "";
        if (!double.IsFinite(c) || c <= 0)
            throw new SelfSupError($"orthogonality weight: the constant c in beta = c/d must be a positive number, got {c}; the default is {OrthogonalityWeight.DefaultC}.");
        if (t.Equals("auto", StringComparison.OrdinalIgnoreCase))
            return new BetaSetting(null, c);
        if (double.TryParse(t, NumberStyles.Float, CultureInfo.InvariantCulture, out var v) && double.IsFinite(v) && v > 0)
            return new BetaSetting(v, c);
        throw new SelfSupError($"`beta` '{text}' (orthogonality weight) is not valid; use 'auto' (beta = c/d, c = {c.ToString(CultureInfo.InvariantCulture)}) or a positive number such as 0.005.");
    }

    /// <inheritdoc />
    public override string ToString() =>
        Fixed is double f ? f.ToString("R", CultureInfo.InvariantCulture) : $"auto (c/d, c = {C.ToString(CultureInfo.InvariantCulture)})";
}
