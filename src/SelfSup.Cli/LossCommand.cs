using System.CommandLine;
using System.Globalization;
using SelfSup.IO;
using SelfSup.Losses;
using TorchSharp;

namespace SelfSup.Cli;

/// <summary>
/// <c>selfsup loss FILE.npy --method bt</c>: evaluate a loss on stored embeddings (N×M×d, float32 or float64)
/// and print the value alone on the last line, for comparison with any PyTorch implementation.
/// </summary>
public static class LossCommand
{
    public static Command Create()
    {
        var file = new Argument<string>("FILE") { Description = ".npy file with embeddings N x M x d (float32 or float64)" };
        var method = new Option<string>("--method") { Description = "bt, bt-pairwise, bt-official, vicreg, vicreg-official", DefaultValueFactory = _ => "bt" };
        var lambda = new Option<double?>("--lambda") { Description = "Orthogonality weight for bt* (default 4/d; bt-official 0.0051), invariance weight for vicreg (default 25)" };
        var mu = new Option<double>("--mu") { Description = "VICReg variance weight", DefaultValueFactory = _ => 25 };
        var noNormalize = new Option<bool>("--no-normalize") { Description = "bt: skip the L2 normalisation" };
        var command = new Command("loss", "Evaluate an SSL loss on embeddings stored as .npy; prints the value alone on its last line.");
        command.Arguments.Add(file);
        foreach (var o in new Option[] { method, lambda, mu, noNormalize }) command.Options.Add(o);
        command.SetAction(r =>
        {
            string path = r.GetValue(file)!, name = r.GetValue(method)!;
            if (!LossFactory.Methods.Contains(name)) throw new SelfSupError($"unknown --method '{name}'; use one of: {string.Join(", ", LossFactory.Methods)}");
            using var scope = torch.NewDisposeScope();
            var z = NpyFile.Read(path);
            if (z.dim() != 3) throw new SelfSupError($"'{path}' has shape [{string.Join(", ", z.shape)}]; embeddings must be 3-D: N images x M views x d dims");
            long d = z.shape[2];
            double l = r.GetValue(lambda) ?? LossFactory.Weight(name, BetaSetting.Auto(), (int)d, vicregLambda: 25);
            var loss = LossFactory.Create(name, l, r.GetValue(mu), !r.GetValue(noNormalize));
            double value = loss.Forward(z).to(torch.float64).item<double>();
            Console.Error.WriteLine($"{name} on {path} [{string.Join("x", z.shape)}, {z.dtype}] lambda={l.ToString("R", CultureInfo.InvariantCulture)}");
            Console.WriteLine(value.ToString("R", CultureInfo.InvariantCulture));
            return 0;
        });
        return command;
    }
}
