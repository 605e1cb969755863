using SelfSup.Training;
using Xunit;

namespace SelfSup.Tests.Training;

public sealed class CheckpointPolicyTests
{
    [Fact]
    public void A_step_interval_wins_over_the_clock()
    {
        var policy = new CheckpointPolicy(everySteps: 3, everyMinutes: 0);
        Assert.Equal([false, false, true, false, false, true], Enumerable.Range(1, 6).Select(s => policy.Due(s)).ToArray());
    }

    [Fact]
    public void Without_a_step_interval_the_clock_since_the_last_checkpoint_decides()
    {
        Assert.True(new CheckpointPolicy(0, everyMinutes: 0).Due(7));
        var hourly = new CheckpointPolicy(0, everyMinutes: 60);
        Assert.False(hourly.Due(7));
        var second = new CheckpointPolicy(0, everyMinutes: 1.0 / 60);
        Thread.Sleep(1100);
        Assert.True(second.Due(1));
        second.Written();                          // the clock starts again at the checkpoint
        Assert.False(second.Due(2));
    }
}
