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
        return bench;
    }
}
