using System.Diagnostics;
using SelfSup.Data;
using SelfSup.Evaluation;
using SelfSup.Losses;
using SelfSup.Models;
using SelfSup.Training;
using SelfSup.Views;
using TorchSharp;
using static TorchSharp.torch;

namespace SelfSup.Diagnostics;

/// <summary>
/// Does SelfSup work on a device, and agree there with the CPU? Checks, each independent: libtorch and the device load;
/// the native bindings (autocast, fused Adam, cuDNN switches) resolve; bf16 autocast runs; every view op (blur and
/// solarize included) gives the CPU's views; fused Adam equals the same rule as separate ops; two training steps give the
/// CPU's losses; the linear probe and kNN give the CPU's accuracies; a short pretraining on synthetic CIFAR writes a
/// checkpoint and, stopped after one epoch and resumed, ends where the uninterrupted run ends. <c>selfsup doctor</c>
/// prints them; the test suite runs them on the CPU and, in its CUDA category, on a GPU.
/// </summary>
public static class DeviceDoctor
{
    private sealed class Failure(string message) : Exception(message);

    private static void Require(bool condition, string message)
    {
        if (!condition) throw new Failure(message);
    }

    /// <summary>Runs every check on <paramref name="deviceName"/> (cpu, cuda, cuda:N) in a scratch folder under <paramref name="scratch"/>.</summary>
    public static IReadOnlyList<DoctorCheck> Run(string deviceName, string? scratch = null, Action<DoctorCheck>? onCheck = null)
    {
        var results = new List<DoctorCheck>();
        bool Check(string name, Func<string> body)
        {
            var clock = Stopwatch.StartNew();
            DoctorCheck result;
            try { result = new DoctorCheck(name, true, body(), clock.Elapsed.TotalSeconds); }
            catch (Exception e) { result = new DoctorCheck(name, false, e.Message.ReplaceLineEndings(" "), clock.Elapsed.TotalSeconds); }
            results.Add(result);
            onCheck?.Invoke(result);
            return result.Ok;
        }

        Device device = CPU;
        if (!Check("libtorch and device", () =>
            {
                device = Devices.Resolve(deviceName);
                string gpu = torch.cuda.is_available() ? $"CUDA with {torch.cuda.device_count()} device(s)" : "no CUDA";
                using var probe = torch.ones(2, device: device).sum();
                Require(probe.item<float>() == 2, $"a sum on {deviceName} gave {probe.item<float>()}, not 2");
                return $"libtorch {torch.__version__}, {gpu}; {deviceName} computes";
            }))
            return results;
        Check("native bindings", () => Bindings(device));
        Check("bf16 autocast", () => Bf16(device));
        Check("view ops vs CPU", () => ViewOps(device));
        Check("fused Adam vs separate ops", () => FusedAdam(device));
        Check("training steps vs CPU", () => TrainingSteps(device));
        Check("probe and kNN vs CPU", () => Readouts(device));
        string folder = Path.Combine(scratch ?? Path.GetTempPath(), "selfsup-doctor-" + Guid.NewGuid().ToString("N"));
        try { Check("pretrain, checkpoint, resume", () => PretrainAndResume(deviceName, folder)); }
        finally { try { Directory.Delete(folder, recursive: true); } catch (IOException) { } }
        return results;
    }

    private static string Bindings(Device device)
    {
        Autocast.EnsureAvailable();
        Require(FusedAdamKernel.IsAvailable, "libtorch does not export the fused Adam kernel");
        Require(DeviceSettings.IsAvailable, "libtorch does not export the cuDNN / TF32 switches");
        if (device.type != DeviceType.CUDA) return "autocast, fused Adam, cuDNN switches: all resolve";
        bool before = DeviceSettings.CudnnBenchmark;
        DeviceSettings.CudnnBenchmark = !before;
        bool flipped = DeviceSettings.CudnnBenchmark;
        DeviceSettings.CudnnBenchmark = before;
        Require(flipped == !before, "setting cuDNN's benchmark mode did not take");
        return $"autocast, fused Adam, cuDNN switches resolve; cuDNN benchmark {(before ? "on" : "off")}, matmul TF32 {(DeviceSettings.MatmulTf32 ? "on" : "off")}";
    }

