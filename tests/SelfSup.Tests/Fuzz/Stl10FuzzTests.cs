using SelfSup.Data;
using SelfSup.Tests.Data;
using Xunit;
using Xunit.Abstractions;

namespace SelfSup.Tests.Fuzz;

/// <summary>
/// Hostile STL-10 binaries (extracted): a mutated test_X.bin or test_y.bin must give the images (transposed from
/// column-major) and labels its bytes hold, or a one-line error naming it.
/// </summary>
public sealed class Stl10FuzzTests(ITestOutputHelper output)
{
    private const int Cases = 1000, Images = 2;

    [Fact]
    public void MutatedStl10BinariesAreReadCorrectlyOrRejectedClearly()
    {
        using var dir = new FuzzDir();
        var members = SyntheticDatasets.Stl10(train: 1, test: Images, unlabeled: 1);
        members.Remove("unlabeled_X.bin");
        var labelFields = Enumerable.Range(0, Images).Select(k => new FuzzField($"label {k}", k, 1)).ToArray();
        var mutator = new Mutator(31);
        var run = new FuzzRun("stl10 binary", output);
        for (int i = 0; i < Cases; i++)
        {
            string caseDir = dir.File($"case{i}");
            string target = mutator.Random.Next(3) switch { 0 => "test_X.bin", 1 => "test_y.bin", _ => "class_names.txt" };
            var mutation = mutator.Mutate(members[target], target == "test_y.bin" ? labelFields : []);
            SyntheticDatasets.WriteFolder(caseDir, new Dictionary<string, byte[]>(members) { [target] = mutation.Bytes });
            run.Case(mutation with { Description = $"{target}: {mutation.Description}" }, Path.Combine(caseDir, target), () =>
            {
                using var data = DatasetCatalog.Open("stl10", caseDir, "test");
                return Check(data, File.ReadAllBytes(Path.Combine(caseDir, "test_X.bin")), File.ReadAllBytes(Path.Combine(caseDir, "test_y.bin")));
            });
            Directory.Delete(caseDir, recursive: true);
        }
        run.Finish();
    }

    /// <summary>What is wrong with an accepted split, judged from the two files' bytes; null when right.</summary>
    private static string? Check(ImageDataset data, byte[] x, byte[] y)
    {
        const int s = Stl10BinaryDataset.Side, bytes = Stl10BinaryDataset.ImageBytes;
        if (x.Length == 0 || x.Length % bytes != 0) return $"accepted a {x.Length}-byte test_X.bin";
        int n = x.Length / bytes;
        if (y.Length != n) return $"accepted {y.Length} labels for {n} images";
        if (!data.Images.shape.SequenceEqual([n, 3L, s, s])) return $"shape [{string.Join(",", data.Images.shape)}] for {n} images";
        var pixels = data.Images.contiguous().data<byte>().ToArray();
        for (int k = 0; k < n; k++)
        {
            if (y[k] is < 1 or > 10) return $"accepted label byte {y[k]}";
            if (data.Labels[k] != y[k] - 1) return $"image {k} has label {data.Labels[k]}, the file says {y[k] - 1}";
            for (int c = 0; c < 3; c++)
                for (int row = 0; row < s; row += 5)
                    for (int col = 0; col < s; col += 3)
                        if (pixels[k * bytes + c * s * s + row * s + col] != x[k * bytes + c * s * s + col * s + row])
                            return $"image {k} pixel ({c},{row},{col}) is not the file's column-major byte";
        }
        return null;
    }
}
