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
        var source = new DataSourceOptions();
        var command = new Command("views", "Write a PNG grid: rows are images, columns the original and its M augmented views.");
        foreach (var o in new Option[] { dataset, dataDir, augment, views, count, seed, scale, output }) command.Options.Add(o);
        source.AddTo(command);
        command.SetAction(r =>
        {
            int m = r.GetValue(views), n = r.GetValue(count);
            if (m < 2) throw new SelfSupError($"--views {m}: multi-view SSL needs at least 2 views per image");
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
            var sampled = new ViewSampler(preset, m).Sample(images, generator);
            string path = r.GetValue(output)!;
            ViewGrid.WritePng(images, sampled, preset, path, r.GetValue(scale));
            Console.WriteLine($"wrote {path}: {n} images × (original + {m} views), preset {preset.Name}");
            return 0;
        });
        return command;
    }
}
