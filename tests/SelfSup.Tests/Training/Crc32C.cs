namespace SelfSup.Tests.Training;

/// <summary>
/// CRC-32C (Castagnoli): the reflected polynomial 0x82F63B78, initial value and final XOR 0xFFFFFFFF, computed bit by bit
/// — written here from the definition so the test checks TensorBoard's record checksums independently of the writer.
/// </summary>
public static class Crc32C
{
    private const uint ReflectedPolynomial = 0x82F63B78;

    public static uint Of(ReadOnlySpan<byte> data)
    {
        uint crc = 0xFFFFFFFF;
        foreach (byte b in data)
        {
            crc ^= b;
            for (int bit = 0; bit < 8; bit++)
                crc = (crc & 1) != 0 ? (crc >> 1) ^ ReflectedPolynomial : crc >> 1;
        }
        return ~crc;
    }

    /// <summary>TFRecord's masked form: the CRC rotated right by 15 bits plus 0xa282ead8.</summary>
    public static uint Masked(ReadOnlySpan<byte> data)
    {
        uint crc = Of(data);
        return unchecked(((crc >> 15) | (crc << 17)) + 0xa282ead8);
    }
}