    private static string Bf16(Device device)
    {
        using var scope = NewDisposeScope();
        var generator = new Generator(1);
        var a = randn([64, 256], generator: generator).to(device);
        var b = randn([256, 64], generator: generator).to(device);
        var exact = a.matmul(b);
        Tensor low;
        using (Autocast.Enter(Precision.Bf16, device.type)) low = a.matmul(b);
        Require(low.dtype == ScalarType.BFloat16, $"a matmul under autocast gave {low.dtype}, not BFloat16");
        double error = (low.to(ScalarType.Float32) - exact).norm().item<float>() / exact.norm().item<float>();
        Require(error < 0.02, $"bf16 matmul is {error:P1} from fp32 (expected under 2 %)");
        return $"matmul under autocast runs in bf16, {error:P2} from fp32";
    }

    private static string ViewOps(Device device)
    {
        using var scope = NewDisposeScope();
        var preset = AugmentationPreset.Cifar with { BlurProbability = 0.5, SolarizeProbability = 0.5 };
        var sampler = new ViewSampler(preset, views: 4);
        var images = randint(0, 256, [16, 3, 40, 36], dtype: ScalarType.Byte, generator: new Generator(3));
        var keys = ViewKeys.For(seed: 7, epoch: 1, Enumerable.Range(0, 16).ToArray(), 4);
        var onCpu = sampler.Sample(images, keys);
        var there = sampler.Sample(images.to(device), keys);
        Require(there.device_type == device.type, $"views came back on {there.device_type}, not {device.type}");
        double gap = (there.cpu() - onCpu).abs().max().item<float>();
        Require(gap < 1e-3, $"views on {device.type} differ from the CPU's by up to {gap:G3} (normalised units; expected < 1e-3)");
        return $"64 views (crop, flip, jitter, grayscale, blur, solarize) agree with the CPU's to {gap:G2}";
    }

    private static string FusedAdam(Device device)
    {
        using var scope = NewDisposeScope();
        double[] Train(bool fused)
        {
            using var inner = NewDisposeScope();
            var weights = new TorchSharp.Modules.Parameter(randn([1000], generator: new Generator(5)).to(device));
            var bias = new TorchSharp.Modules.Parameter(randn([10, 10], generator: new Generator(6)).to(device));
            using var adam = new FlatAdam(new FlatParameters([weights, bias]), lr: 1e-2, weightDecay: 1e-4, fused);
            var generator = new Generator(9);
            for (int i = 0; i < 5; i++)
            {
                adam.Flat.Grad.copy_(randn(adam.Flat.Grad.shape, generator: generator));
                adam.Step();
            }
            return adam.Flat.Data.cpu().to(ScalarType.Float64).data<double>().ToArray();
        }
        Require(FusedAdamKernel.IsAvailable, "libtorch does not export the fused Adam kernel");
        var fused = Train(true);
        var separate = Train(false);
        double gap = fused.Zip(separate).Max(p => Math.Abs(p.First - p.Second)) / separate.Max(Math.Abs);
        Require(gap < 1e-6, $"fused Adam differs from the separate ops by {gap:G3} of the largest parameter (expected < 1e-6)");
        return $"5 steps of 1,100 parameters agree to {gap:G2} of the largest";
    }

    private static string TrainingSteps(Device device)
    {
        double[] Losses(Device on)
        {
            torch.manual_seed(11);
            using var encoder = new Encoder(new EncoderConfig("resnet18", 3, 16, false, 32, 2, 32));
            encoder.to(on);
            encoder.train();
            bool channelsLast = MemoryLayout.UseChannelsLast(encoder);
            var loss = LossFactory.Create("bt", OrthogonalityWeight.ForProjector(32), 25, normalize: true);
            using var optimizer = OptimizerFactory.Create("adam", encoder.parameters().ToList(), 1e-3, 1e-6);
            using var step = new TrainingStep(encoder, loss, optimizer) { ChannelsLast = channelsLast };
            var generator = new Generator(12);
            return Enumerable.Range(0, 3).Select(i =>
            {
                using var views = randn([16, 2, 3, 16, 16], generator: generator);
                using var there = views.to(on);
                return step.Run(there, 1e-3, i, 0).Loss;
            }).ToArray();
        }
        var cpu = Losses(CPU);
        var there = Losses(device);
        double gap = cpu.Zip(there).Max(p => Math.Abs(p.First - p.Second) / Math.Abs(p.First));
        // cuDNN's convolutions run in TF32 (PyTorch's default): about 1e-3 relative
        Require(gap < 2e-2, $"losses on {device.type} ({string.Join(", ", there.Select(l => l.ToString("G5")))}) differ from the CPU's ({string.Join(", ", cpu.Select(l => l.ToString("G5")))}) by {gap:P2}");
        return $"3 steps (ResNet-18 width 16, 16×2 views): losses {string.Join(", ", there.Select(l => l.ToString("F4")))}, {gap:G2} relative from the CPU's";
    }

