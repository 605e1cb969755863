using System.Text;
using SelfSup.Evaluation;
using SelfSup.Training;
using Tensorboard;
using Xunit;

namespace SelfSup.Tests.Training;

/// <summary>
/// A run writes TensorBoard event files: TFRecords whose checksums verify (with a CRC-32C written here), Event protos with
/// the trainer's scalars per logged step in <c>tb/</c> and the periodic evaluation's scalars and spectrum histogram in
/// <c>tb/eval/</c>; a resumed run adds an event file and keeps the first.
/// </summary>
public sealed class TensorBoardLogTests
{
    private static TrainConfig Tiny(string data) => new()
    {
        DataDir = data, Width = 8, ProjDim = 16, BatchSize = 8, Epochs = 1, LogEvery = 1, Threads = 1, Seed = 5,
        EvalEvery = 1, EvalProbeEpochs = 1,
    };

    private static void Train(TrainConfig config, RunDirectory run, bool resume)
    {
        using var evaluator = new PeriodicEvaluator(config, run);
        new Pretrainer(config, run) { OnEpochEnd = evaluator.OnEpochEnd }.Run(resume).Encoder.Dispose();
    }

    /// <summary>The events of every event file directly in <paramref name="folder"/>, oldest file first, each file's records CRC-checked.</summary>
    private static List<List<Event>> EventFiles(string folder) =>
        Directory.GetFiles(folder, "events.out.tfevents.*").Order(StringComparer.Ordinal)
            .Select(file => TfRecordFile.Read(file).Select(record => Event.Parser.ParseFrom(record)).ToList())
            .ToList();

    private static IEnumerable<(string Tag, long Step, Summary.Types.Value Value)> Values(IEnumerable<Event> events) =>
        events.Where(e => e.Summary is not null).SelectMany(e => e.Summary.Value.Select(v => (v.Tag, e.Step, v)));

    [Fact]
    public void The_crc32c_written_for_the_test_matches_the_published_check_value()
    {
        Assert.Equal(0xE3069283u, Crc32C.Of(Encoding.ASCII.GetBytes("123456789")));
    }

    [Fact]
    public void A_run_writes_checksummed_event_files_with_loss_lr_throughput_and_the_evaluation()
    {
        using var dir = new TempDir();
        SyntheticFashionMnist.Write(dir.File("data"), trainCount: 48);
        var run = new RunDirectory(dir.File("run"));
        Train(Tiny(dir.File("data")), run, resume: false);

        var training = Assert.Single(EventFiles(Path.Combine(run.Path, TensorBoardLog.FolderName)));
        Assert.Equal("brain.Event:2", training[0].FileVersion);
        var scalars = Values(training).ToList();
        var metrics = File.ReadAllLines(run.MetricsPath).Where(l => l.Length > 0).ToList();
        Assert.Equal(6, metrics.Count);
        foreach (string tag in new[] { "loss", "lr", "images_per_s" })
            Assert.Equal(Enumerable.Range(1, 6).Select(s => (long)s), scalars.Where(v => v.Tag == tag).Select(v => v.Step));
        var firstLoss = System.Text.Json.JsonDocument.Parse(metrics[0]).RootElement.GetProperty("loss").GetDouble();
        Assert.Equal((float)firstLoss, scalars.First(v => v.Tag == "loss").Value.SimpleValue);

        // a string search in the raw record bytes finds the tags too
        string raw = Encoding.ASCII.GetString(File.ReadAllBytes(Directory.GetFiles(Path.Combine(run.Path, "tb"), "events.out.tfevents.*")[0]));
        Assert.Contains("images_per_s", raw);

        var evaluation = Values(Assert.Single(EventFiles(Path.Combine(run.Path, "tb", "eval")))).ToList();
        var record = Assert.Single(EvalRecord.ReadAll(run.Path));
        var expected = new Dictionary<string, double?>
        {
            ["eval/probe_top1"] = record.ProbeTop1, ["eval/knn_top1"] = record.KnnTop1,
            ["eval/alpha"] = record.Alpha, ["eval/effective_rank"] = record.EffectiveRank,
            ["eval/embedding_alpha"] = record.EmbeddingAlpha, ["eval/embedding_effective_rank"] = record.EmbeddingEffectiveRank,
        };
        Assert.NotNull(record.ProbeTop1);
        foreach (var (tag, value) in expected.Where(kv => kv.Value is not null))
        {
            var logged = Assert.Single(evaluation, v => v.Tag == tag);
            Assert.Equal(record.Step, logged.Step);
            Assert.Equal((float)value!.Value, logged.Value.SimpleValue);
        }
        var histogram = Assert.Single(evaluation, v => v.Tag == "eval/embedding_spectrum").Value.Histo;
        Assert.NotNull(histogram);
        Assert.True(histogram.Num > 0 && histogram.Num <= 16, $"{histogram.Num} eigenvalues for d = 16");
    }

    [Fact]
    public void A_resumed_run_adds_an_event_file_and_keeps_the_first()
    {
        using var dir = new TempDir();
        SyntheticFashionMnist.Write(dir.File("data"), trainCount: 48);
        var run = new RunDirectory(dir.File("run"));
        Train(Tiny(dir.File("data")) with { EvalEvery = 0, Steps = 4 }, run, resume: false);
        Train(Tiny(dir.File("data")) with { EvalEvery = 0 }, run, resume: true);

        var files = EventFiles(Path.Combine(run.Path, TensorBoardLog.FolderName));
        Assert.Equal(2, files.Count);
        Assert.Equal([1L, 2, 3, 4], Values(files[0]).Where(v => v.Tag == "loss").Select(v => v.Step));
        Assert.Equal([5L, 6], Values(files[1]).Where(v => v.Tag == "loss").Select(v => v.Step));
    }
}
