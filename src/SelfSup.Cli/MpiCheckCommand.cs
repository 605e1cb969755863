using SelfSup.Diagnostics;
using System.CommandLine;
using System.Globalization;
using SelfSup.Distributed;
using SelfSup.Losses;
using SelfSup.Models;

namespace SelfSup.Cli;

/// <summary>
/// <c>selfsup mpi-check</c>: run under <c>mpirun -np R</c> to check an MPI installation and SelfSup's data parallelism —
/// each rank compares its data-parallel gradient of a global loss with the single-process gradient of the whole batch
/// (<see cref="GradientCheck"/>).
/// </summary>
public static class MpiCheckCommand
{
    public static Command Create()
    {
        var method = new Option<string>("--method") { Description = "Loss: " + string.Join(", ", LossFactory.Methods), DefaultValueFactory = _ => "bt" };
        var views = new Option<int>("--views") { Description = "Views per image (M)", DefaultValueFactory = _ => 2 };
        var batch = new Option<int>("--batch-size") { Description = "Global batch (split over the ranks)", DefaultValueFactory = _ => 16 };
        var projDim = new Option<int>("--proj-dim") { Description = "Projector output d", DefaultValueFactory = _ => 32 };
        var single = new Option<bool>("--float32") { Description = "Compare in float32 (rounding then shows) instead of float64" };
        var width = new Option<int>("--width") { Description = "ResNet-18 width", DefaultValueFactory = _ => 4 };
        var side = new Option<int>("--side") { Description = "Image side", DefaultValueFactory = _ => 12 };
        var command = new Command("mpi-check", "Under mpirun -np R: compare the data-parallel gradient (slices, differentiable all-reduce, sync BatchNorm) with one process's gradient of the whole batch.");
        foreach (var o in new Option[] { method, views, batch, projDim, single, width, side }) command.Options.Add(o);
        command.SetAction(r =>
        {
            using var group = ProcessGroup.FromEnvironment();
            int d = r.GetValue(projDim);
            var loss = new Training.TrainConfig { Method = r.GetValue(method)!, ProjDim = d, Views = r.GetValue(views) }.CreateLoss();
            var result = GradientCheck.Run(group, loss, new EncoderConfig("resnet18", 1, r.GetValue(width), false, d), r.GetValue(batch), r.GetValue(views), r.GetValue(side),
                dtype: r.GetValue(single) ? TorchSharp.torch.ScalarType.Float32 : TorchSharp.torch.ScalarType.Float64);
            var inv = CultureInfo.InvariantCulture;
            Console.WriteLine(string.Create(inv, $"rank {group.Rank} of {group.Size}: loss {result.Loss:R} (one process {result.SingleLoss:R}); gradient max relative error {result.MaxRelativeError:E2} ({result.WorstParameter}); plain all-reduce gives {result.PlainNormRatio:F4} of the gradient's norm"));
            return result.MaxRelativeError < (r.GetValue(single) ? 1e-3 : 1e-6) ? 0 : 1;
        });
        return command;
    }
}
