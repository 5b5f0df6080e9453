using System.Buffers;
using System.Text;
using Modular.Core.Protocol;

namespace Modular.Core.Tests.Protocol;

public class ClientProtocolParserTests
{
    /// <summary>What a parsed command looked like, copied out of the ref struct so tests can compare it.</summary>
    private sealed record Parsed(ClientOp Op, string Subject, string Reply, string Queue, string Sid, string Json, int HeaderSize, int TotalSize, long Max, string Payload);

    private static ParseStatus ParseOne(ReadOnlySequence<byte> input, out Parsed? parsed, out ProtocolError error, out long consumed, int maxControlLine = 4096, int maxPayload = 1024 * 1024)
    {
        var parser = new ClientProtocolParser(maxControlLine, maxPayload);
        var buffer = input;
        var status = parser.TryParse(ref buffer, out var command, out error);
        consumed = input.Length - buffer.Length;
        parsed = status == ParseStatus.Complete
            ? new Parsed(
                command.Op,
                Encoding.UTF8.GetString(command.Subject),
                Encoding.UTF8.GetString(command.Reply),
                Encoding.UTF8.GetString(command.Queue),
                Encoding.UTF8.GetString(command.Sid),
                Encoding.UTF8.GetString(command.Json),
                command.HeaderSize,
                command.TotalSize,
                command.MaxMessages,
                Encoding.UTF8.GetString(command.Payload.ToArray()))
            : null;
        return status;
    }

    private static Parsed ParseWhole(string wire)
    {
        var status = ParseOne(new ReadOnlySequence<byte>(Encoding.UTF8.GetBytes(wire)), out var parsed, out var error, out var consumed);
        Assert.True(status == ParseStatus.Complete, $"{wire}: {status} {error}");
        Assert.Equal(Encoding.UTF8.GetByteCount(wire), consumed);
        return parsed!;
    }

    public static TheoryData<string, ClientOp> EveryVerb => new()
    {
        { "CONNECT {\"verbose\":false}\r\n", ClientOp.Connect },
        { "INFO {}\r\n", ClientOp.Info },
        { "PUB foo 5\r\nhello\r\n", ClientOp.Pub },
        { "PUB foo reply.x 5\r\nhello\r\n", ClientOp.Pub },
        { "HPUB foo 12 17\r\nNATS/1.0\r\n\r\nhello\r\n", ClientOp.HPub },
        { "HPUB foo rep 12 17\r\nNATS/1.0\r\n\r\nhello\r\n", ClientOp.HPub },
        { "SUB foo 1\r\n", ClientOp.Sub },
        { "SUB foo.* workers 22\r\n", ClientOp.Sub },
        { "UNSUB 1\r\n", ClientOp.Unsub },
        { "UNSUB 1 10\r\n", ClientOp.Unsub },
        { "PING\r\n", ClientOp.Ping },
        { "PONG\r\n", ClientOp.Pong },
        { "PUB empty 0\r\n\r\n", ClientOp.Pub },
    };

    [Theory]
    [MemberData(nameof(EveryVerb))]
    public void TryParse_VerbSplitAtEveryByteBoundary_IncompleteUntilWholeThenSameCommand(string wire, ClientOp op)
    {
        var bytes = Encoding.UTF8.GetBytes(wire);
        var expected = ParseWhole(wire);
        Assert.Equal(op, expected.Op);

        for (var split = 1; split < bytes.Length; split++)
        {
            // Only the first part has arrived: nothing may be consumed yet.
            var prefixStatus = ParseOne(new ReadOnlySequence<byte>(bytes[..split]), out _, out var prefixError, out var prefixConsumed);
            Assert.True(prefixStatus == ParseStatus.Incomplete, $"prefix of {split} bytes: {prefixStatus} {prefixError}");
            Assert.Equal(0, prefixConsumed);

            // Everything has arrived, in two segments split here.
            var status = ParseOne(SegmentedSequence.SplitAt(bytes, split), out var parsed, out var error, out var consumed);
            Assert.True(status == ParseStatus.Complete, $"split at {split}: {status} {error}");
            Assert.Equal(bytes.Length, consumed);
            Assert.Equal(expected, parsed);
        }
    }

