using System.Buffers.Binary;

namespace Modular.Plugins.S2.Codec;

/// <summary>
/// The S2 block format (protocol.md §5.5): a uvarint with the decoded length, then literal and copy
/// elements. Any Snappy block is an S2 block; S2 adds repeat offsets (a copy1 with offset 0).
/// Decoding is bounds-checked throughout: corrupt input throws <see cref="InvalidDataException"/>.
/// </summary>
public static class S2Block
{
    /// <summary>The largest block a framed stream may carry (S2's limit; Snappy's is 64 KiB).</summary>
    public const int MaxBlockSize = 4 << 20;

    /// <summary>The most bytes <see cref="S2BlockEncoder.Encode"/> can write for an input of this length.</summary>
    public static int MaxEncodedLength(int sourceLength)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(sourceLength);
        // uvarint (≤ 5) + literal headers (≤ 5 per literal, at most one literal per 60 bytes when not compressing)
        return 32 + sourceLength + (sourceLength / 6);
    }

    /// <summary>Reads the block's header: its decoded length and how many bytes the header took.</summary>
    public static bool TryReadDecodedLength(ReadOnlySpan<byte> block, out int decodedLength, out int headerLength)
    {
        ulong value = 0;
        for (var i = 0; i < 10 && i < block.Length; i++)
        {
            var b = block[i];
            if (i >= 5 && b != 0 && b != 0x80)
            {
                break; // a value over 35 bits: more than any block can hold
            }

            value |= (ulong)(b & 0x7F) << (7 * Math.Min(i, 5));
            if (b < 0x80)
            {
                if (value > int.MaxValue)
                {
                    break;
                }

                decodedLength = (int)value;
                headerLength = i + 1;
                return true;
            }
        }

        decodedLength = 0;
        headerLength = 0;
        return false;
    }

    /// <summary>The decoded length the block's header states; throws when the header is malformed.</summary>
    public static int GetDecodedLength(ReadOnlySpan<byte> block)
    {
        if (!TryReadDecodedLength(block, out var length, out _))
        {
            throw Corrupt("the block's length header is not a valid uvarint");
        }

        return length;
    }

    /// <summary>Decodes a whole block into a new array (at most <paramref name="maxDecodedLength"/> bytes).</summary>
    public static byte[] Decode(ReadOnlySpan<byte> block, int maxDecodedLength = MaxBlockSize)
    {
        var length = GetDecodedLength(block);
        if (length > maxDecodedLength)
        {
            throw Corrupt($"the block decodes to {length} bytes, over the limit of {maxDecodedLength}");
        }

        var output = new byte[length];
        Decode(block, output);
        return output;
    }

    /// <summary>Decodes a block into <paramref name="destination"/>, whose length must be the block's decoded length.</summary>
    public static void Decode(ReadOnlySpan<byte> block, Span<byte> destination)
    {
        if (!TryReadDecodedLength(block, out var length, out var s))
        {
            throw Corrupt("the block's length header is not a valid uvarint");
        }

        if (length != destination.Length)
        {
            throw new ArgumentException($"the block decodes to {length} bytes, the destination holds {destination.Length}", nameof(destination));
        }

        var src = block;
        var dst = destination;
        var d = 0;
        var lastOffset = 0;
        while (s < src.Length)
        {
            int tag = src[s];
            int offset;
            int copyLength;
            switch (tag & 3)
            {
                case 0:
                {
                    long literalLength = tag >> 2;
                    if (literalLength < 60)
                    {
                        s++;
                    }
                    else
                    {
                        var extra = (int)literalLength - 59;
                        if (extra >= src.Length - s)
                        {
                            throw Corrupt("a literal's length runs past the end of the block");
                        }

                        literalLength = src[s + 1];
                        for (var i = 1; i < extra; i++)
                        {
                            literalLength |= (long)src[s + 1 + i] << (8 * i);
                        }

                        s += 1 + extra;
                    }

                    literalLength++;
                    if (literalLength > src.Length - s)
                    {
                        throw Corrupt($"a literal of {literalLength} bytes runs past the end of the block");
                    }

                    if (literalLength > dst.Length - d)
                    {
                        throw Corrupt($"a literal of {literalLength} bytes runs past the block's stated length {length}");
                    }

                    var n = (int)literalLength;
                    src.Slice(s, n).CopyTo(dst.Slice(d, n));
                    s += n;
                    d += n;
                    continue;
                }

                case 1:
                {
                    if (src.Length - s < 2)
                    {
                        throw Corrupt("a copy element is cut off at the end of the block");
                    }

                    copyLength = (tag >> 2) & 7;
                    offset = ((tag & 0xE0) << 3) | src[s + 1];
                    s += 2;
                    if (offset != 0)
                    {
                        copyLength += 4;
                        break;
                    }

                    // S2 repeat: the previous offset again, with a length code.
                    switch (copyLength)
                    {
                        case 5:
                            if (src.Length - s < 1)
                            {
                                throw Corrupt("a repeat element is cut off at the end of the block");
                            }

                            copyLength = src[s] + 8;
                            s += 1;
                            break;
                        case 6:
                            if (src.Length - s < 2)
                            {
                                throw Corrupt("a repeat element is cut off at the end of the block");
                            }

                            copyLength = BinaryPrimitives.ReadUInt16LittleEndian(src.Slice(s)) + 260;
                            s += 2;
                            break;
                        case 7:
                            if (src.Length - s < 3)
                            {
                                throw Corrupt("a repeat element is cut off at the end of the block");
                            }

                            copyLength = (src[s] | (src[s + 1] << 8) | (src[s + 2] << 16)) + 65540;
                            s += 3;
                            break;
                        default:
                            copyLength += 4;
                            break;
                    }

                    if (lastOffset == 0)
                    {
                        throw Corrupt("a repeat offset before any copy in the block");
                    }

                    offset = lastOffset;
                    break;
                }

                case 2:
                    if (src.Length - s < 3)
                    {
                        throw Corrupt("a copy element is cut off at the end of the block");
                    }

                    copyLength = (tag >> 2) + 1;
                    offset = BinaryPrimitives.ReadUInt16LittleEndian(src.Slice(s + 1));
                    s += 3;
                    break;

                default:
                {
                    if (src.Length - s < 5)
                    {
                        throw Corrupt("a copy element is cut off at the end of the block");
                    }

                    copyLength = (tag >> 2) + 1;
                    var wide = BinaryPrimitives.ReadUInt32LittleEndian(src.Slice(s + 1));
                    offset = wide > int.MaxValue ? int.MaxValue : (int)wide;
                    s += 5;
                    break;
                }
            }

            if (offset <= 0 || offset > d)
            {
                throw Corrupt($"a copy's offset {offset} is outside the {d} bytes decoded so far");
            }

            if (copyLength > dst.Length - d)
            {
                throw Corrupt($"a copy of {copyLength} bytes runs past the block's stated length {length}");
            }

            lastOffset = offset;
            CopyWithin(dst, d, offset, copyLength);
            d += copyLength;
        }

        if (d != length)
        {
            throw Corrupt($"the block decodes to {d} bytes but its header states {length}");
        }
    }

    /// <summary>Copies <paramref name="length"/> bytes from <paramref name="offset"/> back, forwards (overlap repeats the pattern).</summary>
    private static void CopyWithin(Span<byte> dst, int d, int offset, int length)
    {
        if (offset >= length)
        {
            dst.Slice(d - offset, length).CopyTo(dst.Slice(d, length));
            return;
        }

        if (offset == 1)
        {
            dst.Slice(d, length).Fill(dst[d - 1]);
            return;
        }

        // The output is periodic with the offset, so any multiple of it is a period too: copy whole
        // periods, doubling the period each time, and never read bytes not yet written.
        var period = offset;
        while (length > 0)
        {
            var n = Math.Min(period, length);
            dst.Slice(d - period, n).CopyTo(dst.Slice(d, n));
            d += n;
            length -= n;
            period += n;
        }
    }

    internal static InvalidDataException Corrupt(string detail) => new("S2 block corrupt: " + detail);
}
