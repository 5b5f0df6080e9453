using System.Buffers;
using Modular.Core.Protocol;
using Modular.Core.Routes;

namespace Modular.Benchmarks.Workloads;

/// <summary>
/// One route operation parsed per call, as a route's read loop does: RMSG (plain, with a reply,
/// with a reply and queue groups), RS+ (plain and with a queue group and weight), and RMSG on a
/// pinned-account route (no account field). Shared by the benchmarks and the allocation test.
/// </summary>
public sealed class RouteParserWorkload
{
    private readonly RouteProtocolParser _parser = new(maxControlLine: 4096 * 16);
    private readonly RouteProtocolParser _pinned = new(maxControlLine: 4096 * 16) { AccountImplied = true };
    private readonly ReadOnlySequence<byte> _rmsg = ClientParserWorkload.Single("RMSG $G orders.eu.new 16\r\n0123456789abcdef\r\n");
    private readonly ReadOnlySequence<byte> _rmsgReply = ClientParserWorkload.Single("RMSG $G orders.eu.new _INBOX.8f3kq2.1 16\r\n0123456789abcdef\r\n");
    private readonly ReadOnlySequence<byte> _rmsgQueues = ClientParserWorkload.Single("RMSG $G orders.eu.new + _INBOX.8f3kq2.1 workers audit 16\r\n0123456789abcdef\r\n");
    private readonly ReadOnlySequence<byte> _rmsgPinned = ClientParserWorkload.Single("RMSG orders.eu.new 16\r\n0123456789abcdef\r\n");
    private readonly ReadOnlySequence<byte> _rsPlus = ClientParserWorkload.Single("RS+ $G orders.eu.new\r\n");
    private readonly ReadOnlySequence<byte> _rsPlusQueue = ClientParserWorkload.Single("RS+ $G orders.*.new workers 3\r\n");

    public int Rmsg() => Parse(_parser, _rmsg);

    public int RmsgWithReply() => Parse(_parser, _rmsgReply);

    public int RmsgWithQueues() => Parse(_parser, _rmsgQueues);

    public int RmsgPinnedAccount() => Parse(_pinned, _rmsgPinned);

    public int RsPlus() => Parse(_parser, _rsPlus);

    public int RsPlusQueue() => Parse(_parser, _rsPlusQueue);

    private static int Parse(RouteProtocolParser parser, ReadOnlySequence<byte> input)
    {
        var buffer = input;
        if (parser.TryParse(ref buffer, out var command, out _) != ParseStatus.Complete || !buffer.IsEmpty)
        {
            throw new InvalidOperationException("the workload's input did not parse as one whole operation");
        }

        return command.Subject.Length + command.TotalSize + command.Weight;
    }
}
