using System.Buffers;
using System.Text;
using Modular.Core.Protocol;

namespace Modular.Benchmarks.Workloads;

/// <summary>
/// One client control line (and payload) parsed per call, as a connection's read loop does:
/// PUB, HPUB, SUB with and without a queue group, and a PUB whose line straddles two buffer
/// segments (the parser copies it into its scratch buffer). Shared by the benchmarks and by the
/// allocation test, so both measure exactly the same operations.
/// </summary>
public sealed class ClientParserWorkload
{
    private readonly ClientProtocolParser _parser = new(maxControlLine: 4096, maxPayload: 1024 * 1024);
    private readonly ReadOnlySequence<byte> _pub = Single("PUB orders.eu.new 16\r\n0123456789abcdef\r\n");
    private readonly ReadOnlySequence<byte> _pubWithReply = Single("PUB orders.eu.new _INBOX.8f3kq2.1 16\r\n0123456789abcdef\r\n");
    private readonly ReadOnlySequence<byte> _hpub = Single("HPUB orders.eu.new _INBOX.8f3kq2.1 22 38\r\nNATS/1.0\r\nKey: Val\r\n\r\n0123456789abcdef\r\n");
    private readonly ReadOnlySequence<byte> _sub = Single("SUB orders.eu.new 17\r\n");
    private readonly ReadOnlySequence<byte> _subQueue = Single("SUB orders.*.new workers 18\r\n");
    private readonly ReadOnlySequence<byte> _pubSplit = Split("PUB orders.eu.new 16\r\n0123456789abcdef\r\n", at: 9);

    public int Pub() => Parse(_pub);

    public int PubWithReply() => Parse(_pubWithReply);

    public int HPub() => Parse(_hpub);

    public int Sub() => Parse(_sub);

    public int SubQueue() => Parse(_subQueue);

    public int PubAcrossSegments() => Parse(_pubSplit);

    private int Parse(ReadOnlySequence<byte> input)
    {
        var buffer = input;
        if (_parser.TryParse(ref buffer, out var command, out _) != ParseStatus.Complete || !buffer.IsEmpty)
        {
            throw new InvalidOperationException("the workload's input did not parse as one whole operation");
        }

        return command.Subject.Length + command.TotalSize;
    }

    internal static ReadOnlySequence<byte> Single(string text) => new(Encoding.ASCII.GetBytes(text));

    /// <summary>Two segments, cut at <paramref name="at"/>: the control line is not contiguous.</summary>
    internal static ReadOnlySequence<byte> Split(string text, int at)
    {
        var bytes = Encoding.ASCII.GetBytes(text);
        var first = new Segment(bytes.AsMemory(0, at), 0);
        var last = first.Append(bytes.AsMemory(at));
        return new ReadOnlySequence<byte>(first, 0, last, last.Memory.Length);
    }

    private sealed class Segment : ReadOnlySequenceSegment<byte>
    {
        public Segment(ReadOnlyMemory<byte> memory, long runningIndex)
        {
            Memory = memory;
            RunningIndex = runningIndex;
        }

        public Segment Append(ReadOnlyMemory<byte> memory)
        {
            var next = new Segment(memory, RunningIndex + Memory.Length);
            Next = next;
            return next;
        }
    }
}
