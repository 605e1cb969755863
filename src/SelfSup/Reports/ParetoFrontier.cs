namespace SelfSup.Reports;

/// <summary>
/// The Pareto frontier of configurations that trade cost (runtime) against error: a point is on it when no
/// other point is at least as cheap and at least as accurate, and strictly better in one of the two
/// (paper Fig. 5: error vs runtime).
/// </summary>
public static class ParetoFrontier
{
    /// <summary>Indices of the non-dominated points, ordered by increasing cost (ties: the lower error).</summary>
    public static int[] Indices(IReadOnlyList<(double Cost, double Error)> points)
    {
        var frontier = new List<int>();
        for (int i = 0; i < points.Count; i++)
        {
            var (c, e) = points[i];
            if (!double.IsFinite(c) || !double.IsFinite(e)) continue;
            bool dominated = false;
            for (int j = 0; j < points.Count && !dominated; j++)
            {
                if (j == i || !double.IsFinite(points[j].Cost) || !double.IsFinite(points[j].Error)) continue;
                var (cj, ej) = points[j];
                dominated = cj <= c && ej <= e && (cj < c || ej < e || j < i);   // exact duplicates: keep the first
            }
            if (!dominated) frontier.Add(i);
        }
        return [.. frontier.OrderBy(i => points[i].Cost).ThenBy(i => points[i].Error)];
    }
}
