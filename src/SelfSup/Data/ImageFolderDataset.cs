using System.Runtime.ExceptionServices;

namespace SelfSup.Data;

/// <summary>
/// Image files on disk, JPEG or PNG (decoded with SkiaSharp):
/// <list type="bullet">
/// <item><c>imagefolder</c> — an ImageFolder tree, <c>ROOT/train/&lt;class&gt;/*.jpg</c> and
/// <c>ROOT/val/&lt;class&gt;/*.jpg</c>; classes (labels in sorted name order) are the folder names of <c>train/</c>, or those
/// named by a class-list file (one folder name per line — this is how ImageNet-100 is defined);</item>
/// <item><c>folder</c> — unlabelled images anywhere under a folder (pretraining only).</item>
/// </list>
/// Decoding a JPEG per view per epoch is what makes SSL data-bound, so the first use decodes every image
/// once into an <see cref="ImageCache"/>: resized so the short side is the cache side (default 144),
/// centre-cropped to a square of that side, uint8 — and later epochs memory-map it. Folders whose names
/// start with '.' (such as the cache's own <c>.selfsup-cache</c>) are skipped.
/// </summary>
public static class ImageFolderDataset
{
    public static readonly string[] Splits = ["train", "val"];

    /// <summary>Loads <paramref name="split"/> ("train" or "val") of the ImageFolder tree at <paramref name="root"/>.</summary>
    public static ImageDataset Load(string root, string split, int side = 144, string? classList = null)
    {
        var (classes, files) = Scan(root, split, classList);
        var key = new CacheKey("imagefolder").Add("split", split, "side", side.ToString()).Add(["classes", .. classes]);
        string splitDir = Path.Combine(root, split);
        foreach (var (path, label) in files) key.AddFile(path, Path.GetRelativePath(splitDir, path));
        string cacheName = classList is null ? "imagefolder" : "imagefolder-" + Path.GetFileNameWithoutExtension(classList);
        return Build("imagefolder", cacheName, split, root, key, files, side, classes);
    }

    /// <summary>Loads every image under <paramref name="dir"/>, unlabelled (label −1).</summary>
    public static ImageDataset LoadUnlabeled(string dir, int side = 144)
    {
        var files = ScanUnlabeled(dir);
        var key = new CacheKey("folder").Add("side", side.ToString());
        foreach (var path in files) key.AddFile(path, Path.GetRelativePath(dir, path));
        return Build("folder", "folder", "train", dir, key, files.Select(p => (p, -1)).ToList(), side, []);
    }

    /// <summary>
    /// The classes (sorted folder names) and the (file, label) pairs of a split, sorted by class then path.
    /// Throws naming the folder or file when the tree is not usable.
    /// </summary>
    public static (IReadOnlyList<string> Classes, List<(string Path, int Label)> Files) Scan(string root, string split, string? classList = null)
    {
        if (!Splits.Contains(split)) throw new SelfSupError($"imagefolder has splits 'train' and 'val', not '{split}'");
        if (!Directory.Exists(root))
            throw new SelfSupError($"data directory '{root}' does not exist; pass `data_dir` ROOT where ROOT/train/<class>/ and ROOT/val/<class>/ hold the images");
        string trainDir = Path.Combine(root, "train"), splitDir = Path.Combine(root, split);
        foreach (var dir in new[] { trainDir, splitDir })
            if (!Directory.Exists(dir))
                throw new SelfSupError($"'{dir}' does not exist; an imagefolder `data_dir` holds train/ and val/ side by side, each with one subfolder per class");

        List<string> classes;
        if (classList is not null)
        {
            classes = ReadClassList(classList);
            foreach (var c in classes)
                if (!Directory.Exists(Path.Combine(trainDir, c)))
                    throw new SelfSupError($"`class_list` '{classList}' names class '{c}', but '{Path.Combine(trainDir, c)}' does not exist; fix the list or the tree");
        }
        else
        {
            classes = Directory.EnumerateDirectories(trainDir).Select(Path.GetFileName).Where(n => !n!.StartsWith('.')).Select(n => n!).ToList();
            if (classes.Count == 0) throw new SelfSupError($"'{trainDir}' has no class folders; put each class's images in train/<class>/");
        }
        classes.Sort(StringComparer.Ordinal);

        var files = new List<(string, int)>();
        for (int label = 0; label < classes.Count; label++)
        {
            string dir = Path.Combine(splitDir, classes[label]);
            if (!Directory.Exists(dir))
                throw new SelfSupError($"class '{classes[label]}' has no folder '{dir}'; every class of train/ needs one in {split}/ too{(classList is null ? "" : $" (class list '{classList}')")}");
            var images = ImagesUnder(dir);
            if (images.Count == 0)
                throw new SelfSupError($"class folder '{dir}' has no images ({string.Join(", ", ImageDecoder.Extensions)}); add images, remove the folder{(classList is null ? "" : ", or drop it from --class-list")}");
            files.AddRange(images.Select(p => (p, label)));
        }
        return (classes, files);
    }

