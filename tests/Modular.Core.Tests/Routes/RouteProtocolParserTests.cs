using System.Buffers;
using System.Text;
using Modular.Core.Protocol;
using Modular.Core.Routes;
using Modular.Core.Tests.Protocol;

namespace Modular.Core.Tests.Routes;

public class RouteProtocolParserTests
{
    private sealed record Parsed(RouteOp Op, string Account, string Origin, string Subject, string Queue, int Weight, string Reply, string Queues, int HeaderSize, int TotalSize, string Payload, string Text);

    private static ParseStatus ParseOne(ReadOnlySequence<byte> input, out Parsed? parsed, out ProtocolError error, out long consumed, bool accountImplied = false)
    {
        var parser = new RouteProtocolParser(65536) { AccountImplied = accountImplied };
        var buffer = input;
        var status = parser.TryParse(ref buffer, out var c, out error);
        consumed = input.Length - buffer.Length;
        parsed = status == ParseStatus.Complete
            ? new Parsed(c.Op, S(c.Account), S(c.Origin), S(c.Subject), S(c.Queue), c.Weight, S(c.Reply), S(c.Queues), c.HeaderSize, c.TotalSize, Encoding.UTF8.GetString(c.Payload.ToArray()), S(c.Text))
            : null;
        return status;
    }

    private static string S(ReadOnlySpan<byte> span) => Encoding.UTF8.GetString(span);

    private static Parsed Whole(string wire, bool accountImplied = false)
    {
        var status = ParseOne(new ReadOnlySequence<byte>(Encoding.UTF8.GetBytes(wire)), out var parsed, out var error, out var consumed, accountImplied);
        Assert.True(status == ParseStatus.Complete, $"{wire}: {status} {error}");
        Assert.Equal(Encoding.UTF8.GetByteCount(wire), consumed);
        return parsed!;
    }

    public static TheoryData<string> EveryVerb => new()
    {
        "RS+ $G foo\r\n",
        "RS+ $G foo bar 3\r\n",
        "RS- $G foo\r\n",
        "RS- $G foo bar\r\n",
        "LS+ leafc $G foo\r\n",
        "LS- leafc $G foo q\r\n",
        "RMSG $G foo 2\r\nok\r\n",
        "RMSG $G foo reply 2\r\nok\r\n",
        "RMSG $G foo + reply bar baz 2\r\nok\r\n",
        "RMSG $G foo | bar baz 2\r\nok\r\n",
        "HMSG $G foo 12 14\r\nNATS/1.0\r\n\r\nok\r\n",
        "HMSG $G foo + r q 12 14\r\nNATS/1.0\r\n\r\nok\r\n",
        "LMSG leafc $G foo 0 2\r\nok\r\n",
        "INFO {\"server_id\":\"X\"}\r\n",
        "CONNECT {\"name\":\"X\"}\r\n",
        "PING\r\n",
        "PONG\r\n",
        "+OK\r\n",
        "-ERR 'Authorization Violation'\r\n",
        "A+ $G\r\n",
    };

    [Theory]
    [MemberData(nameof(EveryVerb))]
    public void TryParse_VerbSplitAtEveryByteBoundary_IncompleteUntilWholeThenSame(string wire)
    {
        var bytes = Encoding.UTF8.GetBytes(wire);
        var expected = Whole(wire);
        for (var split = 1; split < bytes.Length; split++)
        {
            Assert.Equal(ParseStatus.Incomplete, ParseOne(new ReadOnlySequence<byte>(bytes[..split]), out _, out _, out var prefixConsumed));
            Assert.Equal(0, prefixConsumed);
            var status = ParseOne(SegmentedSequence.SplitAt(bytes, split), out var parsed, out var error, out var consumed);
            Assert.True(status == ParseStatus.Complete, $"split at {split}: {status} {error}");
            Assert.Equal(bytes.Length, consumed);
            Assert.Equal(expected, parsed);
        }
    }

    [Fact]
    public void TryParse_QueueSubscribe_ReadsAccountSubjectQueueAndWeight()
    {
        var parsed = Whole("RS+ ACC orders.* workers 7\r\n");
        Assert.Equal((RouteOp.Subscribe, "ACC", "orders.*", "workers", 7), (parsed.Op, parsed.Account, parsed.Subject, parsed.Queue, parsed.Weight));
    }

