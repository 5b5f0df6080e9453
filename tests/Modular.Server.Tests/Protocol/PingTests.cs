using Modular.Server.Tests.Fixtures;
using Modular.Server.Tests.Harness;

namespace Modular.Server.Tests.Protocol;

/// <summary>Server-initiated PINGs (ping_interval 1s, ping_max 2) and stale-connection detection.</summary>
public sealed class PingTests(FastPingServer fixture) : IClassFixture<FastPingServer>
{
    private Node Server => fixture.Server;

    [Fact]
    public async Task Server_IdleClient_SendsPingWithinInterval()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        var ct = timeout.Token;
        await using var raw = await RawConnection.OpenClientAsync(Server, ct);
        await raw.SendAsync("CONNECT {\"verbose\":false,\"pedantic\":false}\r\n", ct);

        await raw.ExpectLineAsync("^PING$", TimeSpan.FromSeconds(4), ct);
    }

    [Fact]
    public async Task Server_PingsNeverAnswered_StaleConnectionAndClose()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        var ct = timeout.Token;
        await using var raw = await RawConnection.OpenClientAsync(Server, ct);
        await raw.SendAsync("CONNECT {\"verbose\":false,\"pedantic\":false}\r\n", ct);

        // Two PINGs go unanswered, then the next tick finds the connection stale (about 3 s).
        var (_, skipped) = await raw.WaitForLineAsync("^-ERR 'Stale Connection'$", TimeSpan.FromSeconds(10), ct);

        Assert.True(skipped.All(line => line == "PING"), $"unexpected lines before the error; received: {raw.Transcript}");
        Assert.True(skipped.Count >= 1, $"no PING before Stale Connection; received: {raw.Transcript}");
        Assert.True(await raw.WaitForCloseAsync(TimeSpan.FromSeconds(5), ct), $"connection still open; received: {raw.Transcript}");
        await Serving.AssertServesAsync(Server, ct);
    }

    [Fact]
    public async Task Server_PingsAnswered_ConnectionStaysOpen()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        var ct = timeout.Token;
        await using var raw = await RawConnection.OpenClientAsync(Server, ct);
        await raw.SendAsync("CONNECT {\"verbose\":false,\"pedantic\":false}\r\n", ct);

        // Answer five PINGs: well past the point where unanswered ones would make it stale.
        for (var i = 0; i < 5; i++)
        {
            await raw.ExpectLineAsync("^PING$", TimeSpan.FromSeconds(4), ct);
            await raw.SendAsync("PONG\r\n", ct);
        }

        await raw.SendAsync("PING\r\n", ct);
        await raw.WaitForLineAsync("^PONG$", cancellationToken: ct);
        Assert.False(raw.IsClosed);
    }

    [Fact]
    public async Task NatsClient_IdleAcrossManyPingIntervals_StillServed()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        var ct = timeout.Token;
        await using var connection = await Clients.ConnectAsync(Server, ct);
        await using var subscription = await connection.SubscribeCoreAsync<string>("idle.check", cancellationToken: ct);

        // The passing of time is what this test is about: NATS.Net answers the server's PINGs by
        // itself, so after four intervals it is still connected.
        await Task.Delay(TimeSpan.FromSeconds(4), ct);
        await connection.PublishAsync("idle.check", "awake", cancellationToken: ct);

        Assert.Equal("awake", (await subscription.Msgs.ReadAsync(ct)).Data);
        Assert.Equal(NATS.Client.Core.NatsConnectionState.Open, connection.ConnectionState);
    }
}