    /// <summary>Every image file under <paramref name="dir"/>, sorted.</summary>
    public static List<string> ScanUnlabeled(string dir)
    {
        if (!Directory.Exists(dir)) throw new SelfSupError($"data directory '{dir}' does not exist; pass `data_dir` with the image files (JPEG/PNG, any subfolders)");
        var files = ImagesUnder(dir);
        if (files.Count == 0) throw new SelfSupError($"'{dir}' holds no images ({string.Join(", ", ImageDecoder.Extensions)}); pass `data_dir` with the image files");
        return files;
    }

    /// <summary>Class folder names from a class-list file: one per line; blank lines and lines starting with '#' are skipped.</summary>
    public static List<string> ReadClassList(string path)
    {
        if (!File.Exists(path)) throw new SelfSupError($"`class_list` '{path}' does not exist; give a text file with one class folder name per line");
        var names = File.ReadAllLines(path).Select(l => l.Trim()).Where(l => l.Length > 0 && !l.StartsWith('#')).ToList();
        if (names.Count == 0) throw new SelfSupError($"`class_list` '{path}' names no classes; put one class folder name per line");
        var duplicate = names.GroupBy(n => n).FirstOrDefault(g => g.Count() > 1);
        if (duplicate is not null) throw new SelfSupError($"`class_list` '{path}' names class '{duplicate.Key}' twice; each class once");
        var bad = names.FirstOrDefault(n => n.Contains('/') || n.Contains('\\') || n is "." or "..");
        if (bad is not null) throw new SelfSupError($"`class_list` '{path}' line '{bad}' is not a folder name; give bare class folder names (e.g. n01440764)");
        return names;
    }

    /// <summary>
    /// Decodes <paramref name="files"/> (in parallel, in chunks of at most <paramref name="chunk"/> images and
    /// <see cref="MaxChunkBytes"/>) and hands each square CHW image to <paramref name="take"/>(index, bytes) in
    /// order. Used to build the cache, and by the benchmark to time decoding every epoch.
    /// </summary>
    public static void DecodeAll(IReadOnlyList<string> files, int side, Action<int, ReadOnlySpan<byte>> take, int chunk = 256)
    {
        int bytes = 3 * side * side;
        chunk = Math.Max(1, Math.Min(Math.Min(chunk, files.Count), MaxChunkBytes / bytes));
        var buffer = new byte[chunk * bytes];
        for (int start = 0; start < files.Count; start += chunk)
        {
            int count = Math.Min(chunk, files.Count - start);
            try
            {
                Parallel.For(0, count, i => ImageDecoder.DecodeSquare(files[start + i], side, buffer.AsSpan(i * bytes, bytes)));
            }
            catch (AggregateException e) when (e.InnerExceptions.OfType<SelfSupError>().FirstOrDefault() is { } first)
            {
                ExceptionDispatchInfo.Throw(first);
            }
            for (int i = 0; i < count; i++) take(start + i, buffer.AsSpan(i * bytes, bytes));
        }
    }

    /// <summary>Most bytes of decoded images held at once by <see cref="DecodeAll"/> (256 images of side 144 are 16 MB; of side 1024, 805 MB).</summary>
    public const int MaxChunkBytes = 32 << 20;

    private static ImageDataset Build(string name, string cacheName, string split, string root, CacheKey key,
        List<(string Path, int Label)> files, int side, IReadOnlyList<string> classes) =>
        ImageCache.OpenOrBuild(name, split, root, key, builder =>
        {
            builder.Begin(files.Count, 3, side, side, classes);
            DecodeAll(files.Select(f => f.Path).ToList(), side, (i, chw) => builder.Write(i, chw, files[i].Label));
        }, cacheName);

    private static List<string> ImagesUnder(string dir)
    {
        var found = new List<string>();
        var pending = new Stack<string>();
        pending.Push(dir);
        while (pending.Count > 0)
        {
            var d = pending.Pop();
            foreach (var sub in Directory.EnumerateDirectories(d))
                if (!Path.GetFileName(sub).StartsWith('.')) pending.Push(sub);
            found.AddRange(Directory.EnumerateFiles(d).Where(ImageDecoder.IsImage));
        }
        found.Sort(StringComparer.Ordinal);
        return found;
    }
}
