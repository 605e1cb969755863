using System.Buffers.Binary;
using System.Security.Cryptography;
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
/// int64 N, int32 class count, int32 reserved, the 32-byte SHA-256 of the source key — then N·C·H·W
/// image bytes (row-major N×C×H×W), then N int32 labels (−1 = unlabelled), then an int32 byte length
/// and the UTF-8 class names joined by '\n'.
/// </para>
/// <para>
/// The source key lists what the cache was made from (file names, sizes and modification times, the
/// stored side, the class list, the label granularity); when it changes the cache is stale and is
/// rebuilt. Caches are written to a temporary name and renamed when complete, so an interrupted build
/// leaves nothing half-written. They live in a <c>.selfsup-cache</c> folder beside the data, or, when
/// that is not writable, in <c>$SELFSUP_CACHE_DIR</c> / <c>$XDG_CACHE_HOME/selfsup</c> / <c>~/.cache/selfsup</c>.
/// </para>
/// </summary>
public static class ImageCache
{
    public const int Version = 1;
    public const int HeaderBytes = 4096;
    private static readonly byte[] Magic = "SSLCACHE"u8.ToArray();

    /// <summary>
    /// Called while a cache is being built: (what, images done, images in total). The CLI points it at
    /// its progress display; null (the default) reports nothing.
    /// </summary>
    public static Action<string, long, long>? Progress { get; set; }

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
    /// missing or stale. The file is named <c>&lt;cacheName&gt;-&lt;split&gt;-&lt;key hash&gt;.cache</c>; a rebuild
    /// deletes the stale file of the same name and split.
    /// </summary>
    public static ImageDataset OpenOrBuild(string dataset, string split, string dataRoot, CacheKey key, Action<ImageCacheBuilder> build,
        string? cacheName = null)
    {
        string dir = DirectoryFor(dataRoot);
        byte[] hash = key.Hash();
        string prefix = $"{cacheName ?? dataset}-{split}-";
        string path = Path.Combine(dir, prefix + Convert.ToHexString(hash, 0, 6).ToLowerInvariant() + ".cache");
        if (File.Exists(path) && IsValid(path, hash)) return Open(path, dataset, split);

        string temp = $"{path}.tmp-{Environment.ProcessId}";
        try
        {
            using (var builder = new ImageCacheBuilder(temp, hash, $"caching {dataset} {split}"))
            {
                build(builder);
                builder.Complete();
            }
            File.Move(temp, path, overwrite: true);
        }
        catch
        {
            try { File.Delete(temp); } catch (IOException) { }
            throw;
        }
        foreach (var stale in Directory.EnumerateFiles(dir, prefix + "*.cache"))
            if (stale != path && System.Text.RegularExpressions.Regex.IsMatch(Path.GetFileName(stale)[prefix.Length..], "^[0-9a-f]{12}\\.cache$"))
                try { File.Delete(stale); } catch (IOException) { }
        return Open(path, dataset, split);
    }

    /// <summary>Memory-maps a finished cache file as an <see cref="ImageDataset"/>.</summary>
    public static ImageDataset Open(string path, string dataset, string split)
    {
        var h = ReadHeader(path) ?? throw new SelfSupError($"cache file '{path}' is damaged (bad header or length); delete it and it will be rebuilt");
        long imageBytes = h.Count * h.Channels * h.Height * h.Width;
        var labels = new int[h.Count];
        string[] names;
        using (var handle = File.OpenHandle(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete))
        {
            var raw = new byte[checked(h.Count * 4)];
            ReadExactly(handle, raw, HeaderBytes + imageBytes);
            for (int i = 0; i < labels.Length; i++) labels[i] = BinaryPrimitives.ReadInt32LittleEndian(raw.AsSpan(4 * i));
            var lengthBytes = new byte[4];
            long namesAt = HeaderBytes + imageBytes + 4 * h.Count;
            ReadExactly(handle, lengthBytes, namesAt);
            var text = new byte[BinaryPrimitives.ReadInt32LittleEndian(lengthBytes)];
            ReadExactly(handle, text, namesAt + 4);
            names = text.Length == 0 ? [] : Encoding.UTF8.GetString(text).Split('\n');
        }
        using var whole = torch.from_file(path, shared: false, size: new FileInfo(path).Length, dtype: ScalarType.Byte);
        var images = whole.narrow(0, HeaderBytes, imageBytes).view(h.Count, h.Channels, h.Height, h.Width);
        return new ImageDataset(dataset, split, images, labels, h.ClassCount, names);
    }

    private sealed record Header(int Channels, int Height, int Width, long Count, int ClassCount, byte[] KeyHash);