    [Fact]
    public void TryParse_Pub_ReadsSubjectReplySizeAndPayload()
    {
        var parsed = ParseWhole("PUB orders.new _INBOX.1 5\r\nhello\r\n");
        Assert.Equal(new Parsed(ClientOp.Pub, "orders.new", "_INBOX.1", "", "", "", 0, 5, 0, "hello"), parsed);
    }

    [Fact]
    public void TryParse_HPub_ReadsHeaderAndTotalSizes()
    {
        var parsed = ParseWhole("HPUB a r 12 14\r\nNATS/1.0\r\n\r\nhi\r\n");
        Assert.Equal(12, parsed.HeaderSize);
        Assert.Equal(14, parsed.TotalSize);
        Assert.Equal("NATS/1.0\r\n\r\nhi", parsed.Payload);
        Assert.Equal("r", parsed.Reply);
    }

    [Fact]
    public void TryParse_SubWithQueue_ReadsQueueAndSid()
    {
        var parsed = ParseWhole("SUB foo.> q1 7\r\n");
        Assert.Equal(("foo.>", "q1", "7"), (parsed.Subject, parsed.Queue, parsed.Sid));
    }

    [Fact]
    public void TryParse_UnsubWithMax_ReadsMax()
    {
        Assert.Equal(42, ParseWhole("UNSUB 9 42\r\n").Max);
    }

    [Theory]
    [InlineData("pub foo 1\r\nx\r\n", ClientOp.Pub)]
    [InlineData("Sub foo 1\r\n", ClientOp.Sub)]
    [InlineData("ping\r\n", ClientOp.Ping)]
    [InlineData("connect {}\r\n", ClientOp.Connect)]
    [InlineData("PUB\tfoo\t\t1\r\nx\r\n", ClientOp.Pub)]
    [InlineData("SUB  foo   1\r\n", ClientOp.Sub)]
    [InlineData("PING\n", ClientOp.Ping)]
    [InlineData("CONNECT{}\r\n", ClientOp.Connect)]
    public void TryParse_CaseSpacingAndBareLf_Accepted(string wire, ClientOp op)
    {
        Assert.Equal(op, ParseWhole(wire).Op);
    }

    [Fact]
    public void TryParse_SeveralCommandsInOneBuffer_ConsumesOneAtATime()
    {
        var parser = new ClientProtocolParser(4096, 1024);
        var buffer = new ReadOnlySequence<byte>(Encoding.UTF8.GetBytes("PING\r\nSUB a 1\r\nPUB a 2\r\nhi\r\nPONG\r\n"));
        var ops = new List<ClientOp>();
        while (parser.TryParse(ref buffer, out var command, out _) == ParseStatus.Complete)
        {
            ops.Add(command.Op);
        }

        Assert.Equal(new[] { ClientOp.Ping, ClientOp.Sub, ClientOp.Pub, ClientOp.Pong }, ops);
        Assert.True(buffer.IsEmpty);
    }

    [Theory]
    [InlineData("FOO bar\r\n")]
    [InlineData("XYZ")]
    [InlineData("\r\n")]
    [InlineData("PUBX foo 1\r\nx\r\n")]
    [InlineData("PUB\r\n")]
    [InlineData("MSG foo 1 1\r\nx\r\n")]
    [InlineData("RS+ $G foo\r\n")]
    [InlineData("PUB foo 2\r\nhiX\r\n")]
    [InlineData("PUB foo 2\r\nhi\rX")]
    public void TryParse_UnknownVerbOrBadTerminator_UnknownOperation(string wire)
    {
        var status = ParseOne(new ReadOnlySequence<byte>(Encoding.UTF8.GetBytes(wire)), out _, out var error, out _);
        Assert.Equal(ParseStatus.Error, status);
        Assert.Equal(ProtocolError.UnknownOperation, error);
    }

