using System.IO.Compression;

namespace SelfSup.Tests.Fuzz;

/// <summary>Gzip in memory for the fuzz tests: compress an original, and decompress what a reader accepted to check it.</summary>
public static class Gzip
{
    public static byte[] Compress(byte[] raw)
    {
        using var result = new MemoryStream();
        using (var gz = new GZipStream(result, CompressionLevel.Fastest)) gz.Write(raw);
        return result.ToArray();
    }

    /// <summary>The decompressed bytes of a gzip file, the bytes themselves when they are not gzip, null when they do not decompress.</summary>
    public static byte[]? DecompressIfGzip(byte[] file)
    {
        if (file.Length < 2 || file[0] != 0x1f || file[1] != 0x8b) return file;
        try
        {
            using var gz = new GZipStream(new MemoryStream(file), CompressionMode.Decompress);
            using var result = new MemoryStream();
            gz.CopyTo(result);
            return result.ToArray();
        }
        catch (InvalidDataException) { return null; }
    }
}
