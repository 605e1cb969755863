using System.Formats.Tar;
using System.IO.Compression;

namespace SelfSup.Data;

/// <summary>
/// Streams the regular files of a <c>.tar.gz</c> (or plain <c>.tar</c>) archive once, front to back
/// (System.Formats.Tar over GZipStream), turning every way an archive can be broken — not gzip, not a
/// tar, truncated, header numbers out of range, damaged compressed data — into a <see cref="SelfSupError"/>
/// that names the archive.
/// </summary>
/// <remarks>
/// The gzip CRC-32 in the trailer is the only check a tar.gz has on its contents, and zlib verifies it only
/// when the stream is read to its very end. TarReader stops at the end-of-archive blocks, before the trailer,
/// so every scan reads the rest of the stream too: a flipped bit in the compressed data is reported instead
/// of being cached as wrong pixels.
/// </remarks>
public static class TarArchive
{
    /// <summary>
    /// Calls <paramref name="visit"/> with (file name without folders, full member name, data, length) for each
    /// regular file in archive order; the data stream is valid only during the call. Stops when visit returns false.
    /// </summary>
    public static void Scan(string archivePath, Func<string, string, Stream, long, bool> visit)
    {
        try
        {
            using var file = File.OpenRead(archivePath);
            bool gzip = IsGzip(file);
            if (!gzip && !LooksLikeTar(file))
                throw new SelfSupError($"'{archivePath}' is not a valid tar.gz archive (it starts with neither the gzip nor a tar header); delete it and download it again (selfsup data download)");
            using Stream stream = gzip ? new GZipStream(file, CompressionMode.Decompress) : file;
            using (var reader = new TarReader(stream, leaveOpen: true))
            {
                while (reader.GetNextEntry() is { } entry)
                {
                    if (entry.EntryType is not (TarEntryType.RegularFile or TarEntryType.V7RegularFile)) continue;
                    var data = entry.DataStream ?? Stream.Null;
                    if (!visit(Path.GetFileName(entry.Name), entry.Name, data, entry.Length)) break;
                }
            }
            if (gzip) stream.CopyTo(Stream.Null);              // to the trailer, so that zlib checks the CRC
        }
        catch (Exception e) when (e is InvalidDataException or FormatException or EndOfStreamException or IOException or ArgumentException
            or OverflowException or NotSupportedException or UnauthorizedAccessException)
        {
            if (e is FileNotFoundException or DirectoryNotFoundException or UnauthorizedAccessException)
                throw new SelfSupError($"cannot read archive '{archivePath}' ({e.Message.TrimEnd('.')})");
            string what = e is EndOfStreamException || e.Message.Contains("end of", StringComparison.OrdinalIgnoreCase)
                ? "is truncated" : "is not a valid tar.gz archive";
            string detail = e is OverflowException ? "a number in a member header is out of range" : e.Message.ReplaceLineEndings(" ").TrimEnd('.');
            throw new SelfSupError($"'{archivePath}' {what} ({detail}); delete it and download it again (selfsup data download)");
        }
    }

    /// <summary>
    /// Lists the regular files: file name (without folders) → length in bytes. Reads the whole archive. When two
    /// members share a file name the first counts, as in <see cref="DatasetFiles.Read"/>.
    /// </summary>
    public static Dictionary<string, long> List(string archivePath)
    {
        var sizes = new Dictionary<string, long>();
        Scan(archivePath, (name, _, _, length) => { sizes.TryAdd(name, length); return true; });
        return sizes;
    }

    private static bool LooksLikeTar(FileStream file)
    {
        var block = new byte[512];
        int got = file.ReadAtLeast(block, 512, throwOnEndOfStream: false);
        file.Position = 0;
        return got == 512 && block.AsSpan(257, 5).SequenceEqual("ustar"u8);
    }

    private static bool IsGzip(FileStream file)
    {
        var head = new byte[2];
        int got = file.Read(head, 0, 2);
        file.Position = 0;
        return got == 2 && head[0] == 0x1f && head[1] == 0x8b;
    }
}
