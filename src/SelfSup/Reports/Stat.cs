using System.Globalization;

namespace SelfSup.Reports;

/// <summary>Mean and spread over seeds: sample standard deviation (0 for one seed), min and max.</summary>
public readonly record struct Stat(double Mean, double Std, double Min, double Max, int Count)
{
    public static Stat? Of(IEnumerable<double?> values)
    {
        var v = values.Where(x => x is not null && double.IsFinite(x.Value)).Select(x => x!.Value).ToArray();
        if (v.Length == 0) return null;
        double mean = v.Average();
        double std = v.Length > 1 ? Math.Sqrt(v.Sum(x => (x - mean) * (x - mean)) / (v.Length - 1)) : 0;
        return new Stat(mean, std, v.Min(), v.Max(), v.Length);
    }

    /// <summary>
    /// The difference of means <c>a − b</c> and its standard error √(s_a²/n_a + s_b²/n_b) (Welch's); the error is
    /// NaN when either side has a single value, whose spread is unknown.
    /// </summary>
    public static (double Difference, double StandardError) Difference(Stat a, Stat b) =>
        (a.Mean - b.Mean, a.Count < 2 || b.Count < 2 ? double.NaN : Math.Sqrt(a.Std * a.Std / a.Count + b.Std * b.Std / b.Count));

    /// <summary>"mean ± std" (just the mean for one seed).</summary>
    public string Format(string format = "F2") => Count > 1
        ? $"{Mean.ToString(format, CultureInfo.InvariantCulture)} ± {Std.ToString(format, CultureInfo.InvariantCulture)}"
        : Mean.ToString(format, CultureInfo.InvariantCulture);
}
