namespace Modular.Plugins.S2.Codec;

/// <summary>Constants of the Snappy/S2 framing format (protocol.md §5.5).</summary>
public static class S2Stream
{
    public const byte ChunkCompressed = 0x00;
    public const byte ChunkUncompressed = 0x01;
    public const byte ChunkPadding = 0xFE;
    public const byte ChunkStreamIdentifier = 0xFF;

    /// <summary>The largest uncompressed chunk our writer emits (the Go writer's default block size).</summary>
    public const int WriterChunkSize = 1 << 20;

    /// <summary>Snappy's largest uncompressed chunk, enforced after a <c>sNaPpY</c> identifier.</summary>
    public const int SnappyMaxChunkSize = 1 << 16;

    /// <summary>The identifier chunk of an S2 stream: type 0xFF, length 6, "S2sTwO".</summary>
    public static ReadOnlySpan<byte> S2Identifier => [0xFF, 6, 0, 0, (byte)'S', (byte)'2', (byte)'s', (byte)'T', (byte)'w', (byte)'O'];

    /// <summary>The identifier chunk of a Snappy stream: type 0xFF, length 6, "sNaPpY".</summary>
    public static ReadOnlySpan<byte> SnappyIdentifier => [0xFF, 6, 0, 0, (byte)'s', (byte)'N', (byte)'a', (byte)'P', (byte)'p', (byte)'Y'];
}