    [Theory]
    [InlineData("PUB foo\r\n")]
    [InlineData("PUB a b c 2\r\nhi\r\n")]
    [InlineData("PUB foo -1\r\n")]
    [InlineData("PUB foo x2\r\n")]
    [InlineData("HPUB foo 10 5\r\n")]
    [InlineData("HPUB foo 5\r\n")]
    [InlineData("SUB foo\r\n")]
    [InlineData("SUB a b c d\r\n")]
    [InlineData("UNSUB 1 x\r\n")]
    [InlineData("UNSUB 1 2 3\r\n")]
    [InlineData("SUB a b c d e f g h i\r\n")]
    [InlineData("HPUB a b c d e f g 1 2\r\n")]
    public void TryParse_BadArguments_BadArgumentsError(string wire)
    {
        var status = ParseOne(new ReadOnlySequence<byte>(Encoding.UTF8.GetBytes(wire)), out _, out var error, out _);
        Assert.Equal(ParseStatus.Error, status);
        Assert.Equal(ProtocolError.BadArguments, error);
    }

    [Fact]
    public void TryParse_PayloadOverMax_MaxPayloadBeforePayloadArrives()
    {
        var status = ParseOne(new ReadOnlySequence<byte>(Encoding.UTF8.GetBytes("PUB foo 2000\r\n")), out _, out var error, out _, maxPayload: 1024);
        Assert.Equal(ParseStatus.Error, status);
        Assert.Equal(ProtocolError.MaxPayloadExceeded, error);
    }

    [Fact]
    public void TryParse_HPubTotalOverMax_MaxPayload()
    {
        var status = ParseOne(new ReadOnlySequence<byte>(Encoding.UTF8.GetBytes("HPUB foo 12 2000\r\n")), out _, out var error, out _, maxPayload: 1024);
        Assert.Equal(ProtocolError.MaxPayloadExceeded, error);
        Assert.Equal(ParseStatus.Error, status);
    }

    [Fact]
    public void TryParse_ControlLineOverLimit_MaxControlLine()
    {
        var wire = "SUB " + new string('a', 200) + " 1\r\n";
        var status = ParseOne(new ReadOnlySequence<byte>(Encoding.UTF8.GetBytes(wire)), out _, out var error, out _, maxControlLine: 128);
        Assert.Equal(ParseStatus.Error, status);
        Assert.Equal(ProtocolError.MaxControlLineExceeded, error);
    }

    [Fact]
    public void TryParse_LongLineWithoutNewline_MaxControlLineBeforeItEnds()
    {
        var wire = "SUB " + new string('a', 300);
        var status = ParseOne(new ReadOnlySequence<byte>(Encoding.UTF8.GetBytes(wire)), out _, out var error, out _, maxControlLine: 128);
        Assert.Equal(ParseStatus.Error, status);
        Assert.Equal(ProtocolError.MaxControlLineExceeded, error);
    }

    [Fact]
    public void TryParse_ControlLineArgumentsExactlyAtLimit_Accepted()
    {
        var arguments = new string('s', 126) + " 1"; // 128 bytes of arguments
        var status = ParseOne(new ReadOnlySequence<byte>(Encoding.UTF8.GetBytes("SUB " + arguments + "\r\n")), out var parsed, out var error, out _, maxControlLine: 128);
        Assert.True(status == ParseStatus.Complete, error.ToString());
        Assert.Equal(ClientOp.Sub, parsed!.Op);
    }

    [Fact]
    public void TryParse_ControlLineStraddlingSegments_ParsedFromScratch()
    {
        var bytes = Encoding.UTF8.GetBytes("SUB some.long.subject.name queue 99\r\n");
        var parts = bytes.Select(b => new[] { b }).ToArray();
        var parser = new ClientProtocolParser(4096, 1024);
        var buffer = SegmentedSequence.Create(parts);
        Assert.Equal(ParseStatus.Complete, parser.TryParse(ref buffer, out var command, out _));
        Assert.Equal("some.long.subject.name", Encoding.UTF8.GetString(command.Subject));
        Assert.Equal("queue", Encoding.UTF8.GetString(command.Queue));
        Assert.Equal("99", Encoding.UTF8.GetString(command.Sid));
    }

    [Fact]
    public void TryParse_PingWithTrailingBytes_StillPing()
    {
        Assert.Equal(ClientOp.Ping, ParseWhole("PING extra\r\n").Op);
    }
}
