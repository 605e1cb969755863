namespace SelfSup.Data;

/// <summary>CIFAR-10 binary files of random pixels (labels 0–9 in turn), for throughput runs and self-checks without data.</summary>
public static class SyntheticCifar
{
    /// <summary>Writes <paramref name="count"/> training images over <c>data_batch_1..5.bin</c> in <paramref name="dir"/>; returns the folder.</summary>
    public static string Write(string dir, int count, int seed = 0)
    {
        Directory.CreateDirectory(dir);
        var rng = new Random(seed);
        var record = new byte[1 + 3072];
        for (int b = 0; b < 5; b++)
        {
            using var file = File.Create(Path.Combine(dir, $"data_batch_{b + 1}.bin"));
            int n = count / 5 + (b < count % 5 ? 1 : 0);
            for (int i = 0; i < n; i++)
            {
                rng.NextBytes(record);
                record[0] = (byte)(i % 10);
                file.Write(record);
            }
        }
        return dir;
    }
}
