using System.Runtime.CompilerServices;
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

    [MethodImpl(MethodImplOptions.AggressiveOptimization)] // hot path: optimized from its first call (docs/architecture.md, "JIT")
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

        var lineStatus = ProtocolText.TryReadLine(buffer, _scratch, _maxControlLine + VerbAllowance, out var line, out var lineBytes);
        if (lineStatus == ProtocolText.LineStatus.Incomplete)
        {
            return ParseStatus.Incomplete;
        }

        if (lineStatus == ProtocolText.LineStatus.TooLong)
        {
            return Fail(ProtocolError.MaxControlLineExceeded, out error);
        }

        var status = ParseLine(line, ref command, out error);
        if (status != ParseStatus.Complete)
        {
            return status;
        }

        if (command.Op is ClientOp.Pub or ClientOp.HPub)
        {
            // The payload and its CRLF must be here too before anything is consumed.
            switch (ProtocolText.TryReadPayload(buffer, lineBytes, command.TotalSize, out var payload, out var rest))
            {
                case ProtocolText.PayloadStatus.Incomplete:
                    command = default;
                    return ParseStatus.Incomplete;
                case ProtocolText.PayloadStatus.BadTerminator:
                    command = default;
                    return Fail(ProtocolError.UnknownOperation, out error);
            }

            command.Payload = payload;
            buffer = rest;
            return ParseStatus.Complete;
        }

        buffer = buffer.Slice(lineBytes);
        return ParseStatus.Complete;
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)] // hot path: optimized from its first call (docs/architecture.md, "JIT")
    private ParseStatus ParseLine(ReadOnlySpan<byte> line, ref ClientCommand command, out ProtocolError error)
    {
        error = ProtocolError.None;
        ClientOp op;
        int verbLength;

        // Messages first: PUB is nearly every line a busy connection sends.
        if (ProtocolText.IsVerb(line, "PUB"u8))
        {
            (op, verbLength) = (ClientOp.Pub, 3);
        }
        else if (ProtocolText.IsVerb(line, "HPUB"u8))
        {
            (op, verbLength) = (ClientOp.HPub, 4);
        }
        else if (ProtocolText.StartsWithIgnoreCase(line, "PING"u8))
        {
            command.Op = ClientOp.Ping;
            return ParseStatus.Complete;
        }
        else if (ProtocolText.StartsWithIgnoreCase(line, "PONG"u8))
        {
            command.Op = ClientOp.Pong;
            return ParseStatus.Complete;
        }
        else if (ProtocolText.IsVerb(line, "SUB"u8))
        {
            (op, verbLength) = (ClientOp.Sub, 3);
        }
        else if (ProtocolText.IsVerb(line, "UNSUB"u8))
        {
            (op, verbLength) = (ClientOp.Unsub, 5);
        }
        else if (ProtocolText.StartsWithIgnoreCase(line, "CONNECT"u8))
        {
            return ParseJsonOp(ClientOp.Connect, line["CONNECT".Length..], ref command, out error);
        }
        else if (ProtocolText.StartsWithIgnoreCase(line, "INFO"u8))
        {
            return ParseJsonOp(ClientOp.Info, line["INFO".Length..], ref command, out error);
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
        var count = ProtocolText.SplitArgs(args, ranges);
        if (count > MaxArgs)
        {
            return Fail(ProtocolError.BadArguments, out error);
        }

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

    [MethodImpl(MethodImplOptions.AggressiveOptimization)] // hot path: optimized from its first call (docs/architecture.md, "JIT")
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

    /// <summary>A non-negative decimal number, or -1 when the text is not one (as nats-server's parseSize).</summary>
    public static long ParseNumber(ReadOnlySpan<byte> digits) => ProtocolText.ParseNumber(digits);

    private static bool IsVerbStart(byte b) => (b | 0x20) is (byte)'c' or (byte)'i' or (byte)'p' or (byte)'h' or (byte)'s' or (byte)'u';

    private static ParseStatus Fail(ProtocolError reason, out ProtocolError error)
    {
        error = reason;
        return ParseStatus.Error;
    }
}
