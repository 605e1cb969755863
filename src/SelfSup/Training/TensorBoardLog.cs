using TorchSharp;
using TorchSharp.Modules;

namespace SelfSup.Training;

/// <summary>
/// TensorBoard event files of a run, written with TorchSharp's <c>torch.utils.tensorboard.SummaryWriter</c> beside
/// <c>metrics.jsonl</c> and <c>evals.jsonl</c>: the trainer's scalars per logged step in <c>RUN/tb/</c> (<see cref="Step"/>:
/// <c>loss</c>, <c>lr</c>, <c>images_per_s</c>), the periodic evaluation's in <c>RUN/tb/eval/</c> (<see cref="Evaluation"/>:
/// <c>eval/probe_top1</c>, <c>eval/knn_top1</c>, <c>eval/alpha</c>, <c>eval/effective_rank</c>, <c>eval/embedding_alpha</c>,
/// <c>eval/embedding_effective_rank</c>, and the histogram <c>eval/embedding_spectrum</c> of log₁₀ of the embeddings'
/// covariance eigenvalues), all against the optimiser step. One writer per folder, because TensorBoard reads the event
/// files of a folder one after another. Each writer opens a new <c>events.out.tfevents.*</c> file, so a resumed run adds
/// files; <c>tensorboard --logdir runs/</c> shows them as one run per folder. The writer appends every event to its
/// file, flushes and closes it, so nothing is left to flush and an interruption loses at most the event being written.
/// </summary>
public sealed class TensorBoardLog
{
    /// <summary>The folder under the run directory.</summary>
    public const string FolderName = "tb";

    private readonly SummaryWriter writer;

    private TensorBoardLog(string folder) => writer = torch.utils.tensorboard.SummaryWriter(folder);

    /// <summary>The folder the events go to.</summary>
    public string Folder => writer.LogDir;

    /// <summary>A new event file for the trainer's scalars in <c>RUN/tb/</c>.</summary>
    public static TensorBoardLog ForTraining(RunDirectory run) => new(Path.Combine(run.Path, FolderName));

    /// <summary>A new event file for the periodic evaluation in <c>RUN/tb/eval/</c>.</summary>
    public static TensorBoardLog ForEvaluation(RunDirectory run) => new(Path.Combine(run.Path, FolderName, "eval"));

    /// <summary>A logged training step: the loss, the learning rate and the images per second since the last logged step.</summary>
    public void Step(long step, double loss, double lr, double imagesPerSecond)
    {
        int at = StepOf(step);
        writer.add_scalar("loss", (float)loss, at);
        writer.add_scalar("lr", (float)lr, at);
        writer.add_scalar("images_per_s", (float)imagesPerSecond, at);
    }

    /// <summary>
    /// A periodic evaluation at <paramref name="record"/>'s step: accuracies (when the data has labels), α (when a power
    /// law could be fitted) and effective ranks, and the embedding spectrum <paramref name="embeddingEigenvalues"/> as a
    /// histogram of log₁₀ λ over the positive eigenvalues.
    /// </summary>
    public void Evaluation(Evaluation.EvalRecord record, IReadOnlyList<double> embeddingEigenvalues)
    {
        int at = StepOf(record.Step);
        void Scalar(string tag, double? value)
        {
            if (value is { } v && double.IsFinite(v)) writer.add_scalar("eval/" + tag, (float)v, at);
        }
        Scalar("probe_top1", record.ProbeTop1);
        Scalar("knn_top1", record.KnnTop1);
        Scalar("alpha", record.Alpha);
        Scalar("effective_rank", record.EffectiveRank);
        Scalar("embedding_alpha", record.EmbeddingAlpha);
        Scalar("embedding_effective_rank", record.EmbeddingEffectiveRank);
        var logEigenvalues = embeddingEigenvalues.Where(l => l > 0 && double.IsFinite(l)).Select(Math.Log10).ToArray();
        if (logEigenvalues.Length == 0) return;
        using var values = torch.tensor(logEigenvalues);
        writer.add_histogram("eval/embedding_spectrum", values, at);
    }

    /// <summary>SummaryWriter takes an int step; a run longer than that many steps keeps logging at the last one.</summary>
    private static int StepOf(long step) => (int)Math.Min(step, int.MaxValue);
}
