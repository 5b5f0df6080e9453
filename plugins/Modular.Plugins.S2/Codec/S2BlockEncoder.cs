using System.Buffers.Binary;
using System.Numerics;

namespace Modular.Plugins.S2.Codec;

/// <summary>
/// Encodes S2 blocks (LZ77 with hash tables; literal, copy1/2/4 and S2 repeat elements). An instance
/// keeps its hash tables between blocks, so it is not thread-safe: one per writer.
/// </summary>
public sealed class S2BlockEncoder
{
    // Below this many bytes a block is one literal: matching needs room to look ahead.
    private const int MinMatchInput = 17;

    // Matching stops this many bytes before the end, so 8-byte loads at a candidate position never overrun.
    private const int InputMargin = 16;

    private int[] _table = Array.Empty<int>();
    private int[] _longTable = Array.Empty<int>();

    /// <summary>Encodes <paramref name="source"/> (at most <see cref="S2Block.MaxBlockSize"/> bytes) into <paramref name="destination"/>; returns the bytes written.</summary>
    /// <param name="destination">At least <see cref="S2Block.MaxEncodedLength"/> of the source length.</param>
    /// <param name="level"><see cref="S2Level.Uncompressed"/> gives a block of literals only.</param>
    /// <param name="snappyCompatible">True to emit no S2 repeat elements, so plain Snappy decoders read the block too.</param>
    public int Encode(ReadOnlySpan<byte> source, Span<byte> destination, S2Level level, bool snappyCompatible = false)
    {
        if (source.Length > S2Block.MaxBlockSize)
        {
            throw new ArgumentException($"a block holds at most {S2Block.MaxBlockSize} bytes, got {source.Length}", nameof(source));
        }

        if (destination.Length < S2Block.MaxEncodedLength(source.Length))
        {
            throw new ArgumentException("the destination is smaller than MaxEncodedLength(source.Length)", nameof(destination));
        }

        var d = PutUvarint(destination, (uint)source.Length);
        if (source.Length < MinMatchInput || level == S2Level.Uncompressed)
        {
            return source.IsEmpty ? d : EmitLiteral(destination, d, source);
        }

        return level == S2Level.Fast
            ? d + EncodeFast(source, destination[d..], snappyCompatible)
            : d + EncodeBetter(source, destination[d..], snappyCompatible, level == S2Level.Best);
    }

    /// <summary>About one table entry per 4 input bytes (clearing the table is paid per block: small flushes get small tables).</summary>
    private static int TableBits(int length, int maxBits)
    {
        var bits = 32 - BitOperations.LeadingZeroCount((uint)length) - 2;
        return Math.Clamp(bits, 8, maxBits);
    }

    private static int[] Table(ref int[] table, int bits)
    {
        var size = 1 << bits;
        if (table.Length < size)
        {
            table = new int[Math.Max(size, table.Length * 2)];
        }
        else
        {
            Array.Clear(table, 0, size);
        }

        return table;
    }

    private static uint Load32(ReadOnlySpan<byte> src, int i) => BinaryPrimitives.ReadUInt32LittleEndian(src.Slice(i));

    private static ulong Load64(ReadOnlySpan<byte> src, int i) => BinaryPrimitives.ReadUInt64LittleEndian(src.Slice(i));

    private static int Hash4(uint u, int bits) => (int)((u * 0x1E35A7BDu) >> (32 - bits));

    private static int Hash6(ulong u, int bits) => (int)(((u << 16) * 0xCF1BBCDCBF9B0000ul) >> (64 - bits));

    /// <summary>The first position where <c>src[a..]</c> and <c>src[b..]</c> differ (as a position after b); a &lt; b.</summary>
    private static int ExtendMatch(ReadOnlySpan<byte> src, int a, int b)
    {
        var limit = src.Length - 8;
        while (b <= limit)
        {
            var x = Load64(src, a) ^ Load64(src, b);
            if (x != 0)
            {
                return b + (BitOperations.TrailingZeroCount(x) >> 3);
            }

            a += 8;
            b += 8;
        }

        while (b < src.Length && src[a] == src[b])
        {
            a++;
            b++;
        }

        return b;
    }

