using System.Buffers.Binary;
using System.IO.Hashing;
using System.Text;
using Microsoft.Win32.SafeHandles;
using TorchSharp;
using static TorchSharp.torch;

namespace SelfSup.Data;

/// <summary>
/// The compact cache every packed or encoded source (CIFAR, STL-10, image folders) is read through: the
/// first use decodes the source once into one file of fixed-size uint8 images; every later use
/// memory-maps that file (<c>torch.from_file</c>, a private read-only mapping), so no epoch decodes
/// anything and pages are read lazily by the operating system — ImageNet-100 at 144² (≈ 7.8 GB) never
/// has to fit in memory.
/// <para>
/// File layout (little-endian): a 4096-byte header — magic <c>SSLCACHE</c>, int32 version, int32 C, H, W,
/// int64 N, int32 class count, int32 reserved, the 32-byte SHA-256 of the source key, int64 file length,
/// the 16-byte XxHash128 of the whole file and the 16-byte XxHash128 of a sample of it (both computed with
/// these two fields zeroed) — then N·C·H·W image bytes (row-major N×C×H×W), then N int32 labels
/// (−1 = unlabelled), then an int32 byte length and the UTF-8 class names joined by '\n'.
/// </para>
/// <para>
/// Every open checks the file: its layout against its length, then the whole-file checksum when the file is at
/// most <see cref="FullCheckBytes"/>, else the sample checksum (the header, the length, 256 blocks of 64 KiB
/// spread evenly over the images, and all labels and names); <see cref="Verify"/> or
/// <c>SELFSUP_CACHE_VERIFY=full</c> checks a large cache in full. A damaged or truncated cache is reported in
/// one line naming it (<see cref="Warning"/>) and rebuilt from the source.
/// </para>
/// <para>
/// The file is named <c>&lt;name&gt;-&lt;split&gt;-&lt;settings hash&gt;.cache</c>, the hash covering every setting of the
/// <see cref="CacheKey"/> (kind, split, side, class list contents, label granularity, source location): caches
/// made with other settings never replace each other. When the source files change, the cache of that name is
/// rebuilt. Caches are written the way checkpoints are (<see cref="IO.DurableFile"/>): to a temporary name,
/// flushed to disk, renamed, and the folder flushed — an interrupted build leaves nothing half-written. They
/// live in a <c>.selfsup-cache</c> folder beside the data, or, when that is not writable, in
/// <c>$SELFSUP_CACHE_DIR</c> / <c>$XDG_CACHE_HOME/selfsup</c> / <c>~/.cache/selfsup</c>.
/// </para>
/// </summary>
public static class ImageCache
{
    public const int Version = 2;
    public const int HeaderBytes = 4096;

    /// <summary>Caches up to this size are checked in full on every open; larger ones by the sample checksum.</summary>
    public const long FullCheckBytes = 256L << 20;

    private const int SampleBlocks = 256, SampleBlockBytes = 64 << 10;
    private const int KeyHashAt = 40, LengthAt = 72, FullSumAt = 80, SampleSumAt = 96, SumBytes = 16;
    private static readonly byte[] Magic = "SSLCACHE"u8.ToArray();

    /// <summary>
    /// Called while a cache is being built: (what, images done, images in total). The CLI points it at
    /// its progress display; null (the default) reports nothing.
    /// </summary>
    public static Action<string, long, long>? Progress { get; set; }

    /// <summary>
    /// Raised with a one-line message naming the cache file when a damaged cache is found (and rebuilt). With
    /// no handler the message goes to standard error.
    /// </summary>
    public static event Action<string>? Warning;

