using Modular.Server.Tests.Fixtures;
using Modular.Server.Tests.Harness;
using NATS.Client.Core;

namespace Modular.Server.Tests.Protocol;

/// <summary>What the CONNECT options (echo, headers, no_responders, protocol) change on the wire.</summary>
public sealed class ConnectOptionsTests(PlainServer fixture) : IClassFixture<PlainServer>
{
    private Node Server => fixture.Server;

    [Fact]
    public async Task Connect_EchoFalse_OwnPublishNotDeliveredButOthersAre()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        var ct = timeout.Token;
        await using var raw = await RawConnection.ConnectClientAsync(Server, """{"verbose":false,"pedantic":false,"echo":false}""", answerPings: false, ct);
        await using var other = await RawConnection.ConnectClientAsync(Server, RawConnection.MinimalConnect, answerPings: false, ct);

        await raw.SendAsync("SUB echo.off 1\r\nPUB echo.off 4\r\nmine\r\nPING\r\n", ct);
        await raw.ExpectLineAsync("^PONG$", cancellationToken: ct);
        await other.SendAsync("PUB echo.off 6\r\ntheirs\r\nPING\r\n", ct);
        await other.ExpectLineAsync("^PONG$", cancellationToken: ct);
        await raw.SendAsync("PING\r\n", ct);

        Assert.Equal(new RawMessage("echo.off", "1", null, "theirs"), await raw.ReadMsgAsync(cancellationToken: ct));
        await raw.ExpectLineAsync("^PONG$", cancellationToken: ct);
    }

    [Fact]
    public async Task Headers_SubscriberWithoutHeaderSupport_GetsMsgWithoutHeaderBytes()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        var ct = timeout.Token;
        await using var raw = await RawConnection.ConnectClientAsync(Server, """{"verbose":false,"pedantic":false,"headers":false}""", answerPings: false, ct);
        await raw.SendAsync("SUB hdr.strip 3\r\nPING\r\n", ct);
        await raw.ExpectLineAsync("^PONG$", cancellationToken: ct);
        await using var publisher = await Clients.ConnectAsync(Server, ct);

        await publisher.PublishAsync("hdr.strip", "payload", headers: new NatsHeaders { ["X-Drop"] = "me" }, cancellationToken: ct);
        await publisher.PingAsync(ct);
        await raw.SendAsync("PING\r\n", ct);

        Assert.Equal(new RawMessage("hdr.strip", "3", null, "payload"), await raw.ReadMsgAsync(cancellationToken: ct));
        await raw.ExpectLineAsync("^PONG$", cancellationToken: ct);
    }

    [Fact]
    public async Task Hpub_WithoutHeadersInConnect_Closed()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        var ct = timeout.Token;
        await using var raw = await RawConnection.ConnectClientAsync(Server, """{"verbose":false,"pedantic":false}""", answerPings: false, ct);

        await raw.TrySendAsync("HPUB no.hdrs 12 14\r\nNATS/1.0\r\n\r\nhi\r\n", ct);

        Assert.True(await raw.WaitForCloseAsync(TimeSpan.FromSeconds(5), ct), $"connection still open; received: {raw.Transcript}");
        await Serving.AssertServesAsync(Server, ct);
    }

    [Fact]
    public async Task Connect_ProtocolOutOfRange_InvalidClientProtocolAndClose()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        var ct = timeout.Token;
        await using var raw = await RawConnection.OpenClientAsync(Server, ct);

        await raw.SendAsync("CONNECT {\"verbose\":false,\"protocol\":2}\r\nPING\r\n", ct);

        await raw.ExpectLineAsync("^-ERR 'invalid client protocol'$", cancellationToken: ct);
        Assert.True(await raw.WaitForCloseAsync(TimeSpan.FromSeconds(5), ct), $"connection still open; received: {raw.Transcript}");
        await Serving.AssertServesAsync(Server, ct);
    }

    [Fact]
    public async Task Connect_NoRespondersWithoutHeaders_ErrAndClose()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        var ct = timeout.Token;
        await using var raw = await RawConnection.OpenClientAsync(Server, ct);

        await raw.SendAsync("CONNECT {\"verbose\":false,\"no_responders\":true}\r\nPING\r\n", ct);

        await raw.ExpectLineAsync("^-ERR 'no responders requires headers support'$", cancellationToken: ct);
        Assert.True(await raw.WaitForCloseAsync(TimeSpan.FromSeconds(5), ct), $"connection still open; received: {raw.Transcript}");
    }

    [Fact]
    public async Task NoResponders_RawRequestNobodyListens_Gets503Hmsg()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        var ct = timeout.Token;
        await using var raw = await RawConnection.ConnectClientAsync(Server, """{"verbose":false,"pedantic":false,"headers":true,"no_responders":true}""", answerPings: false, ct);

        await raw.SendAsync("SUB my.inbox.1 5\r\nPUB nobody.home my.inbox.1 2\r\nhi\r\nPING\r\n", ct);

        var header = await raw.ExpectLineAsync(@"^HMSG my\.inbox\.1 5 (\d+) (\d+)$", cancellationToken: ct);
        var headerSize = int.Parse(header.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture);
        Assert.Equal(header.Groups[1].Value, header.Groups[2].Value); // no payload
        var block = await raw.ReadBytesAsync(headerSize + 2, RawConnection.DefaultTimeout, ct);
        Assert.NotNull(block);
        var text = System.Text.Encoding.ASCII.GetString(block);
        Assert.StartsWith("NATS/1.0 503", text, StringComparison.Ordinal);
        Assert.EndsWith("\r\n\r\n\r\n", text, StringComparison.Ordinal);
        await raw.ExpectLineAsync("^PONG$", cancellationToken: ct);
    }

    [Fact]
    public async Task Sub_DuplicateSid_OneSubscriptionOnly()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        var ct = timeout.Token;
        await using var raw = await RawConnection.ConnectClientAsync(Server, RawConnection.MinimalConnect, answerPings: false, ct);

        await raw.SendAsync("SUB dup.sid 1\r\nSUB dup.sid 1\r\nPUB dup.sid 1\r\nx\r\nPING\r\n", ct);

        Assert.Equal(new RawMessage("dup.sid", "1", null, "x"), await raw.ReadMsgAsync(cancellationToken: ct));
        await raw.ExpectLineAsync("^PONG$", cancellationToken: ct);
    }

    [Fact]
    public async Task UnsubMax_AlreadyReached_RemovedAtOnce()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        var ct = timeout.Token;
        await using var raw = await RawConnection.ConnectClientAsync(Server, RawConnection.MinimalConnect, answerPings: false, ct);
        await raw.SendAsync("SUB reached.max 1\r\nPUB reached.max 1\r\na\r\nPUB reached.max 1\r\nb\r\nPING\r\n", ct);
        Assert.Equal("a", (await raw.ReadMsgAsync(cancellationToken: ct)).Payload);
        Assert.Equal("b", (await raw.ReadMsgAsync(cancellationToken: ct)).Payload);
        await raw.ExpectLineAsync("^PONG$", cancellationToken: ct);

        // Two already delivered, max 1: the subscription goes at once.
        await raw.SendAsync("UNSUB 1 1\r\nPUB reached.max 1\r\nc\r\nPING\r\n", ct);

        await raw.ExpectLineAsync("^PONG$", cancellationToken: ct);
    }
}