    [Fact]
    public void TryParse_MessageWithReplyAndQueues_ReadsQueueList()
    {
        var parsed = Whole("RMSG $G foo + _INBOX.1 bar baz 2\r\nok\r\n");
        Assert.Equal(("_INBOX.1", "bar baz", "ok"), (parsed.Reply, parsed.Queues, parsed.Payload));
    }

    [Fact]
    public void TryParse_MessageWithQueuesNoReply_NoReply()
    {
        var parsed = Whole("RMSG $G foo | bar 2\r\nok\r\n");
        Assert.Equal(("", "bar"), (parsed.Reply, parsed.Queues));
    }

    [Fact]
    public void TryParse_PinnedRoute_NoAccountField()
    {
        var subscribe = Whole("RS+ foo q 2\r\n", accountImplied: true);
        Assert.Equal(("", "foo", "q", 2), (subscribe.Account, subscribe.Subject, subscribe.Queue, subscribe.Weight));
        var message = Whole("RMSG foo reply 2\r\nok\r\n", accountImplied: true);
        Assert.Equal(("", "foo", "reply"), (message.Account, message.Subject, message.Reply));
    }

    [Fact]
    public void TryParse_HeaderMessage_ReadsBothSizes()
    {
        var parsed = Whole("HMSG $G foo r 12 14\r\nNATS/1.0\r\n\r\nok\r\n");
        Assert.Equal((12, 14, "r"), (parsed.HeaderSize, parsed.TotalSize, parsed.Reply));
    }

    [Fact]
    public void TryParse_LeafSubscribe_ReadsOrigin()
    {
        var parsed = Whole("LS+ spoke $G foo q 1\r\n");
        Assert.Equal(("spoke", "$G", "foo", "q", 1), (parsed.Origin, parsed.Account, parsed.Subject, parsed.Queue, parsed.Weight));
    }

    [Theory]
    [InlineData("RS+ $G\r\n")]
    [InlineData("RS+ $G foo bar\r\n")]
    [InlineData("RS+ $G foo bar x\r\n")]
    [InlineData("RS- $G foo bar 1\r\n")]
    [InlineData("RMSG $G foo x y 2\r\nok\r\n")]
    [InlineData("RMSG $G foo -1\r\n")]
    [InlineData("HMSG $G foo 20 10\r\n")]
    public void TryParse_BadArguments_Error(string wire)
    {
        Assert.Equal(ParseStatus.Error, ParseOne(new ReadOnlySequence<byte>(Encoding.UTF8.GetBytes(wire)), out _, out var error, out _));
        Assert.Equal(ProtocolError.BadArguments, error);
    }

    [Theory]
    [InlineData("SUB foo 1\r\n")]
    [InlineData("PUB foo 1\r\nx\r\n")]
    [InlineData("RSX $G foo\r\n")]
    public void TryParse_ClientVerbsOnRoute_UnknownOperation(string wire)
    {
        Assert.Equal(ParseStatus.Error, ParseOne(new ReadOnlySequence<byte>(Encoding.UTF8.GetBytes(wire)), out _, out var error, out _));
        Assert.Equal(ProtocolError.UnknownOperation, error);
    }

    [Fact]
    public void TryParse_LargeRoutedPayload_NoPayloadLimit()
    {
        var payload = new string('x', 5 * 1024 * 1024);
        Assert.Equal(payload.Length, Whole($"RMSG $G big {payload.Length}\r\n{payload}\r\n").TotalSize);
    }

    [Theory]
    [InlineData("A+ ACC1\r\n", "ACC1", 1)]
    [InlineData("A- ACC1\r\n", "ACC1", -1)]
    [InlineData("a-  $G \r\n", "$G", -1)]
    public void TryParse_GatewayAccountInterest_AccountAndSign(string wire, string account, int weight)
    {
        var parsed = Whole(wire);
        Assert.Equal(RouteOp.AccountInterest, parsed.Op);
        Assert.Equal(account, parsed.Account);
        Assert.Equal(weight, parsed.Weight);
    }
}
