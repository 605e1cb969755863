using System.Text.Json;
using SelfSup.Training;
using Xunit;

namespace SelfSup.Tests.Training;

/// <summary>The per-step record: which steps get a metrics.jsonl line, and what the line says.</summary>
public class StepLogTests
{
    [Fact]
    public void Every_log_every_th_step_and_the_last_get_a_line_with_the_steps_numbers()
    {
        using var dir = new TempDir();
        var run = new RunDirectory(dir.File("run"));
        run.Create(new TrainConfig());
        var log = new StepLog(run, logEvery: 3, totalSteps: 7, views: 4);
        var clock = new TrainingClock(0, 0);
        for (long step = 1; step <= 7; step++)
            log.Record(step, epoch: 1, new StepOutcome(Loss: 10 - step, Spread: 0.5), lr: 0.01 * step, images: 8, clock, imagesSeen: 8 * step);
        var lines = File.ReadAllLines(run.MetricsPath).Select(l => JsonDocument.Parse(l).RootElement).ToList();
        Assert.Equal([3L, 6L, 7L], lines.Select(l => l.GetProperty("step").GetInt64()));
        var sixth = lines[1];
        Assert.Equal(4.0, sixth.GetProperty("loss").GetDouble());
        Assert.Equal(0.06, sixth.GetProperty("lr").GetDouble(), 12);
        Assert.Equal(48, sixth.GetProperty("images_seen").GetInt64());
        Assert.Equal(0.5, sixth.GetProperty("embedding_spread").GetDouble());
        double images = sixth.GetProperty("images_per_s").GetDouble();
        Assert.True(images > 0);
        Assert.Equal(4 * images, sixth.GetProperty("views_per_s").GetDouble(), 9);   // M = 4 views per image
        Assert.True(Directory.Exists(Path.Combine(run.Path, TensorBoardLog.FolderName)));
    }
}
