using System.Buffers.Binary;

namespace SelfSup.Tests.Training;

/// <summary>
/// Reads a TFRecord file (what TensorBoard event files are): records of an 8-byte little-endian length, the masked
/// CRC-32C of those 8 bytes, the data, and the masked CRC-32C of the data. Every checksum is verified.
/// </summary>
public static class TfRecordFile
{
    /// <summary>The data of every record in <paramref name="path"/>; throws <see cref="InvalidDataException"/> on a bad checksum or a cut record.</summary>
    public static List<byte[]> Read(string path)
    {
        byte[] bytes = File.ReadAllBytes(path);
        var records = new List<byte[]>();
        int at = 0;
        while (at < bytes.Length)
        {
            if (bytes.Length - at < 12) throw new InvalidDataException($"{path}: a record header is cut at byte {at}");
            var header = bytes.AsSpan(at, 8);
            long length = BinaryPrimitives.ReadInt64LittleEndian(header);
            if (BinaryPrimitives.ReadUInt32LittleEndian(bytes.AsSpan(at + 8, 4)) != Crc32C.Masked(header))
                throw new InvalidDataException($"{path}: the length CRC of the record at byte {at} does not match");
            if (length < 0 || bytes.Length - at - 12 - 4 < length) throw new InvalidDataException($"{path}: the record at byte {at} is cut");
            var data = bytes.AsSpan(at + 12, (int)length);
            if (BinaryPrimitives.ReadUInt32LittleEndian(bytes.AsSpan(at + 12 + (int)length, 4)) != Crc32C.Masked(data))
                throw new InvalidDataException($"{path}: the data CRC of the record at byte {at} does not match");
            records.Add(data.ToArray());
            at += 12 + (int)length + 4;
        }
        return records;
    }
}
