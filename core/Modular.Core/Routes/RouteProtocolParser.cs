using System.Runtime.CompilerServices;
using System.Buffers;
using Modular.Core.Protocol;

namespace Modular.Core.Routes;

/// <summary>
/// Parses the route protocol (RS+/RS-, LS+/LS-, RMSG/HMSG/LMSG, INFO, CONNECT, PING/PONG, -ERR,
/// +OK, A+/A-) from a <see cref="ReadOnlySequence{T}"/>. Pure and resumable like the client
/// parser: it consumes an operation only when it is whole. Routes have no payload limit, and
/// their control lines may be 16 times the client limit. On a pinned-account route the account
/// field is absent; set <see cref="AccountImplied"/> once the handshake says so.
/// </summary>
public sealed class RouteProtocolParser
{
    private const int VerbAllowance = 10;

    private readonly int _maxControlLine;
    private readonly byte[] _scratch;
    private readonly Range[] _ranges = new Range[512];

    public RouteProtocolParser(int maxControlLine)
    {
        _maxControlLine = maxControlLine;
        _scratch = new byte[maxControlLine + VerbAllowance + 2];
    }

    /// <summary>True on a pinned-account route: RS+/RS-/RMSG carry no account.</summary>
    public bool AccountImplied { get; set; }

    /// <summary>
    /// True on a leaf node connection (nats-server leafnode.go): LS+/LS- carry no origin and LMSG is a
    /// message without headers (<c>LMSG subject [reply | + reply q… | | q…] size</c>); HMSG as on routes.
    /// Set with <see cref="AccountImplied"/>: a leaf connection is bound to one account.
    /// </summary>
    public bool LeafDialect { get; init; }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)] // hot path: optimized from its first call (docs/architecture.md, "JIT")
    public ParseStatus TryParse(ref ReadOnlySequence<byte> buffer, out RouteCommand command, out ProtocolError error)
    {
        command = default;
        error = ProtocolError.None;
        if (buffer.IsEmpty)
        {
            return ParseStatus.Incomplete;
        }

        switch (ProtocolText.TryReadLine(buffer, _scratch, _maxControlLine + VerbAllowance, out var line, out var lineBytes))
        {
            case ProtocolText.LineStatus.Incomplete:
                return ParseStatus.Incomplete;
            case ProtocolText.LineStatus.TooLong:
                return Fail(ProtocolError.MaxControlLineExceeded, out error);
        }

        var status = ParseLine(line, ref command, out error);
        if (status != ParseStatus.Complete)
        {
            return status;
        }

        if (command.Op != RouteOp.Message)
        {
            buffer = buffer.Slice(lineBytes);
            return ParseStatus.Complete;
        }

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

    [MethodImpl(MethodImplOptions.AggressiveOptimization)] // hot path: optimized from its first call (docs/architecture.md, "JIT")
    private ParseStatus ParseLine(ReadOnlySpan<byte> line, ref RouteCommand command, out ProtocolError error)
    {
        error = ProtocolError.None;

        // Messages and interest first: they are nearly every line a busy route carries.
        var verbLength = line.IndexOfAny((byte)' ', (byte)'\t');
        if (verbLength is 3 or 4)
        {
            var verb = line[..verbLength];
            var status = ParseArgumentVerb(verb, line[verbLength..].TrimStart(" \t"u8), ref command, out error);
            if (status != ParseStatus.Error || error != ProtocolError.UnknownOperation)
            {
                return status;
            }
        }

        if (ProtocolText.StartsWithIgnoreCase(line, "PING"u8))
        {
            command.Op = RouteOp.Ping;
            return ParseStatus.Complete;
        }

        if (ProtocolText.StartsWithIgnoreCase(line, "PONG"u8))
        {
            command.Op = RouteOp.Pong;
            return ParseStatus.Complete;
        }

        if (ProtocolText.StartsWithIgnoreCase(line, "+OK"u8))
        {
            command.Op = RouteOp.Ok;
            return ParseStatus.Complete;
        }

        if (ProtocolText.StartsWithIgnoreCase(line, "-ERR"u8))
        {
            command.Op = RouteOp.Err;
            command.Text = line[4..].Trim(" \t"u8);
            return ParseStatus.Complete;
        }

        if (ProtocolText.StartsWithIgnoreCase(line, "CONNECT"u8))
        {
            return Text(RouteOp.Connect, line[7..], ref command, out error);
        }

        if (ProtocolText.StartsWithIgnoreCase(line, "INFO"u8))
        {
            return Text(RouteOp.Info, line[4..], ref command, out error);
        }

        if (verbLength == 2 && (line[0] | 0x20) == (byte)'a' && line[1] is (byte)'+' or (byte)'-' or (byte)'u' or (byte)'U')
        {
            // Gateways: A+ <account> / A- <account> (nats-server gateway.go); Weight says which.
            command.Op = RouteOp.AccountInterest;
            command.Weight = line[1] == (byte)'-' ? -1 : 1;
            command.Account = verbLength < line.Length ? line[verbLength..].Trim(" \t"u8) : default;
            return ParseStatus.Complete;
        }

        return Fail(ProtocolError.UnknownOperation, out error);
    }

    /// <summary>RS+/RS-/LS+/LS-/RMSG/HMSG/LMSG; UnknownOperation when the verb is none of them.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)] // hot path: optimized from its first call (docs/architecture.md, "JIT")
    private ParseStatus ParseArgumentVerb(ReadOnlySpan<byte> verb, ReadOnlySpan<byte> args, ref RouteCommand command, out ProtocolError error)
    {
        var kind = verb.Length == 4
            ? ProtocolText.StartsWithIgnoreCase(verb, "RMSG"u8) ? 1 : ProtocolText.StartsWithIgnoreCase(verb, "HMSG"u8) ? 2 : ProtocolText.StartsWithIgnoreCase(verb, "LMSG"u8) ? 3 : 0
            : ProtocolText.StartsWithIgnoreCase(verb, "RS+"u8) ? 4 : ProtocolText.StartsWithIgnoreCase(verb, "RS-"u8) ? 5 : ProtocolText.StartsWithIgnoreCase(verb, "LS+"u8) ? 6 : ProtocolText.StartsWithIgnoreCase(verb, "LS-"u8) ? 7 : 0;
        if (kind == 0)
        {
            return Fail(ProtocolError.UnknownOperation, out error);
        }

        if (args.Length > _maxControlLine)
        {
            return Fail(ProtocolError.MaxControlLineExceeded, out error);
        }

        var count = ProtocolText.SplitArgs(args, _ranges);
        if (count > _ranges.Length)
        {
            return Fail(ProtocolError.MaxControlLineExceeded, out error);
        }

        ReadOnlySpan<Range> ranges = _ranges.AsSpan(0, count);
        return kind switch
        {
            1 => ParseMessage(args, ranges, hasOrigin: false, headers: false, ref command, out error),
            2 => ParseMessage(args, ranges, hasOrigin: false, headers: true, ref command, out error),
            3 => ParseMessage(args, ranges, hasOrigin: !LeafDialect, headers: !LeafDialect, ref command, out error),
            4 => ParseSubscribe(args, ranges, hasOrigin: false, ref command, out error),
            5 => ParseUnsubscribe(args, ranges, hasOrigin: false, ref command, out error),
            6 => ParseSubscribe(args, ranges, hasOrigin: !LeafDialect, ref command, out error),
            _ => ParseUnsubscribe(args, ranges, hasOrigin: !LeafDialect, ref command, out error),
        };
    }

    /// <summary>[origin] [account] subject [queue weight].</summary>
    private ParseStatus ParseSubscribe(ReadOnlySpan<byte> args, ReadOnlySpan<Range> ranges, bool hasOrigin, ref RouteCommand command, out ProtocolError error)
    {
        var index = 0;
        if (!TakePrefix(args, ranges, hasOrigin, ref index, ref command))
        {
            return Fail(ProtocolError.BadArguments, out error);
        }

        var remaining = ranges.Length - index;
        if (remaining is not (1 or 3))
        {
            return Fail(ProtocolError.BadArguments, out error);
        }

        command.Op = RouteOp.Subscribe;
        command.Subject = args[ranges[index]];
        if (remaining == 3)
        {
            command.Queue = args[ranges[index + 1]];
            var weight = ProtocolText.ParseNumber(args[ranges[index + 2]]);
            if (weight is < 0 or > int.MaxValue)
            {
                return Fail(ProtocolError.BadArguments, out error);
            }

            command.Weight = (int)weight;
        }

        error = ProtocolError.None;
        return ParseStatus.Complete;
    }

    /// <summary>[origin] [account] subject [queue].</summary>
    private ParseStatus ParseUnsubscribe(ReadOnlySpan<byte> args, ReadOnlySpan<Range> ranges, bool hasOrigin, ref RouteCommand command, out ProtocolError error)
    {
        var index = 0;
        if (!TakePrefix(args, ranges, hasOrigin, ref index, ref command))
        {
            return Fail(ProtocolError.BadArguments, out error);
        }

        var remaining = ranges.Length - index;
        if (remaining is not (1 or 2))
        {
            return Fail(ProtocolError.BadArguments, out error);
        }

        command.Op = RouteOp.Unsubscribe;
        command.Subject = args[ranges[index]];
        if (remaining == 2)
        {
            command.Queue = args[ranges[index + 1]];
        }

        error = ProtocolError.None;
        return ParseStatus.Complete;
    }

    /// <summary>
    /// [origin] [account] subject, then: size | reply size | + reply q… size | | q… size, with a
    /// header size before the total size for HMSG and LMSG.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)] // hot path: optimized from its first call (docs/architecture.md, "JIT")
    private ParseStatus ParseMessage(ReadOnlySpan<byte> args, ReadOnlySpan<Range> ranges, bool hasOrigin, bool headers, ref RouteCommand command, out ProtocolError error)
    {
        var index = 0;
        if (!TakePrefix(args, ranges, hasOrigin, ref index, ref command) || index >= ranges.Length)
        {
            return Fail(ProtocolError.BadArguments, out error);
        }

        command.Op = RouteOp.Message;
        command.Subject = args[ranges[index++]];
        var sizes = headers ? 2 : 1;
        var middle = ranges.Length - index - sizes; // arguments between subject and the size(s)
        if (middle < 0)
        {
            return Fail(ProtocolError.BadArguments, out error);
        }

        if (middle == 1)
        {
            command.Reply = args[ranges[index]];
        }
        else if (middle >= 2)
        {
            var marker = args[ranges[index]];
            if (marker.Length != 1 || (marker[0] != (byte)'+' && marker[0] != (byte)'|'))
            {
                return Fail(ProtocolError.BadArguments, out error);
            }

            var firstQueue = index + 1;
            if (marker[0] == (byte)'+')
            {
                command.Reply = args[ranges[index + 1]];
                firstQueue++;
            }

            var lastQueue = ranges.Length - sizes - 1;
            if (lastQueue < firstQueue)
            {
                return Fail(ProtocolError.BadArguments, out error);
            }

            command.Queues = args[ranges[firstQueue].Start..ranges[lastQueue].End];
        }

        var total = ProtocolText.ParseNumber(args[ranges[^1]]);
        var header = headers ? ProtocolText.ParseNumber(args[ranges[^2]]) : 0;
        if (total is < 0 or > int.MaxValue - 2 || header < 0 || header > total)
        {
            return Fail(ProtocolError.BadArguments, out error);
        }

        command.TotalSize = (int)total;
        command.HeaderSize = (int)header;
        error = ProtocolError.None;
        return ParseStatus.Complete;
    }

    private bool TakePrefix(ReadOnlySpan<byte> args, ReadOnlySpan<Range> ranges, bool hasOrigin, ref int index, ref RouteCommand command)
    {
        if (hasOrigin)
        {
            if (index >= ranges.Length)
            {
                return false;
            }

            command.Origin = args[ranges[index++]];
        }

        if (!AccountImplied)
        {
            if (index >= ranges.Length)
            {
                return false;
            }

            command.Account = args[ranges[index++]];
        }

        return true;
    }

    private ParseStatus Text(RouteOp op, ReadOnlySpan<byte> rest, ref RouteCommand command, out ProtocolError error)
    {
        error = ProtocolError.None;
        command.Op = op;
        command.Text = rest.Trim(" \t"u8);
        return ParseStatus.Complete;
    }

    private static ParseStatus Fail(ProtocolError reason, out ProtocolError error)
    {
        error = reason;
        return ParseStatus.Error;
    }
}
