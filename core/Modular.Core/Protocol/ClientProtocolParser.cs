using System.Buffers;

namespace Modular.Core.Protocol;

/// <summary>
/// Parses the NATS client protocol from a <see cref="ReadOnlySequence{T}"/>. Pure and resumable:
/// it never does I/O, consumes an operation only once it is whole (payload included), and leaves
/// the buffer untouched when it needs more bytes, so the caller reads more and calls again. Verbs
/// are case-insensitive, arguments are split on spaces and tabs, a CR before LF is dropped.
/// One instance per connection: it owns a scratch buffer for control lines that straddle segments.
/// </summary>
public sealed class ClientProtocolParser
{
    // The longest verb with its separator ("CONNECT ") plus CR: a line without LF longer than
    // max_control_line plus this cannot become valid.
    private const int VerbAllowance = 10;

    private const int MaxArgs = 5;

    private readonly int _maxControlLine;
    private readonly int _maxPayload;
    private readonly byte[] _scratch;

    /// <param name="maxControlLine">Limit on the argument part of a control line.</param>
    /// <param name="maxPayload">Limit on PUB/HPUB sizes; a negative value means no limit.</param>
    public ClientProtocolParser(int maxControlLine, int maxPayload)
    {
        _maxControlLine = maxControlLine;
        _maxPayload = maxPayload;
        _scratch = new byte[maxControlLine + VerbAllowance + 2];
    }

    public ParseStatus TryParse(ref ReadOnlySequence<byte> buffer, out ClientCommand command, out ProtocolError error)
    {
        command = default;
        error = ProtocolError.None;
        if (buffer.IsEmpty)
        {
            return ParseStatus.Incomplete;
        }

        var first = buffer.FirstSpan;
        if (first.Length > 0 && !IsVerbStart(first[0]))
        {
            return Fail(ProtocolError.UnknownOperation, out error);
        }

        ReadOnlySpan<byte> line;
        long lineBytes; // the line including its LF
        var newline = first.IndexOf((byte)'\n');
        if (newline >= 0)
        {
            line = first[..newline];
            lineBytes = newline + 1;
        }
        else
        {
            var position = buffer.PositionOf((byte)'\n');
            if (position is null)
            {
                return buffer.Length > _maxControlLine + VerbAllowance
                    ? Fail(ProtocolError.MaxControlLineExceeded, out error)
                    : ParseStatus.Incomplete;
            }

            var lineSequence = buffer.Slice(0, position.Value);
            if (lineSequence.Length > _scratch.Length)
            {
                return Fail(ProtocolError.MaxControlLineExceeded, out error);
            }

            lineSequence.CopyTo(_scratch);
            line = _scratch.AsSpan(0, (int)lineSequence.Length);
            lineBytes = lineSequence.Length + 1;
        }

        if (line.Length > 0 && line[^1] == (byte)'\r')
        {
            line = line[..^1];
        }

        var status = ParseLine(line, ref command, out error);
        if (status != ParseStatus.Complete)
        {
            return status;
        }

        if (command.Op is ClientOp.Pub or ClientOp.HPub)
        {
            // The payload and its CRLF must be here too before anything is consumed.
            var afterLine = buffer.Slice(lineBytes);
            if (afterLine.Length < command.TotalSize + 2L)
            {
                command = default;
                return ParseStatus.Incomplete;
            }

            command.Payload = afterLine.Slice(0, command.TotalSize);
            var terminator = afterLine.Slice(command.TotalSize, 2);
            Span<byte> crlf = stackalloc byte[2];
            terminator.CopyTo(crlf);
            if (crlf[0] != (byte)'\r' || crlf[1] != (byte)'\n')
            {
                command = default;
                return Fail(ProtocolError.UnknownOperation, out error);
            }

            buffer = afterLine.Slice(command.TotalSize + 2);
            return ParseStatus.Complete;
        }

        buffer = buffer.Slice(lineBytes);
        return ParseStatus.Complete;
    }

    private ParseStatus ParseLine(ReadOnlySpan<byte> line, ref ClientCommand command, out ProtocolError error)
    {
        error = ProtocolError.None;
        if (StartsWithIgnoreCase(line, "PING"u8))
        {
            command.Op = ClientOp.Ping;
            return ParseStatus.Complete;
        }

        if (StartsWithIgnoreCase(line, "PONG"u8))
        {
            command.Op = ClientOp.Pong;
            return ParseStatus.Complete;
        }

        if (StartsWithIgnoreCase(line, "CONNECT"u8))
        {
            return ParseJsonOp(ClientOp.Connect, line["CONNECT".Length..], ref command, out error);
        }

        if (StartsWithIgnoreCase(line, "INFO"u8))
        {
            return ParseJsonOp(ClientOp.Info, line["INFO".Length..], ref command, out error);
        }

        ClientOp op;
        int verbLength;
        if (IsVerb(line, "PUB"u8))
        {
            (op, verbLength) = (ClientOp.Pub, 3);
        }
        else if (IsVerb(line, "HPUB"u8))
        {
            (op, verbLength) = (ClientOp.HPub, 4);
        }
        else if (IsVerb(line, "SUB"u8))
        {
            (op, verbLength) = (ClientOp.Sub, 3);
        }
        else if (IsVerb(line, "UNSUB"u8))
        {
            (op, verbLength) = (ClientOp.Unsub, 5);
        }
        else
        {
            return Fail(ProtocolError.UnknownOperation, out error);
        }

        var args = line[verbLength..].TrimStart(" \t"u8);
        if (args.Length > _maxControlLine)
        {
            return Fail(ProtocolError.MaxControlLineExceeded, out error);
        }

        Span<Range> ranges = stackalloc Range[MaxArgs + 1];
        var count = SplitArgs(args, ranges);
        command.Op = op;
        switch (op)
        {
            case ClientOp.Pub:
                return ParsePub(args, ranges[..count], ref command, out error);
            case ClientOp.HPub:
                return ParseHPub(args, ranges[..count], ref command, out error);
            case ClientOp.Sub:
                if (count is < 2 or > 3)
                {
                    return Fail(ProtocolError.BadArguments, out error);
                }

                command.Subject = args[ranges[0]];
                if (count == 3)
                {
                    command.Queue = args[ranges[1]];
                }

                command.Sid = args[ranges[count - 1]];
                return ParseStatus.Complete;
            default: // UNSUB
                if (count is < 1 or > 2)
                {
                    return Fail(ProtocolError.BadArguments, out error);
                }

                command.Sid = args[ranges[0]];
                if (count == 2)
                {
                    var max = ParseNumber(args[ranges[1]]);
                    if (max < 0)
                    {
                        return Fail(ProtocolError.BadArguments, out error);
                    }

                    command.MaxMessages = max;
                }

                return ParseStatus.Complete;
        }
    }

