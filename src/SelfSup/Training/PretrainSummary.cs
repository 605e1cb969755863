namespace SelfSup.Training;

/// <summary>The summary.json values written after pretraining, by <c>selfsup pretrain</c> and by sweep cells alike.</summary>
public static class PretrainSummary
{
    public static Dictionary<string, object?> Values(TrainConfig config, TrainingState state)
    {
        double beta = config.LossWeight;
        return new()
        {
            ["dataset"] = config.Dataset, ["model"] = config.Model, ["width"] = config.Width, ["views"] = config.Views,
            ["proj_dim"] = config.ProjDim, ["beta"] = Losses.LossFactory.UsesBeta(config.Method) ? beta : null,
            ["beta_setting"] = config.Beta, ["method"] = config.Method, ["seed"] = config.Seed, ["fraction"] = config.Fraction,
            ["epochs"] = state.Epoch, ["steps"] = state.Step, ["batch_size"] = config.BatchSize,
            ["pretrain_seconds"] = state.PretrainSeconds, ["pretrain_cpu_seconds"] = state.CpuSeconds, ["images_seen"] = state.ImagesSeen,
            ["threads"] = TorchSharp.torch.get_num_threads(), ["world_size"] = state.WorldSize, ["sync_bn"] = config.SyncBn,
            ["stopped_by"] = state.StoppedBy,
            ["peak_rss_mb"] = state.PeakRssMbPerEpoch?.DefaultIfEmpty().Max(),
            ["peak_rss_mb_per_epoch"] = state.PeakRssMbPerEpoch,
        };
    }
}
