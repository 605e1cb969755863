using System.Diagnostics;
using Spectre.Console;

namespace SelfSup.Cli;

/// <summary>
/// Progress for long work: a Spectre.Console bar on a terminal; on a pipe or log file, one plain line
/// every few seconds (so `make demo | tee log` stays readable).
/// </summary>
public static class ProgressDisplay
{
    public static T Run<T>(string title, Func<Action<string, double, double>, T> work)
    {
        if (Console.IsOutputRedirected || !AnsiConsole.Profile.Capabilities.Interactive)
        {
            var clock = Stopwatch.StartNew();
            double lastPrint = -1e9;
            return work((description, value, max) =>
            {
                double now = clock.Elapsed.TotalSeconds;
                if (now - lastPrint < 5 && value < max) return;
                lastPrint = now;
                Console.WriteLine($"[{now,7:F1}s] {title} {description} {value:F0}/{max:F0}");
            });
        }
        T result = default!;
        AnsiConsole.Progress()
            .AutoClear(false)
            .Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new ElapsedTimeColumn(), new RemainingTimeColumn())
            .Start(ctx =>
            {
                var task = ctx.AddTask(Markup.Escape(title));
                result = work((description, value, max) =>
                {
                    task.Description = Markup.Escape($"{title} {description}");
                    task.MaxValue = Math.Max(1, max);
                    task.Value = Math.Min(value, task.MaxValue);
                });
                task.Value = task.MaxValue;
            });
        return result;
    }
}
