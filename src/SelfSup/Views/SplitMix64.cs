namespace SelfSup.Views;

/// <summary>
/// The SplitMix64 finaliser (Steele, Lea and Flood, "Fast splittable pseudorandom number generators",
/// OOPSLA 2014), used as a counter-based generator: a random 64-bit value is a pure function of a key and
/// a counter, so any draw can be recomputed without replaying the ones before it.
/// <para>
/// <c>mix(x) = z₃</c> with <c>z₁ = (x ⊕ (x ≫ 30))·0xBF58476D1CE4E5B9</c>, <c>z₂ = (z₁ ⊕ (z₁ ≫ 27))·0x94D049BB133111EB</c>,
/// <c>z₃ = z₂ ⊕ (z₂ ≫ 31)</c>; <c>At(key, i) = mix(key + (i + 1)·γ)</c> with the golden-ratio increment
/// <c>γ = 0x9E3779B97F4A7C15</c>, exactly the i-th output of a SplitMix64 stream seeded with <c>key</c>.
/// </para>
/// </summary>
public static class SplitMix64
{
    /// <summary>The golden-ratio increment γ.</summary>
    public const ulong Gamma = 0x9E3779B97F4A7C15UL;

    /// <summary>The finaliser <c>mix(x)</c>.</summary>
    public static ulong Mix(ulong x)
    {
        x = (x ^ (x >> 30)) * 0xBF58476D1CE4E5B9UL;
        x = (x ^ (x >> 27)) * 0x94D049BB133111EBUL;
        return x ^ (x >> 31);
    }

    /// <summary>The <paramref name="index"/>-th value of the stream keyed by <paramref name="key"/>.</summary>
    public static ulong At(ulong key, ulong index) => Mix(key + (index + 1) * Gamma);

    /// <summary>A key for the tuple (a, b): <c>At(a, b)</c>; chain it to key longer tuples.</summary>
    public static ulong Combine(ulong a, ulong b) => At(a, b);

    /// <summary>A uniform double in [0, 1) from the top 53 bits of <paramref name="bits"/>.</summary>
    public static double ToUnit(ulong bits) => (bits >> 11) * (1.0 / (1UL << 53));
}
