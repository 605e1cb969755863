using System.Diagnostics;
using SelfSup.Evaluation;
using SelfSup.Interop;
using SelfSup.IO;
using SelfSup.Training;
using TorchSharp;
using Xunit;
using Xunit.Abstractions;
using static TorchSharp.torch;

namespace SelfSup.Tests.Interop;

/// <summary>
/// PyTorch itself reads the export: torch.load of the .pt, load_state_dict(strict=True) into torchvision's ResNet
/// (its BasicBlock and _make_layer, with the CIFAR stem, maxpool = fc = Identity, width 8) and an nn.Sequential projector,
/// then features and embeddings of the same images as SelfSup's, within 1e-4 relative. Runs only where
/// <c>/usr/bin/python3 -c "import torch, torchvision"</c> works; elsewhere it passes after saying so.
/// </summary>
public sealed class TorchvisionStrictLoadTests(TinyTrainedRun trained, ITestOutputHelper output) : IClassFixture<TinyTrainedRun>
{
    private const string Python = "/usr/bin/python3";

    private const string Model = """
        import json, sys
        import numpy as np, torch, torch.nn as nn
        from torchvision.models.resnet import ResNet, BasicBlock

        class CifarResNet(ResNet):
            # torchvision's ResNet with the CIFAR stem and every stage's width scaled: its own _make_layer and forward
            def __init__(self, layers, width, in_ch):
                nn.Module.__init__(self)
                self._norm_layer = nn.BatchNorm2d
                self.inplanes, self.dilation, self.groups, self.base_width = width, 1, 1, 64
                self.conv1 = nn.Conv2d(in_ch, width, 3, 1, 1, bias=False)
                self.bn1 = nn.BatchNorm2d(width); self.relu = nn.ReLU(inplace=True); self.maxpool = nn.Identity()
                self.layer1 = self._make_layer(BasicBlock, width, layers[0])
                self.layer2 = self._make_layer(BasicBlock, width * 2, layers[1], stride=2)
                self.layer3 = self._make_layer(BasicBlock, width * 4, layers[2], stride=2)
                self.layer4 = self._make_layer(BasicBlock, width * 8, layers[3], stride=2)
                self.avgpool = nn.AdaptiveAvgPool2d(1); self.fc = nn.Identity()
        """;

    private const string Load = Model + "\n" + """
        weights, images, out_features, out_embeddings = sys.argv[1:5]
        card = json.load(open(weights + ".json"))
        arch = card["architecture"]
        state = torch.load(weights, map_location="cpu")
        backbone = CifarResNet([2, 2, 2, 2], arch["width"], arch["in_channels"])
        backbone.load_state_dict({k: v for k, v in state.items() if not k.startswith("projector.")}, strict=True)
        dims = arch["projector_dims"]
        projector = nn.Sequential(nn.Linear(dims[0], dims[1], bias=False), nn.BatchNorm1d(dims[1]), nn.ReLU(inplace=True), nn.Linear(dims[1], dims[2]))
        projector.load_state_dict({k[len("projector."):]: v for k, v in state.items() if k.startswith("projector.")}, strict=True)
        backbone.eval(); projector.eval()
        mean = torch.tensor(card["normalize"]["mean"]).view(1, -1, 1, 1)
        std = torch.tensor(card["normalize"]["std"]).view(1, -1, 1, 1)
        x = (torch.from_numpy(np.load(images)) - mean) / std
        with torch.no_grad():
            f = backbone(x)
            np.save(out_features, f.numpy().astype("<f4"))
            np.save(out_embeddings, projector(f).numpy().astype("<f4"))
        print("strict load ok:", len(state), "tensors")
        """;

    /// <summary>True (after saying so) when <see cref="Python"/> cannot import torch and torchvision: the test then passes without checking.</summary>
    private bool SkippedWithoutTorchvision()
    {
        if (File.Exists(Python) && RunPython(["-c", "import torch, torchvision"]).Code == 0) return false;
        output.WriteLine($"skipped: {Python} cannot import torch and torchvision");
        return true;
    }

