using System.CommandLine;
using System.Globalization;
using SelfSup.Bench;

namespace SelfSup.Cli;

/// <summary><c>selfsup bench step</c>: timed training steps on pre-made tensors (see bench/SelfSup.Bench).</summary>
public static class BenchCommand
{
    public static Command Create()
    {
        var d = new StepBenchmarkOptions();
        var model = new Option<string>("--model") { DefaultValueFactory = _ => d.Model, Description = "Backbone" };
        var width = new Option<int>("--width") { DefaultValueFactory = _ => d.Width, Description = "First-stage channels" };
        var batch = new Option<int>("--batch") { DefaultValueFactory = _ => d.Batch, Description = "Images per step" };
        var views = new Option<int>("--views") { DefaultValueFactory = _ => d.Views, Description = "Views per image" };
        var image = new Option<int>("--image") { DefaultValueFactory = _ => d.Image, Description = "Image side" };
        var channels = new Option<int>("--channels") { DefaultValueFactory = _ => d.Channels, Description = "Input channels" };
        var projDim = new Option<int>("--proj-dim") { DefaultValueFactory = _ => d.ProjDim, Description = "Projector dimension" };
        var method = new Option<string>("--method") { DefaultValueFactory = _ => d.Method, Description = "Loss" };
        var threads = new Option<int>("--threads") { DefaultValueFactory = _ => d.Threads, Description = "CPU threads (0 = all)" };
        var steps = new Option<int>("--steps") { DefaultValueFactory = _ => d.Steps, Description = "Timed steps" };
        var noCl = new Option<bool>("--channels-last") { Description = "Lay inputs and kernels out NHWC" };
        var step = new Command("step", "Median throughput of one SSL training step on pre-made tensors; last line images_per_s=<float>.");
        foreach (var o in new Option[] { model, width, batch, views, image, channels, projDim, method, threads, steps, noCl }) step.Options.Add(o);
        step.SetAction(r =>
        {
            var o = new StepBenchmarkOptions
            {
                Model = r.GetValue(model)!, Width = r.GetValue(width), Batch = r.GetValue(batch), Views = r.GetValue(views),
                Image = r.GetValue(image), Channels = r.GetValue(channels), ProjDim = r.GetValue(projDim), Method = r.GetValue(method)!,
                Threads = r.GetValue(threads), Steps = r.GetValue(steps), ChannelsLast = r.GetValue(noCl),
            };
            var (median, times) = StepBenchmark.Run(o, (i, n) => Console.Error.Write($"\rstep {i}/{n}"));
            Console.Error.WriteLine();
            Console.WriteLine($"step seconds: median {times.Order().ElementAt(times.Length / 2):F4}, min {times.Min():F4}, max {times.Max():F4}");
            Console.WriteLine("images_per_s=" + median.ToString("F2", CultureInfo.InvariantCulture));
            return 0;
        });
        var bench = new Command("bench", "Benchmarks (see bench/README.md).");
        bench.Subcommands.Add(step);
        bench.Subcommands.Add(BenchDataCommand.Create());
        bench.Subcommands.Add(CreateLoss());
        return bench;
    }

    private static Command CreateLoss()
    {
        var method = new Option<string>("--method") { DefaultValueFactory = _ => "bt", Description = "bt, bt-pairwise, vicreg, ..." };
        var views = new Option<int>("--views") { DefaultValueFactory = _ => 8, Description = "Views per image M" };
        var projDim = new Option<int>("--proj-dim") { DefaultValueFactory = _ => 2048, Description = "Embedding dimension d" };
        var batch = new Option<int>("--batch") { DefaultValueFactory = _ => 256, Description = "Images N" };
        var steps = new Option<int>("--steps") { DefaultValueFactory = _ => 20, Description = "Timed repetitions" };
        var threads = new Option<int>("--threads") { DefaultValueFactory = _ => 0, Description = "CPU threads (0 = all)" };
        var loss = new Command("loss", "Forward+backward time of a loss alone on random N x M x d embeddings; last line seconds=<float>.");
        foreach (var o in new Option[] { method, views, projDim, batch, steps, threads }) loss.Options.Add(o);
        loss.SetAction(r =>
        {
            string name = r.GetValue(method)!;
            if (!SelfSup.Losses.LossFactory.Methods.Contains(name)) throw new SelfSupError($"unknown --method '{name}'; use one of: {string.Join(", ", SelfSup.Losses.LossFactory.Methods)}");
            var (median, times) = LossBenchmark.Run(name, r.GetValue(batch), r.GetValue(views), r.GetValue(projDim), r.GetValue(steps), threads: r.GetValue(threads));
            Console.WriteLine($"{name} N={r.GetValue(batch)} M={r.GetValue(views)} d={r.GetValue(projDim)}: min {times.Min():F5} s, max {times.Max():F5} s");
            Console.WriteLine("seconds=" + median.ToString("G6", CultureInfo.InvariantCulture));
            return 0;
        });
        return loss;
    }
}