    private static Header? ReadHeader(string path)
    {
        try
        {
            using var handle = File.OpenHandle(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
            long length = RandomAccess.GetLength(handle);
            if (length < HeaderBytes) return null;
            var b = new byte[HeaderBytes];
            ReadExactly(handle, b, 0);
            if (!b.AsSpan(0, 8).SequenceEqual(Magic) || BinaryPrimitives.ReadInt32LittleEndian(b.AsSpan(8)) != Version) return null;
            var h = new Header(BinaryPrimitives.ReadInt32LittleEndian(b.AsSpan(12)), BinaryPrimitives.ReadInt32LittleEndian(b.AsSpan(16)),
                BinaryPrimitives.ReadInt32LittleEndian(b.AsSpan(20)), BinaryPrimitives.ReadInt64LittleEndian(b.AsSpan(24)),
                BinaryPrimitives.ReadInt32LittleEndian(b.AsSpan(32)), b.AsSpan(40, 32).ToArray());
            if (h.Channels < 1 || h.Height < 1 || h.Width < 1 || h.Count < 1) return null;
            long namesAt = HeaderBytes + h.Count * h.Channels * h.Height * h.Width + 4 * h.Count;
            if (length < namesAt + 4) return null;
            var lengthBytes = new byte[4];
            ReadExactly(handle, lengthBytes, namesAt);
            return length == namesAt + 4 + BinaryPrimitives.ReadInt32LittleEndian(lengthBytes) ? h : null;
        }
        catch (IOException) { return null; }
    }

    private static bool IsValid(string path, byte[] keyHash) => ReadHeader(path) is { } h && h.KeyHash.AsSpan().SequenceEqual(keyHash);

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
        keyHash.CopyTo(b, 40);
        RandomAccess.Write(handle, b, 0);
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

/// <summary>
/// What a cache was made from, as text lines hashed with SHA-256: change any line (a file's size or
/// modification time, the stored side, the class list, the label kind) and the cache is rebuilt.
/// </summary>
public sealed class CacheKey
{
    private readonly StringBuilder _text = new();

    public CacheKey(string kind) => Add("selfsup-cache", ImageCache.Version.ToString(), kind);

    public CacheKey Add(params string[] parts)
    {
        _text.AppendJoin('\t', parts).Append('\n');
        return this;
    }

    /// <summary>Adds a file by its path, size and modification time.</summary>
    public CacheKey AddFile(string path, string? shownAs = null)
    {
        var info = new FileInfo(path);
        return Add(shownAs ?? Path.GetFullPath(path), info.Length.ToString(), info.LastWriteTimeUtc.Ticks.ToString());
    }

    public byte[] Hash() => SHA256.HashData(Encoding.UTF8.GetBytes(_text.ToString()));
}

/// <summary>
/// Writes a cache file: <see cref="Begin"/> once with the shape, then every image exactly once with
/// <see cref="Write"/> (in any order; not thread-safe — decode in parallel, write from one thread).
/// </summary>
public sealed class ImageCacheBuilder : IDisposable
{
    private readonly SafeFileHandle _handle;
    private readonly byte[] _keyHash;
    private readonly string _what;
    private int[] _labels = [];
    private bool[] _written = [];
    private string[] _classNames = [];
    private long _done, _imageBytes;
    private int _c, _h, _w;

    internal ImageCacheBuilder(string path, byte[] keyHash, string what)
    {
        _handle = File.OpenHandle(path, FileMode.Create, FileAccess.ReadWrite, FileShare.Read | FileShare.Delete);
        _keyHash = keyHash;
        _what = what;
    }

    /// <summary>Number of images announced by <see cref="Begin"/>.</summary>
    public long Count => _labels.Length;

    /// <summary>Bytes per image, C·H·W.</summary>
    public int ImageBytes => _c * _h * _w;

    /// <summary>Declares the images to come: <paramref name="count"/> of C×H×W, and the class names (empty when unlabelled).</summary>
    public void Begin(long count, int channels, int height, int width, IReadOnlyList<string> classNames)
    {
        if (count < 1) throw new ArgumentException("a cache needs at least one image", nameof(count));
        _c = channels; _h = height; _w = width;
        _labels = new int[count];
        _written = new bool[count];
        _classNames = classNames.ToArray();
        _imageBytes = count * ImageBytes;
        ImageCache.WriteHeader(_handle, channels, height, width, count, _classNames.Length, _keyHash);
        RandomAccess.SetLength(_handle, ImageCache.HeaderBytes + _imageBytes);
        ImageCache.Progress?.Invoke(_what, 0, count);
    }

    /// <summary>Replaces the class names given to <see cref="Begin"/> (same count), e.g. once a names file has been read.</summary>
    public void SetClassNames(IReadOnlyList<string> classNames)
    {
        if (classNames.Count != _classNames.Length) throw new ArgumentException($"{classNames.Count} class names, expected {_classNames.Length}");
        _classNames = classNames.ToArray();
    }

    /// <summary>Stores image <paramref name="index"/> (C·H·W bytes, row-major CHW) and its label (−1 = none).</summary>
    public void Write(long index, ReadOnlySpan<byte> chw, int label)
    {
        if (chw.Length != ImageBytes) throw new ArgumentException($"image has {chw.Length} bytes, expected {ImageBytes}");
        if (_written[index]) throw new InvalidOperationException($"image {index} written twice");
        RandomAccess.Write(_handle, chw, ImageCache.HeaderBytes + index * ImageBytes);
        _labels[index] = label;
        _written[index] = true;
        _done++;
        if (_done % 2048 == 0 || _done == Count) ImageCache.Progress?.Invoke(_what, _done, Count);
    }

    /// <summary>Sets the label of image <paramref name="index"/> (when labels arrive separately from the images).</summary>
    public void SetLabel(long index, int label) => _labels[index] = label;

    internal void Complete()
    {
        if (_labels.Length == 0) throw new InvalidOperationException("cache builder finished without Begin");
        if (_done != Count) throw new InvalidOperationException($"cache builder wrote {_done} of {Count} images");
        var tail = new byte[4 * _labels.Length];
        for (int i = 0; i < _labels.Length; i++) BinaryPrimitives.WriteInt32LittleEndian(tail.AsSpan(4 * i), _labels[i]);
        RandomAccess.Write(_handle, tail, ImageCache.HeaderBytes + _imageBytes);
        var names = Encoding.UTF8.GetBytes(string.Join('\n', _classNames));
        var block = new byte[4 + names.Length];
        BinaryPrimitives.WriteInt32LittleEndian(block, names.Length);
        names.CopyTo(block, 4);
        RandomAccess.Write(_handle, block, ImageCache.HeaderBytes + _imageBytes + tail.Length);
    }

    public void Dispose() => _handle.Dispose();
}
