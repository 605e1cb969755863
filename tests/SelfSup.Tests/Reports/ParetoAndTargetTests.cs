using SelfSup.Reports;
using SelfSup.Evaluation;
using SelfSup.Experiments;
using Xunit;

namespace SelfSup.Tests.Reports;

public sealed class ParetoAndTargetTests
{
    [Fact]
    public void TheFrontierKeepsOnlyPointsNoOtherBeatsOnBothCostAndError()
    {
        (double, double)[] points = [(10, 20), (5, 30), (20, 10), (15, 25), (5, 30), (30, 10), (2, 50)];
        // (15,25) is beaten by (10,20); (30,10) by (20,10); the second (5,30) duplicates the first
        Assert.Equal([6, 1, 0, 2], ParetoFrontier.Indices(points));
        Assert.Empty(ParetoFrontier.Indices([]));
        Assert.Equal([1], ParetoFrontier.Indices([(1, double.NaN), (1, 1)]));   // points without a value are skipped
    }

    private static EvalRecord Eval(int epoch, double probe) => new() { Epoch = epoch, PretrainSeconds = 10 * epoch, ImagesSeen = 100 * epoch, ProbeTop1 = probe };

    [Fact]
    public void TimeToTargetIsTheFirstEvaluationAtOrAboveIt()
    {
        EvalRecord[] evals = [Eval(3, 80), Eval(1, 60), Eval(2, 75), Eval(4, 79)];
        Assert.Equal(new TargetReached(20, 2, 200), TimeToAccuracy.First(evals, 75, e => e.ProbeTop1));
        Assert.Equal(new TargetReached(30, 3, 300), TimeToAccuracy.First(evals, 76, e => e.ProbeTop1));
        Assert.Null(TimeToAccuracy.First(evals, 81, e => e.ProbeTop1));
        Assert.Null(TimeToAccuracy.First(evals, 50, e => e.KnnTop1));
        // default: the lowest best accuracy over runs, rounded down to 0.1
        Assert.Equal(72.3, TimeToAccuracy.DefaultTarget([[Eval(1, 72.34)], evals], e => e.ProbeTop1));
        Assert.Null(TimeToAccuracy.DefaultTarget([[]], e => e.ProbeTop1));
    }

    [Fact]
    public void StatsAreMeanAndSampleStd()
    {
        var s = Stat.Of([80, 82, null])!.Value;
        Assert.Equal(81, s.Mean, 12);
        Assert.Equal(Math.Sqrt(2), s.Std, 12);
        Assert.Equal("81.00 ± 1.41", s.Format());
        Assert.Equal("80.0", Stat.Of([80])!.Value.Format("F1"));
        Assert.Null(Stat.Of([null, double.NaN]));
    }
}
