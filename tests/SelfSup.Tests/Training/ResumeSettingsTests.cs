using SelfSup.Training;
using Xunit;

namespace SelfSup.Tests.Training;

public sealed class ResumeSettingsTests
{
    private static readonly TrainConfig Saved = new() { Epochs = 10, Lr = 1e-3, Views = 4, Threads = 2 };

    [Fact]
    public void Flags_that_do_not_change_the_maths_are_honoured()
    {
        var merged = ResumeSettings.Merge(Saved, new TrainConfig { Epochs = 20, Threads = 1, TimeBudgetMinutes = 5, Lr = 0.5 },
            ["epochs", "threads", "time_budget_minutes"], force: false);
        Assert.Equal((20, 1, 5.0), (merged.Epochs, merged.Threads, merged.TimeBudgetMinutes));
        Assert.Equal(1e-3, merged.Lr); // not given on the command line: the saved value
        Assert.Equal(4, merged.Views);
    }

    [Fact]
    public void A_flag_that_changes_the_maths_is_refused_naming_key_saved_and_new_value_unless_forced()
    {
        var requested = new TrainConfig { Lr = 0.01, Epochs = 10 };
        var e = Assert.Throws<SelfSupError>(() => ResumeSettings.Merge(Saved, requested, ["lr"], force: false));
        Assert.Contains("lr", e.Message);
        Assert.Contains("0.001", e.Message);
        Assert.Contains("0.01", e.Message);
        Assert.Contains("`force`", e.Message);
        Assert.Equal(0.01, ResumeSettings.Merge(Saved, requested, ["lr"], force: true).Lr);
        // the same value given again is fine
        Assert.Equal(4, ResumeSettings.Merge(Saved, new TrainConfig { Views = 4 }, ["views"], force: false).Views);
    }
}
