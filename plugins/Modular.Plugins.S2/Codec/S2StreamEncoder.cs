using System.Buffers;
using System.Buffers.Binary;

namespace Modular.Plugins.S2.Codec;

/// <summary>
/// Writes complete S2 framed streams: the identifier chunk, then chunks of at most 1 MiB, each
/// compressed (0x00, when that saves space) or uncompressed (0x01), with the masked CRC-32C of its
/// data. One call is one stream, as nats-server writes one per flush. Not thread-safe.
/// </summary>
public sealed class S2StreamEncoder
{
    private readonly S2BlockEncoder _blocks = new();

    /// <param name="level">The initial level; <see cref="Level"/> may change it between streams.</param>
    /// <param name="snappyCompatible">Write a Snappy framed stream (<c>sNaPpY</c>, 64 KiB chunks, no repeats) instead.</param>
    public S2StreamEncoder(S2Level level, bool snappyCompatible = false)
    {
        Level = level;
        SnappyCompatible = snappyCompatible;
    }

    public S2Level Level { get; set; }

    public bool SnappyCompatible { get; }

    /// <summary>True (the default) to encode <see cref="S2Level.Fast"/> chunks with Snappier; false for our own fast encoder.</summary>
    public bool UseSnappierForFast { get; init; } = true;

    /// <summary>Writes <paramref name="data"/> as one complete stream; nothing at all for empty data. Returns the bytes written.</summary>
    public long WriteStream(ReadOnlySpan<byte> data, IBufferWriter<byte> output)
    {
        if (data.IsEmpty)
        {
            return 0;
        }

        var level = Level;
        var chunkSize = SnappyCompatible ? S2Stream.SnappyMaxChunkSize : S2Stream.WriterChunkSize;
        var identifier = SnappyCompatible ? S2Stream.SnappyIdentifier : S2Stream.S2Identifier;
        long written = 0;
        var first = true;
        while (!data.IsEmpty)
        {
            var chunk = data[..Math.Min(chunkSize, data.Length)];
            data = data[chunk.Length..];
            var prefix = first ? identifier.Length : 0;
            var span = output.GetSpan(prefix + 8 + S2Block.MaxEncodedLength(chunk.Length));
            if (first)
            {
                identifier.CopyTo(span);
                span = span[prefix..];
                first = false;
            }

            var bodyLength = 4 + WriteChunkData(chunk, span[8..], level, out var type);
            span[0] = type;
            span[1] = (byte)bodyLength;
            span[2] = (byte)(bodyLength >> 8);
            span[3] = (byte)(bodyLength >> 16);
            BinaryPrimitives.WriteUInt32LittleEndian(span[4..], Crc32C.Masked(chunk));
            output.Advance(prefix + 4 + bodyLength);
            written += prefix + 4 + bodyLength;
        }

        return written;
    }

    /// <summary>Convenience: <paramref name="data"/> as one stream in a new array.</summary>
    public byte[] EncodeToArray(ReadOnlySpan<byte> data)
    {
        var buffer = new ArrayBufferWriter<byte>(Math.Max(256, data.Length + (data.Length / 8)));
        WriteStream(data, buffer);
        return buffer.WrittenSpan.ToArray();
    }

    private int WriteChunkData(ReadOnlySpan<byte> chunk, Span<byte> destination, S2Level level, out byte type)
    {
        if (level == S2Level.Fast && UseSnappierForFast)
        {
            // Snappier writes plain Snappy blocks (valid S2, no repeats) about twice as fast as our
            // own fast encoder in the measurements; its decoder is not used (it cannot read S2 repeats).
            if (Snappier.Snappy.TryCompress(chunk, destination, out var n) && n < chunk.Length - (chunk.Length >> 6))
            {
                type = S2Stream.ChunkCompressed;
                return n;
            }
        }
        else if (level != S2Level.Uncompressed)
        {
            var n = _blocks.Encode(chunk, destination, level, SnappyCompatible);
            if (n < chunk.Length - (chunk.Length >> 6))
            {
                type = S2Stream.ChunkCompressed;
                return n;
            }
        }

        type = S2Stream.ChunkUncompressed;
        chunk.CopyTo(destination);
        return chunk.Length;
    }
}