    /// <summary>The cache folder for data at <paramref name="dataRoot"/> (a folder or an archive file).</summary>
    public static string DirectoryFor(string dataRoot)
    {
        if (Environment.GetEnvironmentVariable("SELFSUP_CACHE_DIR") is { Length: > 0 } forced) return Ensure(forced);
        string root = Directory.Exists(dataRoot) ? dataRoot : Path.GetDirectoryName(Path.GetFullPath(dataRoot)) ?? ".";
        string beside = Path.Combine(root, ".selfsup-cache");
        if (IsWritable(beside)) return beside;
        string xdg = Environment.GetEnvironmentVariable("XDG_CACHE_HOME") is { Length: > 0 } x
            ? x : Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".cache");
        return Ensure(Path.Combine(xdg, "selfsup"));
    }

    /// <summary>
    /// Opens the cache of (<paramref name="dataset"/>, <paramref name="split"/>) made from the source
    /// described by <paramref name="key"/>, building it first with <paramref name="build"/> when it is
    /// missing, stale or damaged. See the type's remarks for the file name and the checks.
    /// </summary>
    public static ImageDataset OpenOrBuild(string dataset, string split, string dataRoot, CacheKey key, Action<ImageCacheBuilder> build,
        string? cacheName = null)
    {
        string dir = DirectoryFor(dataRoot);
        string name = cacheName ?? dataset;
        key.Add("cache", name, dataset, split, Path.GetFullPath(dataRoot));
        byte[] hash = key.Hash();
        string path = Path.Combine(dir, $"{name}-{split}-{Convert.ToHexString(key.SettingsHash(), 0, 8).ToLowerInvariant()}.cache");
        if (File.Exists(path))
        {
            string? damage = Damage(path, FullCheckRequested ? true : null, out var header);
            if (damage is null && header!.KeyHash.AsSpan().SequenceEqual(hash)) return Open(path, dataset, split);
            if (damage is not null) Warn($"image cache '{path}' {damage}; rebuilding it from the source");
        }

        RemoveAbandonedTemporaries(path);
        string temp = $"{path}.tmp-{Environment.ProcessId}";
        try
        {
            using (var builder = new ImageCacheBuilder(temp, hash, $"caching {dataset} {split}"))
            {
                build(builder);
                builder.Complete();
            }
            IO.DurableFile.MoveIntoPlace(temp, path);
        }
        catch (Exception e)
        {
            try { File.Delete(temp); } catch (IOException) { }
            if (e is IOException and not (FileNotFoundException or DirectoryNotFoundException))
                throw new SelfSupError($"building image cache '{path}' failed ({e.Message.ReplaceLineEndings(" ").TrimEnd('.')}); " +
                    "if the disk is full, free space or set SELFSUP_CACHE_DIR to a folder on another disk", e);
            throw;
        }
        RemoveVersion1(dir, $"{name}-{split}-");
        return Open(path, dataset, split);
    }

    /// <summary>
    /// Checks a cache file: its layout against its length and its checksum — of the whole file when
    /// <paramref name="full"/>, else of the sample (whatever the size). Returns null when intact, else what is
    /// wrong, as one line naming the file.
    /// </summary>
    public static string? Verify(string path, bool full = true) =>
        Damage(path, full, out _) is { } damage ? $"image cache '{path}' {damage}" : null;

    /// <summary>Memory-maps a finished cache file as an <see cref="ImageDataset"/> (its layout is checked, not its checksum: see <see cref="Verify"/>).</summary>
    public static ImageDataset Open(string path, string dataset, string split)
    {
        Header h;
        var labels = Array.Empty<int>();
        string[] names;
        using (var handle = File.OpenHandle(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete))
        {
            h = ReadHeader(handle, out string? problem) ?? throw new SelfSupError($"image cache '{path}' {problem}; delete it and it will be rebuilt");
            var raw = new byte[4 * h.Count];
            ReadExactly(handle, raw, h.LabelsAt);
            labels = new int[h.Count];
            for (int i = 0; i < labels.Length; i++) labels[i] = BinaryPrimitives.ReadInt32LittleEndian(raw.AsSpan(4 * i));
            var text = new byte[h.NamesLength];
            ReadExactly(handle, text, h.LabelsAt + 4 * h.Count + 4);
            names = text.Length == 0 ? [] : Encoding.UTF8.GetString(text).Split('\n');
        }
        using var whole = torch.from_file(path, shared: false, size: h.Length, dtype: ScalarType.Byte);
        var images = whole.narrow(0, HeaderBytes, h.LabelsAt - HeaderBytes).view(h.Count, h.Channels, h.Height, h.Width);
        return new ImageDataset(dataset, split, images, labels, h.ClassCount, names);
    }

    private sealed record Header(int Channels, int Height, int Width, long Count, int ClassCount, byte[] KeyHash, long Length, long LabelsAt, int NamesLength);

    /// <summary>Whether the environment asks for full checks of large caches (<c>SELFSUP_CACHE_VERIFY=full</c>).</summary>
    private static bool FullCheckRequested => Environment.GetEnvironmentVariable("SELFSUP_CACHE_VERIFY") == "full";

    /// <summary>
    /// What is wrong with the cache file (null: intact), checking the layout and then the checksum: the whole file's
    /// when <paramref name="full"/> is true, the sample's when false, and when null by size (<see cref="FullCheckBytes"/>).
    /// </summary>
    private static string? Damage(string path, bool? full, out Header? header)
    {
        header = null;
        try
        {
            using var handle = File.OpenHandle(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
            var h = ReadHeader(handle, out string? problem);
            if (h is null) return problem;
            bool whole = full ?? h.Length <= FullCheckBytes;
            var stored = new byte[SumBytes];
            ReadExactly(handle, stored, whole ? FullSumAt : SampleSumAt);
            if (!Checksum(handle, h.Length, h.LabelsAt, whole).AsSpan().SequenceEqual(stored))
                return $"fails its {(whole ? "" : "sampled ")}checksum: its contents changed after it was written (disk or copy error)";
            header = h;
            return null;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return $"cannot be read ({e.Message.ReplaceLineEndings(" ").TrimEnd('.')})";
        }
    }

    /// <summary>The header, when the fields are sane and the layout they describe is exactly the file's length; else null and why.</summary>
    private static Header? ReadHeader(SafeFileHandle handle, out string? problem)
    {
        long length = RandomAccess.GetLength(handle);
        problem = $"is truncated ({length} bytes, less than its {HeaderBytes}-byte header)";
        if (length < HeaderBytes) return null;
        var b = new byte[HeaderBytes];
        ReadExactly(handle, b, 0);
        problem = "does not start with the SSLCACHE magic: it is not an image cache or its header is damaged";
        if (!b.AsSpan(0, 8).SequenceEqual(Magic)) return null;
        int version = BinaryPrimitives.ReadInt32LittleEndian(b.AsSpan(8));
        problem = $"has format version {version}, not {Version}";
        if (version != Version) return null;
        int c = BinaryPrimitives.ReadInt32LittleEndian(b.AsSpan(12)), h = BinaryPrimitives.ReadInt32LittleEndian(b.AsSpan(16)), w = BinaryPrimitives.ReadInt32LittleEndian(b.AsSpan(20));
        long n = BinaryPrimitives.ReadInt64LittleEndian(b.AsSpan(24)), stored = BinaryPrimitives.ReadInt64LittleEndian(b.AsSpan(LengthAt));
        int classes = BinaryPrimitives.ReadInt32LittleEndian(b.AsSpan(32));
        problem = $"has a damaged header ({n} images of {c}×{h}×{w}, {classes} classes)";
        if (c is < 1 or > 4 || h is < 1 or > 65536 || w is < 1 or > 65536 || classes < 0 || n < 1) return null;
        problem = stored > length ? $"is truncated ({length} bytes; its header says {stored})" : $"has the wrong length ({length} bytes; its header says {stored})";
        if (stored != length) return null;
        long imageBytes = (long)c * h * w;
        problem = $"does not hold the {n} images of {c}×{h}×{w} its header declares in {length} bytes";
        if (n > (length - HeaderBytes) / (imageBytes + 4)) return null;              // guards the products below
        long labelsAt = HeaderBytes + n * imageBytes, namesAt = labelsAt + 4 * n;
        if (namesAt + 4 > length) return null;
        var lengthBytes = new byte[4];
        ReadExactly(handle, lengthBytes, namesAt);
        int namesLength = BinaryPrimitives.ReadInt32LittleEndian(lengthBytes);
        if (namesLength < 0 || namesAt + 4 + namesLength != length) return null;
        problem = null;
        return new Header(c, h, w, n, classes, b.AsSpan(KeyHashAt, 32).ToArray(), length, labelsAt, namesLength);
    }

    /// <summary>
    /// XxHash128 of the file with the two checksum fields zeroed: all of it (<paramref name="whole"/>), or the
    /// header, the length, <see cref="SampleBlocks"/> evenly spread blocks of the images (all the images when they
    /// are no more than those blocks) and the whole tail (labels and names) from <paramref name="tailAt"/>.
    /// </summary>
    private static byte[] Checksum(SafeFileHandle handle, long length, long tailAt, bool whole)
    {
        var hash = new XxHash128();
        var buffer = new byte[Math.Min(1 << 20, length)];
        ReadExactly(handle, buffer.AsSpan(0, HeaderBytes), 0);
        buffer.AsSpan(FullSumAt, 2 * SumBytes).Clear();
        hash.Append(buffer.AsSpan(0, HeaderBytes));
        void AppendRange(long from, long to)
        {
            for (long at = from; at < to; at += buffer.Length)
            {
                var part = buffer.AsSpan(0, (int)Math.Min(buffer.Length, to - at));
                ReadExactly(handle, part, at);
                hash.Append(part);
            }
        }
        if (whole) AppendRange(HeaderBytes, length);
        else
        {
            Span<byte> size = stackalloc byte[8];
            BinaryPrimitives.WriteInt64LittleEndian(size, length);
            hash.Append(size);
            long images = tailAt - HeaderBytes;
            if (images <= (long)SampleBlocks * SampleBlockBytes) AppendRange(HeaderBytes, tailAt);     // the blocks would cover it all
            else
                for (int k = 0; k < SampleBlocks; k++)
                {
                    long at = HeaderBytes + (images - SampleBlockBytes) / (SampleBlocks - 1) * k;
                    AppendRange(at, at + SampleBlockBytes);
                }
            AppendRange(tailAt, length);
        }
        return hash.GetHashAndReset();
    }

    /// <summary>Completes a built file: writes its length, then both checksums, into the header.</summary>
    internal static void Seal(SafeFileHandle handle, long length, long tailAt)
    {
        var field = new byte[8];
        BinaryPrimitives.WriteInt64LittleEndian(field, length);
        RandomAccess.Write(handle, field, LengthAt);
        var full = Checksum(handle, length, tailAt, whole: true);
        var sample = Checksum(handle, length, tailAt, whole: false);
        RandomAccess.Write(handle, full, FullSumAt);
        RandomAccess.Write(handle, sample, SampleSumAt);
    }

    internal static void WriteHeader(SafeFileHandle handle, int c, int h, int w, long count, int classCount, byte[] keyHash)
    {
        var b = new byte[HeaderBytes];
        Magic.CopyTo(b, 0);
        BinaryPrimitives.WriteInt32LittleEndian(b.AsSpan(8), Version);
        BinaryPrimitives.WriteInt32LittleEndian(b.AsSpan(12), c);
        BinaryPrimitives.WriteInt32LittleEndian(b.AsSpan(16), h);
        BinaryPrimitives.WriteInt32LittleEndian(b.AsSpan(20), w);
        BinaryPrimitives.WriteInt64LittleEndian(b.AsSpan(24), count);
        BinaryPrimitives.WriteInt32LittleEndian(b.AsSpan(32), classCount);
        keyHash.CopyTo(b, KeyHashAt);
        RandomAccess.Write(handle, b, 0);
    }

    private static void Warn(string message)
    {
        if (Warning is { } handlers) handlers(message);
        else Console.Error.WriteLine(message);
    }

    /// <summary>Deletes temporary files of this cache left by builds whose process has ended (a crash or a kill).</summary>
    private static void RemoveAbandonedTemporaries(string path)
    {
        string prefix = Path.GetFileName(path) + ".tmp-";
        foreach (var temp in Directory.EnumerateFiles(Path.GetDirectoryName(path)!, prefix + "*"))
        {
            if (!int.TryParse(Path.GetFileName(temp)[prefix.Length..], out int pid) || pid == Environment.ProcessId || IsRunning(pid)) continue;
            try { File.Delete(temp); } catch (IOException) { }
        }
    }

    private static bool IsRunning(int pid)
    {
        try { using var process = System.Diagnostics.Process.GetProcessById(pid); return !process.HasExited; }
        catch (ArgumentException) { return false; }
        catch (InvalidOperationException) { return false; }
    }

    /// <summary>Deletes caches of format version 1 (named with a 12-digit source hash) for this name and split: no version reads them now.</summary>
    private static void RemoveVersion1(string dir, string prefix)
    {
        foreach (var old in Directory.EnumerateFiles(dir, prefix + "*.cache"))
            if (System.Text.RegularExpressions.Regex.IsMatch(Path.GetFileName(old)[prefix.Length..], "^[0-9a-f]{12}\\.cache$"))
                try { File.Delete(old); } catch (IOException) { }
    }
    private static void ReadExactly(SafeFileHandle handle, Span<byte> buffer, long offset)
    {
        while (buffer.Length > 0)
        {
            int n = RandomAccess.Read(handle, buffer, offset);
            if (n == 0) throw new EndOfStreamException();
            buffer = buffer[n..]; offset += n;
        }
    }

    private static string Ensure(string dir)
    {
        try { Directory.CreateDirectory(dir); return dir; }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new SelfSupError($"cannot create the image cache folder '{dir}' ({e.Message.TrimEnd('.')}); set SELFSUP_CACHE_DIR to a writable folder");
        }
    }

    private static bool IsWritable(string dir)
    {
        try
        {
            Directory.CreateDirectory(dir);
            using (File.Create(Path.Combine(dir, $".probe-{Environment.ProcessId}"), 1, FileOptions.DeleteOnClose)) { }
            return true;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException) { return false; }
    }
}
