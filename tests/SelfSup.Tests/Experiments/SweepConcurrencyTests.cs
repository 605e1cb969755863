using SelfSup.Experiments;
using Xunit;

namespace SelfSup.Tests.Experiments;

/// <summary>What the sweep runner records in each cell.json about the cells that ran beside it.</summary>
public sealed class SweepConcurrencyTests
{
    private static IReadOnlyList<PlannedCell> Plan(string outDir) => SweepRunner.Plan(SweepConfig.Parse("""
        name: side
        fixed:
          width: 8
        grid:
          proj_dim: [16, 32, 64]
        """, "test"), outDir, threadsPerCell: 1);

    [Fact]
    public void EachCellNamesTheCellsThatRanBesideIt()
    {
        using var dir = new TempDir();
        var cells = Plan(dir.Path);
        Assert.Equal(["d16", "d32", "d64"], cells.Select(c => c.Cell.Name));
        // --parallel 2: d16 and d32 start together; d16 ends, its worker takes d64; d32 ends only once d64 has started
        using var together = new Barrier(2);
        using var d64Started = new ManualResetEventSlim();
        var failures = SweepRunner.Execute(cells, parallel: 2, (cell, _) =>
        {
            switch (cell.Cell.Name)
            {
                case "d16": together.SignalAndWait(TimeSpan.FromSeconds(30)); break;
                case "d32": together.SignalAndWait(TimeSpan.FromSeconds(30)); Assert.True(d64Started.Wait(TimeSpan.FromSeconds(30))); break;
                default: d64Started.Set(); break;
            }
        });
        Assert.Empty(failures);

        var sessions = cells.ToDictionary(c => c.Cell.Name, c => Assert.Single(SweepRunner.ReadSpec(c.Path).Sessions));
        Assert.Equal(["d32"], sessions["d16"].Beside);
        Assert.Equal(["d16", "d64"], sessions["d32"].Beside.Order());
        Assert.Equal(["d32"], sessions["d64"].Beside);
        Assert.All(sessions.Values, s =>
        {
            Assert.Equal(2, s.Parallel);
            Assert.Equal(1, s.Threads);
            Assert.NotNull(s.Ended);
            Assert.True(s.Ended >= s.Started);
        });

        // laying the sweep out again (a rerun) keeps what was recorded
        Assert.All(Plan(dir.Path), c => Assert.Single(SweepRunner.ReadSpec(c.Path).Sessions));
    }

    [Fact]
    public void CellsRunOneAtATimeRanAlone()
    {
        using var dir = new TempDir();
        var cells = Plan(dir.Path);
        Assert.Empty(SweepRunner.Execute(cells, parallel: 1, (_, _) => { }));
        Assert.All(cells, c =>
        {
            var session = Assert.Single(SweepRunner.ReadSpec(c.Path).Sessions);
            Assert.Empty(session.Beside);
            Assert.Equal(1, session.Parallel);
        });
    }
}
