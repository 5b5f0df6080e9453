using System.Runtime.CompilerServices;
using System.Buffers;

namespace Modular.Core.Protocol;

/// <summary>
/// The framing both parsers share: control lines ending in LF (a CR before it dropped), arguments
/// split on spaces and tabs, case-insensitive verbs, decimal sizes, and payloads followed by CRLF.
/// </summary>
internal static class ProtocolText
{
    public enum LineStatus
    {
        Complete,
        Incomplete,
        TooLong,
    }

    /// <summary>
    /// Finds the first control line. When it straddles segments it is copied into <paramref name="scratch"/>.
    /// <paramref name="lineBytes"/> counts the line with its LF.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)] // hot path: optimized from its first call (docs/architecture.md, "JIT")
    public static LineStatus TryReadLine(in ReadOnlySequence<byte> buffer, byte[] scratch, long longestLine, out ReadOnlySpan<byte> line, out long lineBytes)
    {
        var first = buffer.FirstSpan;
        var newline = first.IndexOf((byte)'\n');
        if (newline >= 0)
        {
            line = first[..newline];
            lineBytes = newline + 1;
        }
        else
        {
            line = default;
            lineBytes = 0;
            var position = buffer.PositionOf((byte)'\n');
            if (position is null)
            {
                return buffer.Length > longestLine ? LineStatus.TooLong : LineStatus.Incomplete;
            }

            var lineSequence = buffer.Slice(0, position.Value);
            if (lineSequence.Length > scratch.Length)
            {
                return LineStatus.TooLong;
            }

            lineSequence.CopyTo(scratch);
            line = scratch.AsSpan(0, (int)lineSequence.Length);
            lineBytes = lineSequence.Length + 1;
        }

        if (line.Length > 0 && line[^1] == (byte)'\r')
        {
            line = line[..^1];
        }

        return LineStatus.Complete;
    }

    public enum PayloadStatus
    {
        Complete,
        Incomplete,
        BadTerminator,
    }

    /// <summary>The payload of <paramref name="size"/> bytes after the line, which must be followed by CRLF; <paramref name="rest"/> is what follows.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)] // hot path: optimized from its first call (docs/architecture.md, "JIT")
    public static PayloadStatus TryReadPayload(in ReadOnlySequence<byte> buffer, long lineBytes, int size, out ReadOnlySequence<byte> payload, out ReadOnlySequence<byte> rest)
    {
        // Fast path: the whole frame sits in the first segment, as nearly every small message does.
        var first = buffer.FirstSpan;
        var end = lineBytes + size + 2;
        if (first.Length >= end)
        {
            payload = buffer.Slice(lineBytes, size);
            rest = buffer.Slice(end);
            return first[(int)end - 2] == (byte)'\r' && first[(int)end - 1] == (byte)'\n' ? PayloadStatus.Complete : PayloadStatus.BadTerminator;
        }

        var afterLine = buffer.Slice(lineBytes);
        if (afterLine.Length < size + 2L)
        {
            payload = rest = default;
            return PayloadStatus.Incomplete;
        }

        payload = afterLine.Slice(0, size);
        var terminator = afterLine.Slice(size, 2);
        Span<byte> crlf = stackalloc byte[2];
        terminator.CopyTo(crlf);
        rest = afterLine.Slice(size + 2);
        return crlf[0] == (byte)'\r' && crlf[1] == (byte)'\n' ? PayloadStatus.Complete : PayloadStatus.BadTerminator;
    }

    /// <summary>Splits on runs of spaces and tabs; stops once <paramref name="ranges"/> is full and returns its length plus one then.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)] // hot path: optimized from its first call (docs/architecture.md, "JIT")
    public static int SplitArgs(ReadOnlySpan<byte> args, Span<Range> ranges)
    {
        var count = 0;
        var i = 0;
        while (i < args.Length)
        {
            while (i < args.Length && (args[i] == (byte)' ' || args[i] == (byte)'\t'))
            {
                i++;
            }

            if (i == args.Length)
            {
                break;
            }

            var start = i;
            while (i < args.Length && args[i] != (byte)' ' && args[i] != (byte)'\t')
            {
                i++;
            }

            if (count == ranges.Length)
            {
                return count + 1; // too many: the caller's arity check rejects it
            }

            ranges[count++] = new Range(start, i);
        }

        return count;
    }

    /// <summary>A non-negative decimal number, or -1 when the text is not one (as nats-server's parseSize).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)] // hot path: optimized from its first call (docs/architecture.md, "JIT")
    public static long ParseNumber(ReadOnlySpan<byte> digits)
    {
        if (digits.IsEmpty || digits.Length > 18)
        {
            return -1;
        }

        long value = 0;
        foreach (var b in digits)
        {
            var d = b - (byte)'0';
            if ((uint)d > 9)
            {
                return -1;
            }

            value = (value * 10) + d;
        }

        return value;
    }

    public static bool StartsWithIgnoreCase(ReadOnlySpan<byte> line, ReadOnlySpan<byte> upperVerb)
    {
        if (line.Length < upperVerb.Length)
        {
            return false;
        }

        for (var i = 0; i < upperVerb.Length; i++)
        {
            var b = line[i];
            if (b is >= (byte)'a' and <= (byte)'z')
            {
                b -= 0x20;
            }

            if (b != upperVerb[i])
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>The line starts with the verb (any case) followed by a space or tab.</summary>
    public static bool IsVerb(ReadOnlySpan<byte> line, ReadOnlySpan<byte> verb) =>
        line.Length > verb.Length && StartsWithIgnoreCase(line, verb) && (line[verb.Length] == (byte)' ' || line[verb.Length] == (byte)'\t');
}
