using Modular.Server.Tests.Fixtures;
using Modular.Server.Tests.Harness;

namespace Modular.Server.Tests.Protocol;

/// <summary>Framing edge cases: payload bytes that look like protocol, sizes at the limits, byte-by-byte arrival.</summary>
public sealed class FramingTests(PlainServer fixture) : IClassFixture<PlainServer>
{
    private Node Server => fixture.Server;

    [Fact]
    public async Task Payload_ContainsCrlfAndVerbs_DeliveredIntact()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        var ct = timeout.Token;
        await using var raw = await RawConnection.ConnectClientAsync(Server, RawConnection.MinimalConnect, answerPings: false, ct);
        const string payload = "PING\r\nPUB x 1\r\n";

        await raw.SendAsync($"SUB tricky.body 1\r\nPUB tricky.body {payload.Length}\r\n{payload}\r\nPING\r\n", ct);

        Assert.Equal(new RawMessage("tricky.body", "1", null, payload), await raw.ReadMsgAsync(cancellationToken: ct));
        await raw.ExpectLineAsync("^PONG$", cancellationToken: ct);
    }

    [Fact]
    public async Task ControlLine_JustUnderLimit_Accepted()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        var ct = timeout.Token;
        await using var raw = await RawConnection.ConnectClientAsync(Server, RawConnection.MinimalConnect, answerPings: false, ct);
        var subject = "long." + new string('l', 4000);

        await raw.SendAsync($"SUB {subject} 1\r\nPUB {subject} 2\r\nok\r\nPING\r\n", ct);

        Assert.Equal(new RawMessage(subject, "1", null, "ok"), await raw.ReadMsgAsync(cancellationToken: ct));
        await raw.ExpectLineAsync("^PONG$", cancellationToken: ct);
    }

    [Fact]
    public async Task Hpub_SentOneByteAtATime_Reassembled()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        var ct = timeout.Token;
        await using var raw = await RawConnection.ConnectClientAsync(Server, """{"verbose":false,"pedantic":false,"headers":true}""", answerPings: false, ct);
        await raw.SendAsync("SUB bytewise 2\r\nPING\r\n", ct);
        await raw.ExpectLineAsync("^PONG$", cancellationToken: ct);
        const string headers = "NATS/1.0\r\nK: v\r\n\r\n";
        var frame = $"HPUB bytewise {headers.Length} {headers.Length + 4}\r\n{headers}body\r\nPING\r\n";

        foreach (var b in System.Text.Encoding.ASCII.GetBytes(frame))
        {
            await raw.SendAsync(new[] { b }, ct);
        }

        await raw.ExpectLineAsync($"^HMSG bytewise 2 {headers.Length} {headers.Length + 4}$", cancellationToken: ct);
        var body = await raw.ReadBytesAsync(headers.Length + 4 + 2, RawConnection.DefaultTimeout, ct);
        Assert.Equal(headers + "body\r\n", System.Text.Encoding.ASCII.GetString(body!));
        await raw.ExpectLineAsync("^PONG$", cancellationToken: ct);
    }

    [Fact]
    public async Task Publish_NearlyOneMegabyte_DeliveredIntact()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        var ct = timeout.Token;
        await using var connection = await Clients.ConnectAsync(Server, ct);
        await using var subscription = await connection.SubscribeCoreAsync<byte[]>("big.blob", cancellationToken: ct);
        await connection.PingAsync(ct);
        var payload = new byte[1024 * 1024 - 64];
        new Random(7).NextBytes(payload);

        await connection.PublishAsync("big.blob", payload, cancellationToken: ct);

        var message = await subscription.Msgs.ReadAsync(ct);
        Assert.Equal(payload, message.Data);
    }

    [Fact]
    public async Task Pipelined_ThousandPublishesInOneWrite_AllDeliveredInOrder()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        var ct = timeout.Token;
        await using var raw = await RawConnection.ConnectClientAsync(Server, RawConnection.MinimalConnect, answerPings: false, ct);
        var batch = new System.Text.StringBuilder("SUB piped 1\r\n");
        for (var i = 0; i < 1000; i++)
        {
            var body = i.ToString("D4", System.Globalization.CultureInfo.InvariantCulture);
            batch.Append("PUB piped 4\r\n").Append(body).Append("\r\n");
        }

        await raw.SendAsync(batch.Append("PING\r\n").ToString(), ct);

        for (var i = 0; i < 1000; i++)
        {
            var expected = i.ToString("D4", System.Globalization.CultureInfo.InvariantCulture);
            Assert.Equal(expected, (await raw.ReadMsgAsync(cancellationToken: ct)).Payload);
        }

        await raw.ExpectLineAsync("^PONG$", cancellationToken: ct);
    }
}
