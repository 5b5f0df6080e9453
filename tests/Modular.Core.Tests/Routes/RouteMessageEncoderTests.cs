using System.Buffers;
using System.Text;
using Modular.Core.Routes;

namespace Modular.Core.Tests.Routes;

public class RouteMessageEncoderTests
{
    private static string Encode(string account, string subject, string reply, string[]? queues, int headerSize, string payload, bool headers)
    {
        var queueList = queues?.Select(Encoding.UTF8.GetBytes).ToList();
        var body = new ReadOnlySequence<byte>(Encoding.UTF8.GetBytes(payload));
        var length = RouteMessageEncoder.Length(account.Length, subject.Length, reply.Length, queueList, headerSize, payload.Length, headers);
        var buffer = new byte[length];
        var written = RouteMessageEncoder.Write(buffer, Encoding.UTF8.GetBytes(account), Encoding.UTF8.GetBytes(subject), Encoding.UTF8.GetBytes(reply), queueList, headerSize, body, headers);
        Assert.Equal(length, written);
        return Encoding.UTF8.GetString(buffer);
    }

    [Fact]
    public void Write_Plain_AccountSubjectSize() => Assert.Equal("RMSG $G foo 2\r\nok\r\n", Encode("$G", "foo", "", null, 0, "ok", false));

    [Fact]
    public void Write_ReplyAndQueues_PlusForm() => Assert.Equal("RMSG $G foo + reply bar baz 2\r\nok\r\n", Encode("$G", "foo", "reply", ["bar", "baz"], 0, "ok", false));

    [Fact]
    public void Write_QueuesNoReply_PipeForm() => Assert.Equal("RMSG $G foo | bar 2\r\nok\r\n", Encode("$G", "foo", "", ["bar"], 0, "ok", false));

    [Fact]
    public void Write_ReplyNoQueues_ReplyOnly() => Assert.Equal("RMSG $G foo reply 2\r\nok\r\n", Encode("$G", "foo", "reply", [], 0, "ok", false));

    [Fact]
    public void Write_PinnedRoute_NoAccount() => Assert.Equal("RMSG foo 2\r\nok\r\n", Encode("", "foo", "", null, 0, "ok", false));

    [Fact]
    public void Write_Headers_HmsgWithBothSizes() =>
        Assert.Equal("HMSG $G foo 12 14\r\nNATS/1.0\r\n\r\nok\r\n", Encode("$G", "foo", "", null, 12, "NATS/1.0\r\n\r\nok", true));

    [Fact]
    public void Write_LeafOrigin_LmsgWithOriginAndAHeaderSizeEvenWhenZero()
    {
        var body = new ReadOnlySequence<byte>("ok"u8.ToArray());
        var queues = new List<byte[]> { "q"u8.ToArray() };
        var length = RouteMessageEncoder.Length(2, 3, 5, queues, 0, 2, withHeaders: true, originLength: 4);
        var buffer = new byte[length];
        var written = RouteMessageEncoder.Write(buffer, "$G"u8, "foo"u8, default, "reply"u8, queues, 0, body, withHeaders: false, origin: "edge"u8);

        Assert.Equal(length, written);
        Assert.Equal("LMSG edge $G foo + reply q 0 2\r\nok\r\n", Encoding.UTF8.GetString(buffer));
    }
}
