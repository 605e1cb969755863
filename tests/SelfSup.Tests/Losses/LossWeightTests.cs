using SelfSup.Losses;
using SelfSup.Training;
using Xunit;

namespace SelfSup.Tests.Losses;

/// <summary>The loss weight is resolved in one place (LossFactory.Weight) for pretrain, summaries, `selfsup loss` and the benches.</summary>
public sealed class LossWeightTests
{
    [Fact]
    public void Bt_official_trains_with_the_official_weight_not_c_over_d()
    {
        var config = new TrainConfig { Method = "bt-official", ProjDim = 64 };
        Assert.Equal(0.0051, config.LossWeight);                                    // the official Barlow Twins λ
        Assert.Equal(0.0051, ((OfficialBarlowTwinsLoss)config.CreateLoss()).Lambda);
        Assert.Equal(0.0051, PretrainSummary.Values(config, new TrainingState())["beta"]);
        Assert.Equal(0.01, (config with { Beta = "0.01" }).LossWeight);            // a fixed --beta still applies
    }

    [Fact]
    public void Bt_uses_c_over_d_and_vicreg_its_invariance_weight()
    {
        Assert.Equal(4.0 / 64, new TrainConfig { Method = "bt", ProjDim = 64 }.LossWeight);
        Assert.Equal(6.0 / 128, new TrainConfig { Method = "bt-pairwise", ProjDim = 128, BetaC = 6 }.LossWeight);
        Assert.Equal(0.0004, new TrainConfig { Method = "bt", Beta = "0.0004" }.LossWeight);
        var vicreg = new TrainConfig { Method = "vicreg", VicregLambda = 20 };
        Assert.Equal(20, vicreg.LossWeight);
        Assert.Null(PretrainSummary.Values(vicreg, new TrainingState())["beta"]);
    }

    [Fact]
    public void The_loss_command_uses_the_same_rule()
    {
        Assert.Equal(OfficialBarlowTwinsLoss.DefaultLambda, LossFactory.Weight("bt-official", BetaSetting.Auto(), 512, 25));
        Assert.Equal(4.0 / 512, LossFactory.Weight("bt", BetaSetting.Auto(), 512, 25));
    }
}
