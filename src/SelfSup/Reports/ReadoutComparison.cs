namespace SelfSup.Reports;

/// <summary>
/// One readout protocol per comparison (a table, a figure, a configuration's mean over seeds). The rule:
/// take a final readout when any configuration has one (<c>finalOnly</c>: only then), else the periodic
/// one; among those, the protocol that covers the most configurations (ties: the longer probe). A run
/// measured otherwise is left out of the comparison, and so is a configuration none of whose runs was
/// measured by it; <see cref="Note"/> says which protocol was used and what was left out.
/// </summary>
public sealed class ReadoutComparison
{
    private readonly string metric;
    private readonly bool finalOnly;

    /// <summary>The protocol of every accuracy in the comparison; null when there is none.</summary>
    public ReadoutProtocol? Protocol { get; }

    /// <summary>Configurations with no run measured by <see cref="Protocol"/>.</summary>
    public IReadOnlyList<RunGroup> LeftOut { get; }

    /// <summary>Runs of the other configurations that were measured otherwise (or not at all).</summary>
    public int RunsLeftOut { get; }

    private ReadoutComparison(string metric, bool finalOnly, ReadoutProtocol? protocol, IReadOnlyList<RunGroup> groups)
    {
        this.metric = metric;
        this.finalOnly = finalOnly;
        Protocol = protocol;
        LeftOut = groups.Where(g => Of(g) is null).ToList();
        RunsLeftOut = groups.Except(LeftOut).Sum(g => g.Runs.Count(r => r.Accuracy(metric)?.Protocol != protocol));
    }

    /// <summary>Chooses the protocol for comparing <paramref name="groups"/> by <paramref name="metric"/> ("probe" or "knn").</summary>
    public static ReadoutComparison Choose(IReadOnlyList<RunGroup> groups, string metric, bool finalOnly = false)
    {
        var coverage = groups
            .SelectMany(g => g.Runs.Select(r => r.Accuracy(metric)).Where(a => a is not null).Select(a => a!.Value.Protocol).Distinct())
            .GroupBy(p => p).Select(p => (Protocol: p.Key, Configurations: p.Count())).ToList();
        bool anyFinal = coverage.Any(c => c.Protocol.Final);
        var best = coverage.Where(c => c.Protocol.Final == anyFinal && (anyFinal || !finalOnly))
            .OrderByDescending(c => c.Configurations).ThenByDescending(c => c.Protocol.ProbeEpochs).Select(c => (ReadoutProtocol?)c.Protocol).FirstOrDefault();
        return new ReadoutComparison(metric, finalOnly, best, groups);
    }

    /// <summary>The configuration's runs measured by <see cref="Protocol"/>.</summary>
    public IEnumerable<RunRecord> Counted(RunGroup group) =>
        Protocol is null ? [] : group.Runs.Where(r => r.Accuracy(metric)?.Protocol == Protocol);

    /// <summary>Mean ± std over the configuration's runs measured by <see cref="Protocol"/>; null when it has none.</summary>
    public Stat? Of(RunGroup group) => Stat.Of(Counted(group).Select(r => r.Accuracy(metric)?.Value));

    /// <summary>A Markdown sentence: the protocol used, and what was left out and why.</summary>
    public string Note()
    {
        if (Protocol is not { } p)
            return finalOnly && LeftOut.Any(g => g.Runs.Any(r => r.Accuracy(metric) is not null))
                ? $"Only final readouts are compared here, and none of the {LeftOut.Count} configurations has one yet (they have periodic evaluations only; " +
                  "`selfsup probe RUN_DIR` reads a run out)."
                : "No configuration has an accuracy yet.";
        string text = $"Readout: **{p.Describe()}**" + (p.Final ? "." : " — no configuration here has a final readout; periodic accuracies are not comparable with final ones.");
        if (LeftOut.Count > 0)
            text += $" Left out, having no {p.Describe()} readout: {string.Join("; ", LeftOut.Select(g => $"{g.Label} — {Measured(g)}"))}.";
        if (RunsLeftOut > 0)
            text += RunsLeftOut == 1 ? " 1 run without it is left out of its configuration's mean." : $" {RunsLeftOut} runs without it are left out of their configurations' means.";
        return text;
    }

    private string Measured(RunGroup g)
    {
        var kinds = g.Runs.Select(r => r.Accuracy(metric)?.Protocol.Describe() ?? "no accuracy").Distinct().ToList();
        return string.Join(", ", kinds);
    }
}
