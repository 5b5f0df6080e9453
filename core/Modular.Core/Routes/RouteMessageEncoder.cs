using System.Runtime.CompilerServices;
using System.Buffers;
using System.Buffers.Text;

namespace Modular.Core.Routes;

/// <summary>
/// Writes RMSG/HMSG frames: <c>RMSG [acc] subject [+ reply q… | | q… | reply] size</c> (HMSG adds
/// the header size before the total). The account is left out on pinned-account routes. A gateway
/// writes its reply prefix (<c>_GR_.&lt;cluster&gt;.&lt;server&gt;.</c>) before a reply; the length
/// passed for the reply then includes it.
/// </summary>
internal static class RouteMessageEncoder
{
    /// <param name="originLength">The length of a leaf origin written after the verb (LMSG to a peer that said lnoc); 0 for none.</param>
    public static int Length(int accountLength, int subjectLength, int replyLength, List<byte[]>? queues, int headerSize, int totalSize, bool withHeaders, int originLength = 0)
    {
        var length = 5 + (originLength > 0 ? originLength + 1 : 0) + (accountLength > 0 ? accountLength + 1 : 0) + subjectLength + 1;
        if (queues is { Count: > 0 })
        {
            length += 2; // "+ " or "| "
            if (replyLength > 0)
            {
                length += replyLength + 1;
            }

            foreach (var queue in queues)
            {
                length += queue.Length + 1;
            }
        }
        else if (replyLength > 0)
        {
            length += replyLength + 1;
        }

        if (withHeaders)
        {
            length += Protocol.MessageEncoder.DigitCount(headerSize) + 1;
        }

        return length + Protocol.MessageEncoder.DigitCount(totalSize) + 2 + totalSize + 2;
    }

    public static int Write(Span<byte> destination, ReadOnlySpan<byte> account, ReadOnlySpan<byte> subject, ReadOnlySpan<byte> reply, List<byte[]>? queues, int headerSize, in ReadOnlySequence<byte> payload, bool withHeaders) =>
        Write(destination, account, subject, ReadOnlySpan<byte>.Empty, reply, queues, headerSize, payload, withHeaders);

    /// <summary>As the other overload, with <paramref name="replyPrefix"/> written before a non-empty reply.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)] // hot path: optimized from its first call (docs/architecture.md, "JIT")
    /// <param name="origin">A leaf origin cluster: written as <c>LMSG origin …</c> (always with a header size, as nats-server); empty for RMSG/HMSG.</param>
    public static int Write(Span<byte> destination, ReadOnlySpan<byte> account, ReadOnlySpan<byte> subject, ReadOnlySpan<byte> replyPrefix, ReadOnlySpan<byte> reply, List<byte[]>? queues, int headerSize, in ReadOnlySequence<byte> payload, bool withHeaders, ReadOnlySpan<byte> origin = default)
    {
        var position = 0;
        if (!origin.IsEmpty)
        {
            withHeaders = true;
            Append(destination, ref position, "LMSG "u8);
            Append(destination, ref position, origin);
            destination[position++] = (byte)' ';
        }
        else
        {
            Append(destination, ref position, withHeaders ? "HMSG "u8 : "RMSG "u8);
        }

        if (!account.IsEmpty)
        {
            Append(destination, ref position, account);
            destination[position++] = (byte)' ';
        }

        Append(destination, ref position, subject);
        destination[position++] = (byte)' ';
        if (queues is { Count: > 0 })
        {
            destination[position++] = reply.IsEmpty ? (byte)'|' : (byte)'+';
            destination[position++] = (byte)' ';
            if (!reply.IsEmpty)
            {
                Append(destination, ref position, replyPrefix);
                Append(destination, ref position, reply);
                destination[position++] = (byte)' ';
            }

            foreach (var queue in queues)
            {
                Append(destination, ref position, queue);
                destination[position++] = (byte)' ';
            }
        }
        else if (!reply.IsEmpty)
        {
            Append(destination, ref position, replyPrefix);
            Append(destination, ref position, reply);
            destination[position++] = (byte)' ';
        }

        if (withHeaders)
        {
            Utf8Formatter.TryFormat(headerSize, destination[position..], out var written);
            position += written;
            destination[position++] = (byte)' ';
        }

        Utf8Formatter.TryFormat((int)payload.Length, destination[position..], out var sizeWritten);
        position += sizeWritten;
        destination[position++] = (byte)'\r';
        destination[position++] = (byte)'\n';
        payload.CopyTo(destination[position..]);
        position += (int)payload.Length;
        destination[position++] = (byte)'\r';
        destination[position++] = (byte)'\n';
        return position;
    }

    private static void Append(Span<byte> destination, ref int position, ReadOnlySpan<byte> bytes)
    {
        bytes.CopyTo(destination[position..]);
        position += bytes.Length;
    }
}