    private ParseStatus ParsePub(ReadOnlySpan<byte> args, scoped ReadOnlySpan<Range> ranges, ref ClientCommand command, out ProtocolError error)
    {
        if (ranges.Length is < 2 or > 3)
        {
            return Fail(ProtocolError.BadArguments, out error);
        }

        command.Subject = args[ranges[0]];
        if (ranges.Length == 3)
        {
            command.Reply = args[ranges[1]];
        }

        var size = ParseNumber(args[ranges[^1]]);
        if (size is < 0 or > int.MaxValue - 2)
        {
            return Fail(ProtocolError.BadArguments, out error);
        }

        command.TotalSize = (int)size;
        return CheckPayloadLimit(command.TotalSize, out error);
    }

    private ParseStatus ParseHPub(ReadOnlySpan<byte> args, scoped ReadOnlySpan<Range> ranges, ref ClientCommand command, out ProtocolError error)
    {
        if (ranges.Length is < 3 or > 4)
        {
            return Fail(ProtocolError.BadArguments, out error);
        }

        command.Subject = args[ranges[0]];
        if (ranges.Length == 4)
        {
            command.Reply = args[ranges[1]];
        }

        var headerSize = ParseNumber(args[ranges[^2]]);
        var totalSize = ParseNumber(args[ranges[^1]]);
        if (headerSize < 0 || totalSize is < 0 or > int.MaxValue - 2 || headerSize > totalSize)
        {
            return Fail(ProtocolError.BadArguments, out error);
        }

        command.HeaderSize = (int)headerSize;
        command.TotalSize = (int)totalSize;
        return CheckPayloadLimit(command.TotalSize, out error);
    }

    private ParseStatus CheckPayloadLimit(int size, out ProtocolError error)
    {
        if (_maxPayload >= 0 && size > _maxPayload)
        {
            return Fail(ProtocolError.MaxPayloadExceeded, out error);
        }

        error = ProtocolError.None;
        return ParseStatus.Complete;
    }

    private ParseStatus ParseJsonOp(ClientOp op, ReadOnlySpan<byte> rest, ref ClientCommand command, out ProtocolError error)
    {
        var json = rest.Trim(" \t"u8);
        if (json.Length > _maxControlLine)
        {
            return Fail(ProtocolError.MaxControlLineExceeded, out error);
        }

        error = ProtocolError.None;
        command.Op = op;
        command.Json = json;
        return ParseStatus.Complete;
    }

    /// <summary>Splits on runs of spaces and tabs; returns how many arguments (more than MaxArgs counts as MaxArgs+1).</summary>
    private static int SplitArgs(ReadOnlySpan<byte> args, Span<Range> ranges)
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
                return count; // too many: the caller's arity check rejects it
            }

            ranges[count++] = new Range(start, i);
        }

        return count;
    }

    /// <summary>A non-negative decimal number, or -1 when the text is not one (as nats-server's parseSize).</summary>
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

    private static bool IsVerbStart(byte b) => (b | 0x20) is (byte)'c' or (byte)'i' or (byte)'p' or (byte)'h' or (byte)'s' or (byte)'u';

    /// <summary>The line starts with the verb (any case) followed by a space or tab.</summary>
    private static bool IsVerb(ReadOnlySpan<byte> line, ReadOnlySpan<byte> verb) =>
        line.Length > verb.Length && StartsWithIgnoreCase(line, verb) && (line[verb.Length] == (byte)' ' || line[verb.Length] == (byte)'\t');

    private static bool StartsWithIgnoreCase(ReadOnlySpan<byte> line, ReadOnlySpan<byte> upperVerb)
    {
        if (line.Length < upperVerb.Length)
        {
            return false;
        }

        for (var i = 0; i < upperVerb.Length; i++)
        {
            if ((line[i] & 0xDF) != upperVerb[i])
            {
                return false;
            }
        }

        return true;
    }

    private static ParseStatus Fail(ProtocolError reason, out ProtocolError error)
    {
        error = reason;
        return ParseStatus.Error;
    }
}
