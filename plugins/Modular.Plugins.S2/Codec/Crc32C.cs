using System.Buffers.Binary;
using System.Numerics;

namespace Modular.Plugins.S2.Codec;

/// <summary>CRC-32C (Castagnoli), and the masked form the Snappy/S2 framing format stores.</summary>
public static class Crc32C
{
    /// <summary>The CRC-32C of <paramref name="data"/> (hardware instructions where the CPU has them).</summary>
    public static uint Compute(ReadOnlySpan<byte> data)
    {
        var crc = uint.MaxValue;
        while (data.Length >= 32)
        {
            crc = BitOperations.Crc32C(crc, BinaryPrimitives.ReadUInt64LittleEndian(data));
            crc = BitOperations.Crc32C(crc, BinaryPrimitives.ReadUInt64LittleEndian(data[8..]));
            crc = BitOperations.Crc32C(crc, BinaryPrimitives.ReadUInt64LittleEndian(data[16..]));
            crc = BitOperations.Crc32C(crc, BinaryPrimitives.ReadUInt64LittleEndian(data[24..]));
            data = data[32..];
        }

        while (data.Length >= 8)
        {
            crc = BitOperations.Crc32C(crc, BinaryPrimitives.ReadUInt64LittleEndian(data));
            data = data[8..];
        }

        foreach (var b in data)
        {
            crc = BitOperations.Crc32C(crc, b);
        }

        return ~crc;
    }

    /// <summary>The framing format's checksum: the CRC rotated right by 15 bits plus 0xA282EAD8.</summary>
    public static uint Masked(ReadOnlySpan<byte> data)
    {
        var crc = Compute(data);
        return BitOperations.RotateRight(crc, 15) + 0xA282EAD8u;
    }
}
