using System.Runtime.CompilerServices;
using System.Buffers;
using System.Buffers.Text;

namespace Modular.Core.Protocol;

/// <summary>Writes MSG and HMSG frames into a span; sizes are computed first so the caller reserves exactly.</summary>
public static class MessageEncoder
{
    /// <summary>Bytes of <c>MSG subject sid [reply] size\r\npayload\r\n</c>.</summary>
    public static int MsgLength(int subjectLength, int sidLength, int replyLength, int payloadLength) =>
        4 + subjectLength + 1 + sidLength + 1 + (replyLength > 0 ? replyLength + 1 : 0) + DigitCount(payloadLength) + 2 + payloadLength + 2;

    /// <summary>Bytes of <c>HMSG subject sid [reply] hdr total\r\nheaders+payload\r\n</c>.</summary>
    public static int HMsgLength(int subjectLength, int sidLength, int replyLength, int headerLength, int totalLength) =>
        5 + subjectLength + 1 + sidLength + 1 + (replyLength > 0 ? replyLength + 1 : 0) + DigitCount(headerLength) + 1 + DigitCount(totalLength) + 2 + totalLength + 2;

    [MethodImpl(MethodImplOptions.AggressiveOptimization)] // hot path: optimized from its first call (docs/architecture.md, "JIT")
    public static int WriteMsg(Span<byte> destination, ReadOnlySpan<byte> subject, ReadOnlySpan<byte> sid, ReadOnlySpan<byte> reply, in ReadOnlySequence<byte> payload)
    {
        var position = WritePrefix(destination, "MSG "u8, subject, sid, reply);
        position += WriteNumber(destination[position..], (int)payload.Length);
        return WriteBody(destination, position, payload);
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)] // hot path: optimized from its first call (docs/architecture.md, "JIT")
    public static int WriteHMsg(Span<byte> destination, ReadOnlySpan<byte> subject, ReadOnlySpan<byte> sid, ReadOnlySpan<byte> reply, int headerLength, in ReadOnlySequence<byte> payload)
    {
        var position = WritePrefix(destination, "HMSG "u8, subject, sid, reply);
        position += WriteNumber(destination[position..], headerLength);
        destination[position++] = (byte)' ';
        position += WriteNumber(destination[position..], (int)payload.Length);
        return WriteBody(destination, position, payload);
    }

    public static int DigitCount(int value)
    {
        var digits = 1;
        while (value >= 10)
        {
            value /= 10;
            digits++;
        }

        return digits;
    }

    private static int WritePrefix(Span<byte> destination, ReadOnlySpan<byte> verb, ReadOnlySpan<byte> subject, ReadOnlySpan<byte> sid, ReadOnlySpan<byte> reply)
    {
        verb.CopyTo(destination);
        var position = verb.Length;
        subject.CopyTo(destination[position..]);
        position += subject.Length;
        destination[position++] = (byte)' ';
        sid.CopyTo(destination[position..]);
        position += sid.Length;
        destination[position++] = (byte)' ';
        if (!reply.IsEmpty)
        {
            reply.CopyTo(destination[position..]);
            position += reply.Length;
            destination[position++] = (byte)' ';
        }

        return position;
    }

    private static int WriteBody(Span<byte> destination, int position, in ReadOnlySequence<byte> payload)
    {
        destination[position++] = (byte)'\r';
        destination[position++] = (byte)'\n';
        if (payload.IsSingleSegment)
        {
            payload.FirstSpan.CopyTo(destination[position..]);
        }
        else
        {
            payload.CopyTo(destination[position..]);
        }

        position += (int)payload.Length;
        destination[position++] = (byte)'\r';
        destination[position++] = (byte)'\n';
        return position;
    }

    private static int WriteNumber(Span<byte> destination, int value)
    {
        Utf8Formatter.TryFormat(value, destination, out var written);
        return written;
    }
}
