using System.Buffers.Binary;
using System.Text;

namespace SelfSup.Training;

/// <summary>
/// A bounds-checked cursor over a checkpoint's binary file (<c>model.bin</c>, <c>optimizer.bin</c>), in the
/// encodings TorchSharp writes: LEB128 unsigned integers (counts, element types, shapes), .NET length-prefixed
/// UTF-8 strings (names), little-endian doubles, 64-bit and 32-bit integers, one-byte booleans. Every read first
/// checks the bytes that are left, so a size field cannot make it allocate or seek past the end; anything
/// malformed is an <see cref="InvalidDataException"/> naming the field and its byte offset, which
/// <see cref="CheckpointFileCheck"/> turns into the reason a checkpoint is unusable.
/// </summary>
internal sealed class CheckpointFileReader : IDisposable
{
    private static readonly UTF8Encoding StrictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    private readonly FileStream _stream;

    public CheckpointFileReader(string path)
    {
        _stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, bufferSize: 4096);
        Length = _stream.Length;
    }

    public long Length { get; }
    public long Position => _stream.Position;
    public long Remaining => Length - _stream.Position;

    /// <summary>The error for a damaged file: <paramref name="what"/> was found at byte <paramref name="at"/>.</summary>
    public InvalidDataException Damaged(string what, long at) => new($"{what} (at byte {at} of {Length})");

    /// <summary>A LEB128 unsigned integer as TorchSharp writes it; at most 9 bytes, below 2^63.</summary>
    public long Varint(string what)
    {
        long at = Position, value = 0;
        for (int i = 0; ; i++)
        {
            int b = _stream.ReadByte();
            if (b < 0) throw Damaged($"the file ends inside {what}", at);
            if (i == 9) throw Damaged($"{what} is longer than 9 bytes (a value of 2^63 or more)", at);
            value |= (long)(b & 0x7f) << (7 * i);
            if ((b & 0x80) == 0) return value;
        }
    }

    /// <summary>A .NET <c>BinaryWriter.Write(string)</c> string: 7-bit encoded byte length, then strict UTF-8.</summary>
    public string Text(string what, int maxBytes)
    {
        long at = Position;
        long length = 0;
        for (int i = 0; ; i++)
        {
            int b = _stream.ReadByte();
            if (b < 0) throw Damaged($"the file ends inside the length of {what}", at);
            length |= (long)(b & 0x7f) << (7 * i);
            if ((b & 0x80) == 0) break;
            if (i == 4) throw Damaged($"the length of {what} is longer than 5 bytes", at);
        }
        if (length > maxBytes) throw Damaged($"{what} is said to be {length} bytes long (at most {maxBytes} expected)", at);
        var bytes = Bytes((int)length, what, at);
        try { return StrictUtf8.GetString(bytes); }
        catch (DecoderFallbackException) { throw Damaged($"{what} is not valid UTF-8", at); }
    }

    public double Double(string what) => BinaryPrimitives.ReadDoubleLittleEndian(Bytes(8, what, Position));

    public long Int64(string what) => BinaryPrimitives.ReadInt64LittleEndian(Bytes(8, what, Position));

    public int Int32(string what) => BinaryPrimitives.ReadInt32LittleEndian(Bytes(4, what, Position));

    /// <summary>A boolean as <c>BinaryWriter</c> writes it: exactly 0 or 1 (a reader would take any other byte as true).</summary>
    public bool Bool(string what)
    {
        long at = Position;
        byte b = Bytes(1, what, at)[0];
        return b switch
        {
            0 => false,
            1 => true,
            _ => throw Damaged($"{what} is the byte {b}, not a boolean (0 or 1)", at),
        };
    }

    /// <summary>Moves over <paramref name="count"/> bytes of data, which must all be in the file.</summary>
    public void Skip(long count, string what)
    {
        if (count > Remaining) throw Damaged($"{what} needs {count} bytes but only {Remaining} are left (the file is truncated)", Position);
        _stream.Seek(count, SeekOrigin.Current);
    }

    /// <summary>Checks that nothing follows the last entry.</summary>
    public void End()
    {
        if (Remaining > 0) throw Damaged($"{Remaining} unexpected bytes follow the last entry", Position);
    }

    private byte[] Bytes(int count, string what, long at)
    {
        if (count > Remaining) throw Damaged($"the file ends inside {what}", at);
        var bytes = new byte[count];
        _stream.ReadExactly(bytes);
        return bytes;
    }

    public void Dispose() => _stream.Dispose();
}
