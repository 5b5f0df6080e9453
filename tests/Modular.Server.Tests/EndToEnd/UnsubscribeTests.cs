using NATS.Client.Core;
using Modular.Server.Tests.Fixtures;
using Modular.Server.Tests.Harness;

namespace Modular.Server.Tests.EndToEnd;

/// <summary>UNSUB, immediate and with a max count.</summary>
public sealed class UnsubscribeTests(PlainServer fixture) : IClassFixture<PlainServer>
{
    private Node Server => fixture.Server;

    [Fact]
    public async Task Subscribe_MaxMsgsThree_GetsExactlyThree()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        var ct = timeout.Token;
        await using var subscriber = await Clients.ConnectAsync(Server, ct);
        await using var publisher = await Clients.ConnectAsync(Server, ct);
        await using var subscription = await subscriber.SubscribeCoreAsync<int>("limited.three", opts: new NatsSubOpts { MaxMsgs = 3 }, cancellationToken: ct);
        await subscriber.PingAsync(ct);

        for (var i = 0; i < 6; i++)
        {
            await publisher.PublishAsync("limited.three", i, cancellationToken: ct);
        }

        var received = new List<int>();
        await foreach (var message in subscription.Msgs.ReadAllAsync(ct))
        {
            received.Add(message.Data);
        }

        Assert.Equal([0, 1, 2], received);
    }

    [Fact]
    public async Task RawUnsubWithMax_FivePublished_ServerDeliversExactlyThree()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        var ct = timeout.Token;
        await using var raw = await RawConnection.ConnectClientAsync(Server, RawConnection.MinimalConnect, answerPings: false, ct);

        await raw.SendAsync("SUB max.raw 7\r\nUNSUB 7 3\r\n", ct);
        for (var i = 0; i < 5; i++)
        {
            await raw.SendAsync($"PUB max.raw 2\r\nm{i}\r\n", ct);
        }

        await raw.SendAsync("PING\r\n", ct);
        var (_, before) = await raw.WaitForLineAsync("^PONG$", cancellationToken: ct);

        // Five MSG frames would be ten lines (header + payload each).
        Assert.True(
            before.SequenceEqual(["MSG max.raw 7 2", "m0", "MSG max.raw 7 2", "m1", "MSG max.raw 7 2", "m2"]),
            $"expected exactly three MSGs before PONG; received: {raw.Transcript}");

        // The subscription is gone now: a further publish is not delivered.
        await raw.SendAsync("PUB max.raw 2\r\nm5\r\nPING\r\n", ct);
        await raw.ExpectLineAsync("^PONG$", cancellationToken: ct);
    }

    [Fact]
    public async Task Unsubscribe_ThenPublish_NotDelivered()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        var ct = timeout.Token;
        await using var raw = await RawConnection.ConnectClientAsync(Server, RawConnection.MinimalConnect, answerPings: false, ct);

        await raw.SendAsync("SUB gone.soon 1\r\nPUB gone.soon 1\r\na\r\nUNSUB 1\r\nPUB gone.soon 1\r\nb\r\nPING\r\n", ct);

        var message = await raw.ReadMsgAsync(cancellationToken: ct);
        Assert.Equal("a", message.Payload);
        await raw.ExpectLineAsync("^PONG$", cancellationToken: ct);
    }
}
