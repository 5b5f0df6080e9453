using System.Diagnostics;
using NATS.Client.Core;
using Modular.Server.Tests.Fixtures;
using Modular.Server.Tests.Harness;

namespace Modular.Server.Tests.EndToEnd;

/// <summary>Request/reply and no-responders through a real NATS.Net client.</summary>
public sealed class RequestReplyTests(PlainServer fixture) : IClassFixture<PlainServer>
{
    private Node Server => fixture.Server;

    [Fact]
    public async Task Request_WithResponder_GetsEachReply()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        var ct = timeout.Token;
        await using var responder = await Clients.ConnectAsync(Server, ct);
        await using var requester = await Clients.ConnectAsync(Server, ct);
        await using var service = await responder.SubscribeCoreAsync<string>("svc.echo", cancellationToken: ct);
        await responder.PingAsync(ct);
        var serving = ServeAsync(service, ct);

        for (var i = 0; i < 20; i++)
        {
            var reply = await requester.RequestAsync<string, string>("svc.echo", $"ping {i}", cancellationToken: ct);
            Assert.Equal($"echo: ping {i}", reply.Data);
        }

        await service.UnsubscribeAsync();
        await serving.WaitAsync(ct);
    }

    [Fact]
    public async Task Request_ResponderOnSameConnection_GetsReply()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        var ct = timeout.Token;
        await using var connection = await Clients.ConnectAsync(Server, ct);
        await using var service = await connection.SubscribeCoreAsync<string>("svc.self", cancellationToken: ct);
        await connection.PingAsync(ct);
        var serving = ServeAsync(service, ct);

        var reply = await connection.RequestAsync<string, string>("svc.self", "me", cancellationToken: ct);

        Assert.Equal("echo: me", reply.Data);
        await service.UnsubscribeAsync();
        await serving.WaitAsync(ct);
    }

    [Fact]
    public async Task Request_NoSubscriber_ThrowsNoRespondersQuickly()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        var ct = timeout.Token;
        await using var requester = await Clients.ConnectAsync(Server, ct);
        var clock = Stopwatch.StartNew();

        // A 10 s reply timeout: a missing 503 would surface as a timeout, not as no-responders.
        await Assert.ThrowsAsync<NatsNoRespondersException>(async () =>
            await requester.RequestAsync<string, string>(
                "nobody.listens." + Guid.NewGuid().ToString("N"),
                "anyone?",
                replyOpts: new NatsSubOpts { Timeout = TimeSpan.FromSeconds(10), ThrowIfNoResponders = true },
                cancellationToken: ct));

        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(3), $"no-responders took {clock.Elapsed.TotalMilliseconds:0} ms");
    }

    private static async Task ServeAsync(INatsSub<string> service, CancellationToken ct)
    {
        await foreach (var request in service.Msgs.ReadAllAsync(ct))
        {
            await request.ReplyAsync("echo: " + request.Data, cancellationToken: ct);
        }
    }
}
