using System.Buffers.Binary;
using System.Text;
using Microsoft.Win32.SafeHandles;

namespace SelfSup.Data;

/// <summary>
/// Writes a cache file: <see cref="Begin"/> once with the shape, then every image exactly once with
/// <see cref="Write"/> (in any order; not thread-safe — decode in parallel, write from one thread).
/// <see cref="ImageCache"/> then completes it: labels, class names, file length and checksums.
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

    /// <summary>Writes the labels and class names after the images, then the file length and checksums into the header.</summary>
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
        ImageCache.Seal(_handle, ImageCache.HeaderBytes + _imageBytes + tail.Length + block.Length, ImageCache.HeaderBytes + _imageBytes);
    }

    public void Dispose() => _handle.Dispose();
}
