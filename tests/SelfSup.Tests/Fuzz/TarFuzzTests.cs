using System.Text;
using SelfSup.Data;
using SelfSup.Tests.Data;
using Xunit;
using Xunit.Abstractions;

namespace SelfSup.Tests.Fuzz;

/// <summary>
/// Hostile tar and tar.gz archives, read as a packed CIFAR-10 (TarArchive through DatasetFiles): damaged compressed
/// bytes, damaged tar headers (sizes set huge or negative, with the header checksum made right again so the
/// damage reaches the size parser), truncation. Each must give the images the archive really holds or a
/// one-line error naming the archive.
/// </summary>
public sealed class TarFuzzTests(ITestOutputHelper output)
{
    private const int Cases = 1000, Records = 2, RecordBytes = 1 + CifarBinaryDataset.ImageBytes;

    [Fact]
    public void MutatedTarArchivesAreReadCorrectlyOrRejectedClearly()
    {
        using var dir = new FuzzDir();
        var members = SyntheticDatasets.Cifar10(perBatch: 1, test: Records);
        var packed = members.Where(m => m.Key is "test_batch.bin" or "batches.meta.txt").ToDictionary();
        SyntheticDatasets.WriteTarGz(dir.File("original.tar.gz"), "cifar-10-batches-bin", packed);
        byte[] tar = Gzip.DecompressIfGzip(File.ReadAllBytes(dir.File("original.tar.gz")))!;
        var headers = HeaderOffsets(tar);
        int dataAt = headers.Single(h => HeaderName(tar, h).EndsWith("test_batch.bin")) + 512;
        var fields = headers.SelectMany(h => new[]
        {
            new FuzzField($"size@{h}", h + 124, 12, Octal: true), new FuzzField($"mode@{h}", h + 100, 8, Octal: true),
            new FuzzField($"mtime@{h}", h + 136, 12, Octal: true), new FuzzField($"typeflag@{h}", h + 156, 1),
            new FuzzField($"checksum@{h}", h + 148, 8, Octal: true),
        }).ToArray();
        var expected = members["test_batch.bin"];

        var mutator = new Mutator(41, fields);
        var run = new FuzzRun("tar / tar.gz", output);
        for (int i = 0; i < Cases; i++)
        {
            string caseDir = dir.File($"case{i}");
            Directory.CreateDirectory(caseDir);
            string archive = Path.Combine(caseDir, "cifar-10-binary.tar.gz");
            int variant = mutator.Random.Next(3);                  // 0: plain tar, 1: damaged tar gzipped, 2: damaged gzip bytes
            Mutation mutation;
            if (variant == 2)
            {
                mutation = mutator.Mutate(File.ReadAllBytes(dir.File("original.tar.gz")), []);
                File.WriteAllBytes(archive, mutation.Bytes);
            }
            else
            {
                mutation = mutator.Mutate(tar);
                // field changes (and half the flips) come with checksums made right, so they reach the field parsers
                bool fix = mutation.Kind == "field" || (mutation.Kind is "flip" or "multi" && mutator.Random.Next(2) == 0);
                var bytes = fix ? FixChecksums(mutation.Bytes, headers, mutation.Description) : mutation.Bytes;
                File.WriteAllBytes(archive, variant == 0 ? bytes : Gzip.Compress(bytes));
            }
            string what = variant switch { 0 => "tar", 1 => "tar in gzip", _ => "gzip bytes" };
            run.Case(mutation with { Description = $"{what}: {mutation.Description}" }, archive, () =>
            {
                using var data = DatasetCatalog.Open("cifar10", archive, "test");
                // damaged gzip bytes may only be accepted when they still decode to the original; a damaged tar
                // must give the records that are at test_batch.bin's place in it
                byte[]? inner = variant == 2 ? tar : Gzip.DecompressIfGzip(File.ReadAllBytes(archive));
                return Check(data, variant == 2 ? expected : inner is null || inner.Length < dataAt + expected.Length ? null : inner[dataAt..(dataAt + expected.Length)]);
            });
            Directory.Delete(caseDir, recursive: true);
        }
        run.Finish();
    }

    private static string? Check(ImageDataset data, byte[]? records)
    {
        if (records is null) return "accepted an archive that does not hold test_batch.bin's records";
        if (!data.Images.shape.SequenceEqual([Records, 3L, 32, 32])) return $"shape [{string.Join(",", data.Images.shape)}] for {Records} records";
        var pixels = data.Images.contiguous().data<byte>().ToArray();
        for (int r = 0; r < Records; r++)
        {
            if (data.Labels[r] != records[r * RecordBytes]) return $"record {r} has label {data.Labels[r]}, the archive says {records[r * RecordBytes]}";
            if (!pixels.AsSpan(r * CifarBinaryDataset.ImageBytes, CifarBinaryDataset.ImageBytes).SequenceEqual(records.AsSpan(r * RecordBytes + 1, CifarBinaryDataset.ImageBytes)))
                return $"record {r}'s pixels differ from the archive";
        }
        return null;
    }

    /// <summary>Offsets of the header blocks of an intact ustar archive.</summary>
    private static List<int> HeaderOffsets(byte[] tar)
    {
        var offsets = new List<int>();
        for (int at = 0; at + 512 <= tar.Length && tar[at] != 0;)
        {
            offsets.Add(at);
            long size = Convert.ToInt64(Encoding.ASCII.GetString(tar, at + 124, 11), 8);
            at += 512 + (int)((size + 511) / 512 * 512);
        }
        return offsets;
    }

    private static string HeaderName(byte[] tar, int at) => Encoding.ASCII.GetString(tar, at, 100).TrimEnd('\0');

    /// <summary>Recomputes the checksum of every header block still present, unless the mutation set a checksum on purpose.</summary>
    private static byte[] FixChecksums(byte[] tar, List<int> headers, string description)
    {
        if (description.Contains("checksum@")) return tar;
        var bytes = (byte[])tar.Clone();
        foreach (int h in headers.Where(h => h + 512 <= bytes.Length))
        {
            bytes.AsSpan(h + 148, 8).Fill((byte)' ');
            int sum = 0;
            for (int k = 0; k < 512; k++) sum += bytes[h + k];
            Encoding.ASCII.GetBytes(Convert.ToString(sum, 8).PadLeft(6, '0') + "\0 ").CopyTo(bytes, h + 148);
        }
        return bytes;
    }
}
