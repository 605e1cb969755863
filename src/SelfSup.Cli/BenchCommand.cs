using System.CommandLine;
using System.Globalization;
using SelfSup.Bench;

namespace SelfSup.Cli;

/// <summary><c>selfsup bench step</c>: timed training steps on pre-made tensors (see bench/SelfSup.Bench).</summary>
public static class BenchCommand
{
    /// <summary>The options of the timed step, shared by <c>bench step</c> and <c>bench pipeline</c>.</summary>
    private sealed class StepOptions
    {
        private static readonly StepBenchmarkOptions D = new();
        private readonly Option<string> model = new("--model") { DefaultValueFactory = _ => D.Model, Description = "Backbone" };
        private readonly Option<int> width = new("--width") { DefaultValueFactory = _ => D.Width, Description = "First-stage channels" };
        private readonly Option<int> batch = new("--batch") { DefaultValueFactory = _ => D.Batch, Description = "Images per step" };
        private readonly Option<int> views = new("--views") { DefaultValueFactory = _ => D.Views, Description = "Views per image" };
        private readonly Option<int> image = new("--image") { DefaultValueFactory = _ => D.Image, Description = "Image side" };
        private readonly Option<int> channels = new("--channels") { DefaultValueFactory = _ => D.Channels, Description = "Input channels" };
        private readonly Option<int> projDim = new("--proj-dim") { DefaultValueFactory = _ => D.ProjDim, Description = "Projector dimension" };
        private readonly Option<string> method = new("--method") { DefaultValueFactory = _ => D.Method, Description = "Loss" };
        private readonly Option<int> threads = new("--threads") { DefaultValueFactory = _ => D.Threads, Description = "CPU threads (0 = all)" };
        private readonly Option<int> steps = new("--steps") { DefaultValueFactory = _ => D.Steps, Description = "Timed steps" };
        private readonly Option<bool> noChannelsLast = new("--no-channels-last") { Description = "Keep NCHW layout (channels-last is the default, as in training)" };
        private readonly Option<string> precision = new("--precision") { DefaultValueFactory = _ => "fp32", Description = "fp32, bf16 or auto (as in pretrain)" };
        private readonly Option<string> device = new("--device") { DefaultValueFactory = _ => D.Device, Description = "cpu or cuda (the device is synchronised at the end of every timed step)" };
        private readonly Option<int> smallCrops = new("--small-crops") { DefaultValueFactory = _ => 0, Description = "Multi-crop: small crops per image besides the --views full ones (bt)" };
        private readonly Option<int> smallCropSize = new("--small-crop-size") { DefaultValueFactory = _ => 0, Description = "Side of the small crops (default: half of --image)" };
        private readonly Option<string> cudnnBenchmark = new("--cudnn-benchmark") { DefaultValueFactory = _ => "on", Description = "cuDNN's autotuner on CUDA: on (as in training) or off (PyTorch's default)" };

        public void AddTo(Command c)
        {
            foreach (var o in new Option[] { model, width, batch, views, image, channels, projDim, method, threads, steps, noChannelsLast, precision, device, cudnnBenchmark, smallCrops, smallCropSize }) c.Options.Add(o);
        }

        public StepBenchmarkOptions Read(ParseResult r) => new()
        {
            Model = r.GetValue(model)!, Width = r.GetValue(width), Batch = r.GetValue(batch), Views = r.GetValue(views),
            Image = r.GetValue(image), Channels = r.GetValue(channels), ProjDim = r.GetValue(projDim), Method = r.GetValue(method)!,
            Threads = r.GetValue(threads), Steps = r.GetValue(steps), ChannelsLast = !r.GetValue(noChannelsLast),
            Precision = Models.PrecisionSetting.Resolve(r.GetValue(precision)!), Device = r.GetValue(device)!,
            SmallCrops = r.GetValue(smallCrops), SmallCropSize = r.GetValue(smallCropSize),
            CudnnBenchmark = r.GetValue(cudnnBenchmark) switch
            {
                "on" => true, "off" => false,
                var other => throw new SelfSupError($"--cudnn-benchmark '{other}': use on or off"),
            },
        };
    }

    private static void Progress(int i, int n) => Console.Error.Write($"\rstep {i}/{n}");

    private static string Describe(double[] times) =>
        $"step seconds: median {LossBenchmark.Median(times):F4}, min {times.Min():F4}, max {times.Max():F4}";

    public static Command Create()
    {
        var stepOptions = new StepOptions();
        var step = new Command("step", "Median throughput of one SSL training step on pre-made tensors; last line images_per_s=<float>.");
        stepOptions.AddTo(step);
        step.SetAction(r =>
        {
            var (median, times) = StepBenchmark.Run(stepOptions.Read(r), Progress);
            Console.Error.WriteLine();
            Console.WriteLine(Describe(times));
            Console.WriteLine(FormattableString.Invariant($"phases (median s): forward+loss {StepBenchmark.LastPhases[0]:F4}, backward {StepBenchmark.LastPhases[1]:F4}, optimizer {StepBenchmark.LastPhases[2]:F4}"));
            Console.WriteLine("images_per_s=" + median.ToString("F2", CultureInfo.InvariantCulture));
            return 0;
        });

        var pipelineOptions = new StepOptions();
        var pipeline = new Command("pipeline", "The bench step fed by the real input pipeline (uint8 images → per-sample views, prefetched) vs by a pre-made tensor; last line pipeline_over_premade=<ratio>.");
        pipelineOptions.AddTo(pipeline);
        pipeline.SetAction(r =>
        {
            var o = pipelineOptions.Read(r);
            var (premade, premadeTimes) = StepBenchmark.Run(o, Progress);
            Console.Error.WriteLine();
            var (real, realTimes) = StepBenchmark.RunWithPipeline(o, onStep: Progress);
            Console.Error.WriteLine();
            Console.WriteLine($"pre-made tensors: images_per_s={premade.ToString("F2", CultureInfo.InvariantCulture)} ({Describe(premadeTimes)})");
            Console.WriteLine($"real pipeline:    images_per_s={real.ToString("F2", CultureInfo.InvariantCulture)} ({Describe(realTimes)})");
            Console.WriteLine("pipeline_over_premade=" + (real / premade).ToString("F4", CultureInfo.InvariantCulture));
            return 0;
        });

        var bench = new Command("bench", "Benchmarks (see docs/benchmarks.md).");
        bench.Subcommands.Add(step);
        bench.Subcommands.Add(pipeline);
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
        var precision = new Option<string>("--precision") { DefaultValueFactory = _ => "fp32", Description = "bf16: embeddings arrive in bf16 and are cast to fp32 before the (always fp32) loss" };
        var loss = new Command("loss", "Forward+backward time of a loss alone on random N x M x d embeddings; last line seconds=<float>.");
        foreach (var o in new Option[] { method, views, projDim, batch, steps, threads, precision }) loss.Options.Add(o);
        loss.SetAction(r =>
        {
            string name = r.GetValue(method)!;
            var (median, times) = LossBenchmark.Run(name, r.GetValue(batch), r.GetValue(views), r.GetValue(projDim), r.GetValue(steps), threads: r.GetValue(threads),
                precision: Models.PrecisionSetting.Resolve(r.GetValue(precision)!));
            Console.WriteLine($"{name} N={r.GetValue(batch)} M={r.GetValue(views)} d={r.GetValue(projDim)}: min {times.Min():F5} s, max {times.Max():F5} s");
            Console.WriteLine("seconds=" + median.ToString("G6", CultureInfo.InvariantCulture));
            return 0;
        });
        return loss;
    }
}