    private static (int Code, string Output) RunPython(string[] args)
    {
        var psi = new ProcessStartInfo(Python) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var a in args) psi.ArgumentList.Add(a);
        psi.Environment["OMP_NUM_THREADS"] = "1";
        using var p = Process.Start(psi)!;
        var stdout = p.StandardOutput.ReadToEndAsync();
        string stderr = p.StandardError.ReadToEnd();
        if (!p.WaitForExit(TimeSpan.FromMinutes(3))) { p.Kill(true); return (-1, "python did not finish in 3 minutes"); }
        return (p.ExitCode, stdout.Result + stderr);
    }

    private void AssertClose(Tensor expected, Tensor actual, string what)
    {
        Assert.Equal(expected.shape, actual.shape);
        double error = (expected - actual).abs().max().item<float>(), scale = expected.abs().max().item<float>();
        output.WriteLine($"{what}: max difference {error:G3}, relative to the largest value {error / scale:G3}");
        Assert.True(error <= 1e-4 * scale, $"{what}: max difference {error} against a largest value of {scale}");
    }

    [Fact]
    public void PyTorch_loads_the_pt_export_strictly_into_torchvisions_resnet18_and_gets_the_same_features()
    {
        if (SkippedWithoutTorchvision()) return;
        using var dir = new TempDir();
        WeightExport.Export(trained.Run, dir.File("encoder.pt"), null, "encoder");
        var generator = new torch.Generator(7);
        using var images = torch.rand([12, 1, 28, 28], generator: generator);
        NpyFile.Write(dir.File("images.npy"), images);
        File.WriteAllText(dir.File("load.py"), Load);

        var (code, log) = RunPython([dir.File("load.py"), dir.File("encoder.pt"), dir.File("images.npy"), dir.File("f.npy"), dir.File("z.npy")]);
        output.WriteLine(log);
        Assert.True(code == 0, $"python failed:\n{log}");
        Assert.Contains("strict load ok", log);

        using var loaded = RunEncoder.Load(trained.Run);
        var preset = loaded.Config.ResolveAugmentation();
        using var features = Embeddings.OfImages(loaded.Encoder, images, preset, torch.CPU, projector: false, "images");
        using var embeddings = Embeddings.OfImages(loaded.Encoder, images, preset, torch.CPU, projector: true, "images");
        using var pyFeatures = NpyFile.Read(dir.File("f.npy"));
        using var pyEmbeddings = NpyFile.Read(dir.File("z.npy"));
        AssertClose(pyFeatures, features, "backbone features");
        AssertClose(pyEmbeddings, embeddings, "projector embeddings");
    }

    private const string Save = Model + "\n" + """
        images, out_weights, out_features, mean, std = sys.argv[1:6]
        torch.manual_seed(0)
        model = CifarResNet([2, 2, 2, 2], 8, 1)
        x = (torch.from_numpy(np.load(images)) - float(mean)) / float(std)
        with torch.no_grad():
            model.train(); model(x)  # running statistics and num_batches_tracked move away from their initial values
            model.eval()
            np.save(out_features, model(x).numpy().astype("<f4"))
        torch.save(model.state_dict(), out_weights)
        print("saved", len(model.state_dict()), "tensors")
        """;

    [Fact]
    public void A_state_dict_saved_by_PyTorch_from_torchvisions_resnet18_imports_and_gives_PyTorchs_features()
    {
        if (SkippedWithoutTorchvision()) return;
        using var dir = new TempDir();
        var generator = new torch.Generator(11);
        using var images = torch.rand([10, 1, 28, 28], generator: generator);
        NpyFile.Write(dir.File("images.npy"), images);
        File.WriteAllText(dir.File("save.py"), Save);
        var preset = SelfSup.Views.AugmentationPreset.ForName("fashion-mnist");
        var (code, log) = RunPython([dir.File("save.py"), dir.File("images.npy"), dir.File("tv.pt"), dir.File("f.npy"),
            preset.Mean[0].ToString("R", System.Globalization.CultureInfo.InvariantCulture), preset.Std[0].ToString("R", System.Globalization.CultureInfo.InvariantCulture)]);
        output.WriteLine(log);
        Assert.True(code == 0, $"python failed:\n{log}");

        WeightImport.Import(dir.File("tv.pt"), dir.File("run"), new ImportOptions { DataDir = trained.DataDir });
        using var loaded = RunEncoder.Load(new RunDirectory(dir.File("run")));
        Assert.Equal(8, loaded.Config.Width);
        using var features = Embeddings.OfImages(loaded.Encoder, images, loaded.Config.ResolveAugmentation(), torch.CPU, projector: false, "images");
        using var pyFeatures = NpyFile.Read(dir.File("f.npy"));
        AssertClose(pyFeatures, features, "features of the imported torchvision model");
    }
}

