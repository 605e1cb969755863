using System.CommandLine;
using SelfSup.Data;
using SelfSup.Views;
using TorchSharp;

namespace SelfSup.Cli;

/// <summary><c>selfsup views</c>: draw M augmented views of a few images into a PNG grid.</summary>
public static class ViewsCommand
{
    public static Command Create()
    {
        var dataset = new Option<string>("--dataset") { Description = "Dataset: fashion-mnist, cifar10, cifar100, stl10, imagefolder, folder", DefaultValueFactory = _ => "fashion-mnist" };
        var dataDir = new Option<string?>("--data-dir") { Description = "Folder holding the dataset files" };
        var augment = new Option<string?>("--augment") { Description = "Augmentation preset (default: the dataset's)" };
        var views = new Option<int>("--views") { Description = "Views per image, M >= 2", DefaultValueFactory = _ => 4 };
        var count = new Option<int>("--count") { Description = "Number of images (rows)", DefaultValueFactory = _ => 8 };
        var seed = new Option<int>("--seed") { Description = "Seed for the image choice and the augmentations", DefaultValueFactory = _ => 0 };
        var scale = new Option<int>("--scale") { Description = "Pixel upscaling factor in the PNG", DefaultValueFactory = _ => 3 };
        var output = new Option<string>("--out") { Description = "PNG file to write", DefaultValueFactory = _ => "views.png" };
        var smallCrops = new Option<int>("--small-crops") { Description = "Multi-crop: this many small crops per image, shown enlarged after the full views", DefaultValueFactory = _ => 0 };
        var smallCropSize = new Option<int>("--small-crop-size") { Description = "Side of the small crops (default: half the full views')" };
        var source = new DataSourceOptions();
        var command = new Command("views", "Write a PNG grid: rows are images, columns the original and its M augmented views.");
        foreach (var o in new Option[] { dataset, dataDir, augment, views, count, seed, scale, output, smallCrops, smallCropSize }) command.Options.Add(o);
        source.AddTo(command);
        command.SetAction(r =>
        {
            int m = r.GetValue(views), n = r.GetValue(count);
            ViewSampler.CheckViews(m);
            if (n < 1) throw new SelfSupError($"--count {n} must be at least 1");
            string name = r.GetValue(dataset)!;
            var options = source.Read(r);
            options.Validate(name);
            var preset = AugmentationPreset.ForName(r.GetValue(augment) ?? name);
            using var data = DatasetCatalog.Open(name, r.GetValue(dataDir), DatasetCatalog.PretrainSplit(name, options), options);
            var rng = new Random(r.GetValue(seed));
            var indices = Enumerable.Range(0, n).Select(_ => rng.Next(data.Count)).ToArray();
            using var scope = torch.NewDisposeScope();
            var images = data.Gather(indices);
            using var generator = new torch.Generator((ulong)r.GetValue(seed));
            int k = r.GetValue(smallCrops);
            var small = k > 0 ? new SmallCrops(k, r.GetValue(smallCropSize) is > 0 and var s ? s : SmallCrops.DefaultSize(preset), SmallCrops.DefaultScaleMin, SmallCrops.DefaultScaleMax) : null;
            var sampler = new ViewSampler(preset, m, small);
            var batch = sampler.SampleBatch(images, ViewKeys.From(generator, n * sampler.KeysPerImage));
            var sampled = batch.Small is null ? batch.Full : torch.cat([batch.Full, Enlarged(batch.Small, preset.CropSize)], 1);
            string path = r.GetValue(output)!;
            ViewGrid.WritePng(images, sampled, preset, path, r.GetValue(scale));
            Console.WriteLine($"wrote {path}: {n} images × (original + {m} views{(k > 0 ? $" + {k} small crops of {sampler.SmallCropSize} px, shown enlarged" : "")}), preset {preset.Name}");
            return 0;
        });
        return command;
    }

    /// <summary>N×K×C×s×s small crops at the full views' side S (nearest neighbour, so their pixels stay visible).</summary>
    private static TorchSharp.torch.Tensor Enlarged(TorchSharp.torch.Tensor small, int side)
    {
        long n = small.shape[0], k = small.shape[1], c = small.shape[2];
        var flat = small.reshape(n * k, c, small.shape[3], small.shape[4]);
        return TorchSharp.torch.nn.functional.interpolate(flat, [side, side], mode: TorchSharp.torch.InterpolationMode.Nearest).reshape(n, k, c, side, side);
    }
}
