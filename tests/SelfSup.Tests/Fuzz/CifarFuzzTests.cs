using System.Text;
using SelfSup.Data;
using SelfSup.Tests.Data;
using Xunit;
using Xunit.Abstractions;

namespace SelfSup.Tests.Fuzz;

/// <summary>
/// Hostile CIFAR-10 and CIFAR-100 binaries (extracted): a mutated record file or class-names file must give the
/// images and labels its bytes hold, or a one-line error naming it.
/// </summary>
public sealed class CifarFuzzTests(ITestOutputHelper output)
{
    private const int Cases = 1000, Records = 3;

    [Fact]
    public void MutatedCifar10BinariesAreReadCorrectlyOrRejectedClearly() =>
        Run("cifar10", "test_batch.bin", "batches.meta.txt", SyntheticDatasets.Cifar10(perBatch: 1, test: Records), labelBytes: 1, classes: 10, seed: 21);

    [Fact]
    public void MutatedCifar100BinariesAreReadCorrectlyOrRejectedClearly() =>
        Run("cifar100", "test.bin", "fine_label_names.txt", SyntheticDatasets.Cifar100(train: 1, test: Records), labelBytes: 2, classes: 100, seed: 22);

    private void Run(string dataset, string member, string namesMember, Dictionary<string, byte[]> members, int labelBytes, int classes, int seed)
    {
        using var dir = new FuzzDir();
        // only what the test split reads, plus the first train file that marks an extracted folder
        members = members.Where(m => m.Key == member || m.Key == namesMember || m.Key is "data_batch_1.bin" or "train.bin").ToDictionary();
        int recordBytes = labelBytes + CifarBinaryDataset.ImageBytes;
        // the label bytes of each record are the "header fields" of this format
        var fields = Enumerable.Range(0, Records).SelectMany(r => Enumerable.Range(0, labelBytes).Select(b => new FuzzField($"record {r} label byte {b}", r * recordBytes + b, 1))).ToArray();
        var mutator = new Mutator(seed, fields);
        var run = new FuzzRun(dataset + " binary", output);
        for (int i = 0; i < Cases; i++)
        {
            string caseDir = dir.File($"case{i}");
            bool names = mutator.Random.Next(8) == 0;
            string target = names ? namesMember : member;
            var mutation = mutator.Mutate(members[target], names ? [] : null);
            SyntheticDatasets.WriteFolder(caseDir, new Dictionary<string, byte[]>(members) { [target] = mutation.Bytes });
            run.Case(mutation with { Description = $"{target}: {mutation.Description}" }, Path.Combine(caseDir, target), () =>
            {
                using var data = DatasetCatalog.Open(dataset, caseDir, "test");
                return Check(data, File.ReadAllBytes(Path.Combine(caseDir, member)), File.ReadAllBytes(Path.Combine(caseDir, namesMember)), labelBytes, classes);
            });
            Directory.Delete(caseDir, recursive: true);
        }
        run.Finish();
    }

    /// <summary>What is wrong with an accepted split, judged from the record file's bytes; null when right.</summary>
    private static string? Check(ImageDataset data, byte[] records, byte[] namesFile, int labelBytes, int classes)
    {
        int recordBytes = labelBytes + CifarBinaryDataset.ImageBytes;
        if (records.Length == 0 || records.Length % recordBytes != 0) return $"accepted a {records.Length}-byte record file";
        int n = records.Length / recordBytes;
        if (!data.Images.shape.SequenceEqual([n, 3L, 32, 32])) return $"shape [{string.Join(",", data.Images.shape)}] for {n} records";
        var pixels = data.Images.contiguous().data<byte>().ToArray();
        for (int r = 0; r < n; r++)
        {
            int label = records[r * recordBytes + labelBytes - 1];           // CIFAR-100: the fine label is the second byte
            if (label >= classes) return $"accepted label {label} of record {r}";
            if (data.Labels[r] != label) return $"record {r} has label {data.Labels[r]}, the file says {label}";
            if (!pixels.AsSpan(r * CifarBinaryDataset.ImageBytes, CifarBinaryDataset.ImageBytes).SequenceEqual(records.AsSpan(r * recordBytes + labelBytes, CifarBinaryDataset.ImageBytes)))
                return $"record {r}'s pixels differ from the file";
        }
        var lines = Encoding.UTF8.GetString(namesFile).Split('\n').Select(l => l.Trim()).Where(l => l.Length > 0).ToArray();
        if (data.ClassCount != classes) return $"{data.ClassCount} classes, expected {classes}";
        if (data.ClassNames.Count != classes) return $"{data.ClassNames.Count} class names for {classes} classes";
        if (lines.Length == classes && !data.ClassNames.SequenceEqual(lines)) return "class names differ from the names file";
        return null;
    }
}
