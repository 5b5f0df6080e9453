using System.Buffers;
using System.Buffers.Binary;

namespace Modular.Plugins.S2.Codec;

/// <summary>
/// Reads S2 (and Snappy) framed streams incrementally, as the bytes arrive: stream identifiers
/// (<c>S2sTwO</c> or <c>sNaPpY</c>, first and again at any point), compressed and uncompressed
/// chunks with their CRC-32C checked, padding and skippable chunks skipped. Concatenated streams
/// (one per flush) read as one. Anything else throws <see cref="InvalidDataException"/>. Not thread-safe.
/// </summary>
public sealed class S2StreamDecoder
{
    private readonly int _maxBlockSize;
    private bool _sawIdentifier;
    private int _chunkLimit;
    private long _skipRemaining;
    private byte[]? _scratch;

    /// <param name="maxBlockSize">The largest uncompressed chunk accepted in an S2 stream (4 MiB, as the Go reader).</param>
    public S2StreamDecoder(int maxBlockSize = S2Block.MaxBlockSize)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(maxBlockSize, S2Stream.SnappyMaxChunkSize);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(maxBlockSize, S2Block.MaxBlockSize);
        _maxBlockSize = maxBlockSize;
        _chunkLimit = maxBlockSize;
    }

    /// <summary>True when no chunk is partly read: the input may end here.</summary>
    public bool AtChunkBoundary => _skipRemaining == 0;

    /// <summary>Compressed bytes consumed so far.</summary>
    public long BytesIn { get; private set; }

    /// <summary>Decoded bytes produced so far.</summary>
    public long BytesOut { get; private set; }

    /// <summary>
    /// Decodes every complete chunk at the start of <paramref name="input"/> into <paramref name="output"/>
    /// and returns how many input bytes it consumed; the rest (a partial chunk) must be offered again
    /// with more bytes after it. When the input has ended, a non-empty rest means the stream was truncated.
    /// </summary>
    public long Decode(ReadOnlySequence<byte> input, IBufferWriter<byte> output)
    {
        long consumed = 0;
        Span<byte> header = stackalloc byte[4];
        Span<byte> magic = stackalloc byte[10];
        while (true)
        {
            if (_skipRemaining > 0)
            {
                var n = Math.Min(_skipRemaining, input.Length - consumed);
                _skipRemaining -= n;
                consumed += n;
                if (_skipRemaining > 0)
                {
                    break;
                }

                continue;
            }

            var available = input.Length - consumed;
            if (available < 4)
            {
                break;
            }

            input.Slice(consumed, 4).CopyTo(header);
            var type = header[0];
            var length = header[1] | (header[2] << 8) | (header[3] << 16);
            if (type == S2Stream.ChunkStreamIdentifier)
            {
                if (length != 6)
                {
                    throw Corrupt($"a stream identifier chunk of {length} bytes (expected 6)");
                }

                if (available < 10)
                {
                    break;
                }

                input.Slice(consumed, 10).CopyTo(magic);
                if (magic.SequenceEqual(S2Stream.S2Identifier))
                {
                    _chunkLimit = _maxBlockSize;
                }
                else if (magic.SequenceEqual(S2Stream.SnappyIdentifier))
                {
                    _chunkLimit = S2Stream.SnappyMaxChunkSize;
                }
                else
                {
                    throw Corrupt("the stream identifier is neither \"S2sTwO\" nor \"sNaPpY\"");
                }

                _sawIdentifier = true;
                consumed += 10;
                continue;
            }

            if (!_sawIdentifier)
            {
                throw Corrupt($"the stream starts with a chunk of type 0x{type:x2}, not the stream identifier (0xff); the peer is not sending S2");
            }

            if (type is S2Stream.ChunkCompressed or S2Stream.ChunkUncompressed)
            {
                var maxBody = 4 + (type == S2Stream.ChunkCompressed ? S2Block.MaxEncodedLength(_chunkLimit) : _chunkLimit);
                if (length < 4 || length > maxBody)
                {
                    throw Corrupt($"a data chunk of {length} bytes (the limit is {maxBody}, and 4 at least for its checksum)");
                }

                if (available < 4 + length)
                {
                    break;
                }

                DecodeDataChunk(input.Slice(consumed + 4, length), type, output);
                consumed += 4 + length;
                continue;
            }

            if (type < 0x80)
            {
                throw Corrupt($"chunk type 0x{type:x2} is reserved and unskippable");
            }

            // Padding (0xFE) and skippable chunks (0x80-0xFD, e.g. the S2 index): skip their bodies.
            consumed += 4;
            _skipRemaining = length;
        }

        BytesIn += consumed;
        return consumed;
    }

    /// <summary>Decodes a whole buffer of concatenated streams; throws if it ends inside a chunk.</summary>
    public static byte[] DecodeAll(ReadOnlySpan<byte> streams, int maxBlockSize = S2Block.MaxBlockSize)
    {
        var decoder = new S2StreamDecoder(maxBlockSize);
        var output = new ArrayBufferWriter<byte>(Math.Max(256, streams.Length * 2));
        var sequence = new ReadOnlySequence<byte>(streams.ToArray());
        var consumed = decoder.Decode(sequence, output);
        decoder.ThrowIfIncomplete(streams.Length - consumed);
        return output.WrittenSpan.ToArray();
    }

    /// <summary>Call when the input has ended with <paramref name="leftover"/> bytes not consumed: throws unless that is a clean end.</summary>
    public void ThrowIfIncomplete(long leftover)
    {
        if (leftover > 0 || _skipRemaining > 0)
        {
            throw new InvalidDataException(_skipRemaining > 0
                ? $"S2 stream truncated: the input ended {_skipRemaining} bytes before the end of a skippable chunk"
                : $"S2 stream truncated: the input ended inside a chunk ({leftover} bytes of it received)");
        }
    }

    private void DecodeDataChunk(ReadOnlySequence<byte> body, byte type, IBufferWriter<byte> output)
    {
        ReadOnlySpan<byte> span;
        if (body.IsSingleSegment)
        {
            span = body.FirstSpan;
        }
        else
        {
            if (_scratch is null || _scratch.Length < body.Length)
            {
                _scratch = new byte[Math.Max((int)body.Length, 64 * 1024)];
            }

            body.CopyTo(_scratch);
            span = _scratch.AsSpan(0, (int)body.Length);
        }

        var expected = BinaryPrimitives.ReadUInt32LittleEndian(span);
        var data = span[4..];
        int n;
        Span<byte> destination;
        if (type == S2Stream.ChunkCompressed)
        {
            if (!S2Block.TryReadDecodedLength(data, out n, out _))
            {
                throw Corrupt("a compressed chunk's block has no valid length header");
            }

            if (n > _chunkLimit)
            {
                throw Corrupt($"a compressed chunk decodes to {n} bytes, over the limit of {_chunkLimit}");
            }

            destination = output.GetSpan(Math.Max(n, 1))[..n];
            S2Block.Decode(data, destination);
        }
        else
        {
            n = data.Length;
            destination = output.GetSpan(Math.Max(n, 1))[..n];
            data.CopyTo(destination);
        }

        if (Crc32C.Masked(destination) != expected)
        {
            throw Corrupt($"checksum mismatch in a {(type == S2Stream.ChunkCompressed ? "compressed" : "uncompressed")} chunk of {n} bytes");
        }

        output.Advance(n);
        BytesOut += n;
    }

    private static InvalidDataException Corrupt(string detail) => new("S2 stream corrupt: " + detail);
}
