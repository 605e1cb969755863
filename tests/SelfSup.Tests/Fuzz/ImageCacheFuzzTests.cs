using System.Collections.Concurrent;
using SelfSup.Data;
using SelfSup.Tests.Data;
using Xunit;
using Xunit.Abstractions;

namespace SelfSup.Tests.Fuzz;

/// <summary>
/// Hostile image cache files: a built CIFAR-10 cache damaged in place (truncated, flipped, header sizes and the
/// length, label and names fields set huge, negative or zero) must be reported and rebuilt — the split then
/// holds the source's images and labels and the file is byte for byte the cache first built — or fail with a
/// one-line error naming it; never give wrong images.
/// </summary>
public sealed class ImageCacheFuzzTests(ITestOutputHelper output)
{
    private const int Cases = 1000, Records = 3;

    [Fact]
    public void MutatedCacheFilesAreRebuiltOrRejectedClearly()
    {
        using var dir = new FuzzDir();
        SyntheticDatasets.WriteFolder(dir.Path, SyntheticDatasets.Cifar10(perBatch: 1, test: Records));
        ImageDataset Open() => DatasetCatalog.Open("cifar10", dir.Path, "test");
        byte[] expected;
        using (var first = Open()) expected = first.Images.contiguous().data<byte>().ToArray();
        string cache = Directory.GetFiles(Path.Combine(dir.Path, ".selfsup-cache"), "*.cache").Single();
        var original = File.ReadAllBytes(cache);
        long labelsAt = ImageCache.HeaderBytes + Records * CifarBinaryDataset.ImageBytes;
        FuzzField[] fields =
        [
            new("version", 8, 4), new("channels", 12, 4), new("height", 16, 4), new("width", 20, 4), new("count", 24, 8),
            new("class count", 32, 4), new("file length", 72, 8), new("checksum", 80, 8), new("names length", (int)labelsAt + 4 * Records, 4),
            .. Enumerable.Range(0, Records).Select(r => new FuzzField($"label {r}", (int)labelsAt + 4 * r, 4)),
        ];

        var warnings = new ConcurrentQueue<string>();
        void Collect(string message) { if (message.Contains(dir.Path)) warnings.Enqueue(message); }
        ImageCache.Warning += Collect;
        try
        {
            var mutator = new Mutator(81, fields);
            var run = new FuzzRun("image cache", output);
            for (int i = 0; i < Cases; i++)
            {
                var mutation = mutator.Mutate(original);
                File.WriteAllBytes(cache, mutation.Bytes);
                warnings.Clear();
                run.Case(mutation, cache, () =>
                {
                    using (var data = Open())
                    {
                        if (!data.Labels.SequenceEqual(Enumerable.Range(0, Records).Select(k => k % 10))) return "labels differ from the source";
                        if (!data.Images.contiguous().data<byte>().ToArray().SequenceEqual(expected)) return "images differ from the source";
                    }
                    bool changed = !mutation.Bytes.AsSpan().SequenceEqual(original);
                    if (changed && !warnings.Any(w => w.Contains(cache) && !w.Contains('\n'))) return "a damaged cache was used or rebuilt without a one-line warning naming it";
                    if (!changed && !warnings.IsEmpty) return "an intact cache was reported as damaged";
                    return File.ReadAllBytes(cache).AsSpan().SequenceEqual(original) ? null : "the rebuilt cache differs from the first build";
                });
            }
            run.Finish();
        }
        finally
        {
            ImageCache.Warning -= Collect;
        }
    }
}