    private int EncodeFast(ReadOnlySpan<byte> src, Span<byte> dst, bool snappy)
    {
        var bits = TableBits(src.Length, 15);
        var table = Table(ref _table, bits);
        var sLimit = src.Length - InputMargin;
        var nextEmit = 0;
        var d = 0;
        var s = 1;
        var lastOffset = 0;
        var nextHash = Hash4(Load32(src, s), bits);
        while (true)
        {
            var skip = 32;
            var nextS = s;
            int candidate;
            do
            {
                s = nextS;
                var step = skip >> 5;
                nextS = s + step;
                skip += step;
                if (nextS > sLimit)
                {
                    goto Remainder;
                }

                candidate = table[nextHash];
                table[nextHash] = s;
                nextHash = Hash4(Load32(src, nextS), bits);
            }
            while (Load32(src, s) != Load32(src, candidate));

            d = EmitLiteral(dst, d, src[nextEmit..s]);
            uint next;
            do
            {
                var start = s;
                s = ExtendMatch(src, candidate + 4, s + 4);
                var offset = start - candidate;
                d = EmitCopy(dst, d, offset, s - start, ref lastOffset, snappy);
                nextEmit = s;
                if (s >= sLimit)
                {
                    goto Remainder;
                }

                var x = Load64(src, s - 1);
                table[Hash4((uint)x, bits)] = s - 1;
                var h = Hash4((uint)(x >> 8), bits);
                candidate = table[h];
                table[h] = s;
                next = (uint)(x >> 8);
            }
            while (next == Load32(src, candidate));

            s++;
            nextHash = Hash4(Load32(src, s), bits);
        }

    Remainder:
        if (nextEmit < src.Length)
        {
            d = EmitLiteral(dst, d, src[nextEmit..]);
        }

        return d;
    }

    private int EncodeBetter(ReadOnlySpan<byte> src, Span<byte> dst, bool snappy, bool best)
    {
        var longBits = TableBits(src.Length * 2, best ? 19 : 17);
        var shortBits = TableBits(src.Length, best ? 17 : 16);
        var longTable = Table(ref _longTable, longBits);
        var shortTable = Table(ref _table, shortBits);
        var sLimit = src.Length - InputMargin;
        var nextEmit = 0;
        var d = 0;
        var s = 1;
        var lastOffset = 0;
        while (s < sLimit)
        {
            var cv = Load64(src, s);
            var hl = Hash6(cv, longBits);
            var hs = Hash4((uint)cv, shortBits);
            var candidateLong = longTable[hl];
            var candidateShort = shortTable[hs];
            longTable[hl] = s;
            shortTable[hs] = s;

            int candidate;
            if (Load64(src, candidateLong) == cv && candidateLong < s)
            {
                candidate = candidateLong;
            }
            else if (!snappy && lastOffset > 0 && s + 1 - lastOffset > 0 && Load32(src, s + 1) == Load32(src, s + 1 - lastOffset))
            {
                // The last offset one byte ahead: cheap to check, and cheap to emit as a repeat.
                s++;
                candidate = s - lastOffset;
            }
            else if ((uint)cv == Load32(src, candidateShort) && candidateShort < s)
            {
                candidate = candidateShort;

                // A short match: a long one starting one byte later is usually better.
                var cv1 = Load64(src, s + 1);
                var h1 = Hash6(cv1, longBits);
                var candidate1 = longTable[h1];
                longTable[h1] = s + 1;
                if (candidate1 < s + 1 && Load64(src, candidate1) == cv1 && ExtendMatch(src, candidateShort + 4, s + 4) - s < 9)
                {
                    s++;
                    candidate = candidate1;
                }
            }
            else
            {
                s += best ? 1 + ((s - nextEmit) >> 9) : 1 + ((s - nextEmit) >> 6);
                continue;
            }

            // Extend backwards over bytes the literal would otherwise carry.
            while (candidate > 0 && s > nextEmit && src[candidate - 1] == src[s - 1])
            {
                candidate--;
                s--;
            }

            var start = s;
            var end = ExtendMatch(src, candidate + 4, s + 4);
            if (best && end < sLimit)
            {
                // Lazy: does the next position start a longer match?
                var cv2 = Load64(src, s + 1);
                var candidate2 = longTable[Hash6(cv2, longBits)];
                if (candidate2 < s + 1 && Load64(src, candidate2) == cv2)
                {
                    var end2 = ExtendMatch(src, candidate2 + 8, s + 9);
                    if (end2 - (s + 1) > end - s + 1)
                    {
                        start = s + 1;
                        candidate = candidate2;
                        end = end2;
                    }
                }
            }

            d = EmitLiteral(dst, d, src[nextEmit..start]);
            d = EmitCopy(dst, d, start - candidate, end - start, ref lastOffset, snappy);
            nextEmit = end;
            s = end;
            if (s >= sLimit)
            {
                break;
            }

            // Index the match: every position for best, else its start, middle and end.
            if (best)
            {
                var limit = Math.Min(end - 1, start + 256);
                for (var i = start + 1; i < limit; i++)
                {
                    var v = Load64(src, i);
                    longTable[Hash6(v, longBits)] = i;
                    shortTable[Hash4((uint)v, shortBits)] = i;
                }
            }
            else
            {
                var v0 = Load64(src, start + 1);
                longTable[Hash6(v0, longBits)] = start + 1;
                shortTable[Hash4((uint)v0, shortBits)] = start + 1;
                var mid = (start + end) >> 1;
                longTable[Hash6(Load64(src, mid), longBits)] = mid;
            }

            var v1 = Load64(src, end - 2);
            longTable[Hash6(v1, longBits)] = end - 2;
            shortTable[Hash4((uint)(v1 >> 8), shortBits)] = end - 1;
        }

        if (nextEmit < src.Length)
        {
            d = EmitLiteral(dst, d, src[nextEmit..]);
        }

        return d;
    }