    private static string Readouts(Device device)
    {
        using var scope = NewDisposeScope();
        var generator = new Generator(21);
        var centres = randn([5, 16], generator: generator).mul_(2);
        (Tensor X, Tensor Y) Sample(int n)
        {
            var y = arange(n, dtype: ScalarType.Int64).remainder(5);
            return (centres.index_select(0, y) + randn([n, 16], generator: generator), y);
        }
        var (trainX, trainY) = Sample(400);
        var (testX, testY) = Sample(200);
        var settings = new ProbeSettings(Epochs: 30, BatchSize: 128);
        double probeCpu = LinearProbe.TrainAndTest(trainX, trainY, testX, testY, 5, settings, CPU);
        double probeThere = LinearProbe.TrainAndTest(trainX, trainY, testX, testY, 5, settings, device);
        double knnCpu = KnnClassifier.Evaluate(trainX, trainY, testX, testY, 5, k: 20);
        double knnThere = KnnClassifier.Evaluate(trainX.to(device), trainY.to(device), testX.to(device), testY.to(device), 5, k: 20);
        Require(probeCpu > 60 && Math.Abs(probeCpu - probeThere) <= 2, $"probe accuracy {probeThere:F1} % on {device.type} vs {probeCpu:F1} % on the CPU (clusters a probe separates: expected > 60 % and within 2 points)");
        Require(knnCpu > 60 && Math.Abs(knnCpu - knnThere) <= 1, $"kNN accuracy {knnThere:F1} % on {device.type} vs {knnCpu:F1} % on the CPU (expected > 60 % and within 1 point)");
        return $"probe {probeThere:F1} % (CPU {probeCpu:F1} %), kNN {knnThere:F1} % (CPU {knnCpu:F1} %)";
    }

    private static string PretrainAndResume(string deviceName, string folder)
    {
        string data = SyntheticCifar.Write(Path.Combine(folder, "cifar10"), 192, seed: 4);
        var config = new TrainConfig
        {
            Dataset = "cifar10", DataDir = data, Width = 16, ProjDim = 32, BatchSize = 32, Epochs = 2, Device = deviceName,
            Precision = "fp32", CheckpointEvery = 0, LogEvery = 1, Seed = 3,
        };
        TrainingState Train(TrainConfig c, string run, bool resume, out double[] weights)
        {
            var result = new Pretrainer(c, new RunDirectory(run), onStep: null) { Warn = _ => { } }.Run(resume);
            using var flat = torch.cat(result.Encoder.parameters().Select(p => p.detach().reshape(-1).cpu()).ToArray());
            weights = flat.to(ScalarType.Float64).data<double>().ToArray();
            result.Encoder.Dispose();
            return result.State;
        }
        var straight = Train(config, Path.Combine(folder, "straight"), false, out var a);
        Train(config with { Epochs = 1 }, Path.Combine(folder, "resumed"), false, out _);
        Require(Directory.Exists(Path.Combine(folder, "resumed", "checkpoints", "epoch-0001")), "no checkpoint epoch-0001 after one epoch");
        var resumed = Train(config, Path.Combine(folder, "resumed"), true, out var b);
        Require(straight.Step == 12 && resumed.Step == 12, $"steps {straight.Step} (straight) and {resumed.Step} (resumed); expected 12");
        double scale = a.Max(Math.Abs);
        double gap = a.Zip(b).Max(p => Math.Abs(p.First - p.Second)) / scale;
        // the CPU repeats itself exactly; cuDNN's autotuned algorithms may round differently between runs
        Require(gap < 1e-3, $"the resumed run's weights differ from the uninterrupted run's by {gap:G3} of their largest (expected < 1e-3)");
        return $"2 epochs × 6 steps on synthetic CIFAR; stopped after epoch 1 and resumed: weights {(gap == 0 ? "bit-identical to" : $"within {gap:G2} of")} the uninterrupted run's";
    }
}
