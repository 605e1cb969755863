using System.Buffers.Binary;
using System.IO.Compression;

namespace SelfSup.Data;

/// <summary>
/// Reader for the idx format of (Fashion-)MNIST: big-endian magic 0x00 0x00 type rank,
/// then <c>rank</c> big-endian int32 sizes, then the uint8 data. Gzip is detected by its magic bytes.
/// The sizes are checked before anything is allocated: each must be positive, and their product must be
/// exactly the bytes the file holds after its header (raw), or at most what gzip can expand the file to
/// (deflate's limit is 1032:1) — so a damaged size field is reported, never trusted.
/// </summary>
public static class IdxFile
{
    /// <summary>The most deflate can expand data by (zlib technical details); bounds what a .gz file can hold.</summary>
    private const long MaxDeflateRatio = 1032;

    public static (byte[] Data, int[] Dims) Read(string path, int expectedRank)
    {
        try
        {
            using var file = File.OpenRead(path);
            var head = new byte[2];
            int got = file.ReadAtLeast(head, 2, throwOnEndOfStream: false);
            file.Position = 0;
            bool gzip = got == 2 && head[0] == 0x1f && head[1] == 0x8b;
            using Stream stream = gzip ? new GZipStream(file, CompressionMode.Decompress) : file;

            var magic = new byte[4];
            if (stream.ReadAtLeast(magic, 4, throwOnEndOfStream: false) < 4 || magic[0] != 0 || magic[1] != 0 || magic[2] != 0x08)
                throw new SelfSupError($"'{path}' does not start with the idx magic for uint8 data (00 00 08 rank); it is not an idx file — check `data_dir`");
            int rank = magic[3];
            if (rank != expectedRank)
                throw new SelfSupError($"'{path}' holds a rank-{rank} idx array; expected rank {expectedRank} (images are rank 3, labels rank 1) — the file names may be swapped");
            var sizes = new byte[4 * rank];
            if (stream.ReadAtLeast(sizes, sizes.Length, throwOnEndOfStream: false) < sizes.Length)
                throw new SelfSupError($"'{path}' is truncated inside its header; reinstall it");
            var dims = new int[rank];
            for (int i = 0; i < rank; i++)
            {
                dims[i] = BinaryPrimitives.ReadInt32BigEndian(sizes.AsSpan(4 * i));
                if (dims[i] < 1)
                    throw new SelfSupError($"'{path}' declares size {dims[i]} for dimension {i} of its header; sizes must be positive — the file is corrupt, reinstall it");
            }

            long headerBytes = 4 + sizes.Length;
            long limit = gzip ? file.Length * MaxDeflateRatio : file.Length - headerBytes;
            long count = 1;
            foreach (int d in dims)
            {
                count *= d;                                   // ≤ 2^31 · 2^31 before the check below: no overflow
                if (count > limit || count > Array.MaxLength)
                    throw new SelfSupError($"'{path}' declares {string.Join("×", dims)} bytes of data, more than the file {(gzip ? "can expand to" : "holds")} ({limit} bytes); the file is truncated or its header is corrupt — reinstall it");
            }
            var data = new byte[count];
            int read = stream.ReadAtLeast(data, data.Length, throwOnEndOfStream: false);
            if (read < data.Length)
                throw new SelfSupError($"'{path}' should hold {count} bytes of data after its header but has {read}; the file is truncated or corrupt — reinstall it");
            if (stream.Read(new byte[1]) != 0)                // also takes gzip through its CRC check
                throw new SelfSupError($"'{path}' holds more than the {count} bytes of data its header declares ({string.Join("×", dims)}); the file is corrupt — reinstall it");
            return (data, dims);
        }
        catch (Exception e) when (e is InvalidDataException or EndOfStreamException or IOException or UnauthorizedAccessException)
        {
            throw new SelfSupError($"'{path}' is not a readable idx/gzip file ({e.Message.ReplaceLineEndings(" ").TrimEnd('.')}); the download is probably corrupt — delete it and reinstall (apt-get install --reinstall dataset-fashion-mnist)");
        }
    }
}