    internal static int PutUvarint(Span<byte> dst, uint value)
    {
        var i = 0;
        while (value >= 0x80)
        {
            dst[i++] = (byte)(value | 0x80);
            value >>= 7;
        }

        dst[i++] = (byte)value;
        return i;
    }

    internal static int EmitLiteral(Span<byte> dst, int d, ReadOnlySpan<byte> literal)
    {
        if (literal.IsEmpty)
        {
            return d;
        }

        var n = (uint)(literal.Length - 1);
        if (n < 60)
        {
            dst[d++] = (byte)(n << 2);
        }
        else if (n < 1 << 8)
        {
            dst[d] = 60 << 2;
            dst[d + 1] = (byte)n;
            d += 2;
        }
        else if (n < 1 << 16)
        {
            dst[d] = 61 << 2;
            BinaryPrimitives.WriteUInt16LittleEndian(dst.Slice(d + 1), (ushort)n);
            d += 3;
        }
        else if (n < 1 << 24)
        {
            dst[d] = 62 << 2;
            dst[d + 1] = (byte)n;
            dst[d + 2] = (byte)(n >> 8);
            dst[d + 3] = (byte)(n >> 16);
            d += 4;
        }
        else
        {
            dst[d] = 63 << 2;
            BinaryPrimitives.WriteUInt32LittleEndian(dst.Slice(d + 1), n);
            d += 5;
        }

        literal.CopyTo(dst.Slice(d));
        return d + literal.Length;
    }

    /// <summary>A copy of <paramref name="length"/> (≥ 4) bytes from <paramref name="offset"/> back; S2 repeats unless <paramref name="snappy"/>.</summary>
    internal static int EmitCopy(Span<byte> dst, int d, int offset, int length, ref int lastOffset, bool snappy)
    {
        if (snappy)
        {
            return EmitSnappyCopy(dst, d, offset, length);
        }

        if (offset == lastOffset)
        {
            return EmitRepeat(dst, d, length);
        }

        lastOffset = offset;
        if (length <= 64)
        {
            return EmitSnappyCopy(dst, d, offset, length);
        }

        // One copy element for the first part, then a repeat (same offset) for the rest.
        var first = offset < 2048 ? 11 : 64;
        if (length - first < 4)
        {
            first = length - 4;
        }

        d = EmitSnappyCopy(dst, d, offset, first);
        return EmitRepeat(dst, d, length - first);
    }

    /// <summary>An S2 repeat of the last offset: a copy1 tag with offset 0 and a length code.</summary>
    internal static int EmitRepeat(Span<byte> dst, int d, int length)
    {
        if (length <= 8)
        {
            dst[d] = (byte)(1 | ((length - 4) << 2));
            dst[d + 1] = 0;
            return d + 2;
        }

        if (length < 264)
        {
            dst[d] = 1 | (5 << 2);
            dst[d + 1] = 0;
            dst[d + 2] = (byte)(length - 8);
            return d + 3;
        }

        if (length < 65540)
        {
            dst[d] = 1 | (6 << 2);
            dst[d + 1] = 0;
            BinaryPrimitives.WriteUInt16LittleEndian(dst.Slice(d + 2), (ushort)(length - 260));
            return d + 4;
        }

        var rest = length - 65540;
        dst[d] = 1 | (7 << 2);
        dst[d + 1] = 0;
        dst[d + 2] = (byte)rest;
        dst[d + 3] = (byte)(rest >> 8);
        dst[d + 4] = (byte)(rest >> 16);
        return d + 5;
    }

    /// <summary>Snappy copies: at most 64 bytes per element, copy1 when short and near, else copy2 or copy4.</summary>
    private static int EmitSnappyCopy(Span<byte> dst, int d, int offset, int length)
    {
        while (length >= 68)
        {
            d = EmitCopyElement(dst, d, offset, 64);
            length -= 64;
        }

        if (length > 64)
        {
            d = EmitCopyElement(dst, d, offset, 60);
            length -= 60;
        }

        return EmitCopyElement(dst, d, offset, length);
    }

    private static int EmitCopyElement(Span<byte> dst, int d, int offset, int length)
    {
        if (length <= 11 && offset < 2048 && length >= 4)
        {
            dst[d] = (byte)(1 | ((length - 4) << 2) | ((offset >> 8) << 5));
            dst[d + 1] = (byte)offset;
            return d + 2;
        }

        if (offset < 65536)
        {
            dst[d] = (byte)(2 | ((length - 1) << 2));
            BinaryPrimitives.WriteUInt16LittleEndian(dst.Slice(d + 1), (ushort)offset);
            return d + 3;
        }

        dst[d] = (byte)(3 | ((length - 1) << 2));
        BinaryPrimitives.WriteUInt32LittleEndian(dst.Slice(d + 1), (uint)offset);
        return d + 5;
    }
}
