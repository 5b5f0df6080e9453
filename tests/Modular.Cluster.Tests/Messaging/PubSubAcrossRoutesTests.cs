using Modular.Cluster.Tests.Fixtures;
using Modular.Testing;
using NATS.Client.Core;

namespace Modular.Cluster.Tests.Messaging;

/// <summary>Plain publish/subscribe across a 3-node mesh (protocol.md §7).</summary>
public sealed class PubSubAcrossRoutesTests(ThreeNodeCluster fixture) : IClassFixture<ThreeNodeCluster>
{
    private TestCluster Cluster => fixture.Cluster;

    [Fact]
    public async Task PubSub_EveryNodePublishes_EverySubscriberGetsEachMessageOnce()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        var ct = timeout.Token;
        var subject = "every." + Guid.NewGuid().ToString("N");
        var connections = new List<NatsConnection>();
        var subs = new List<INatsSub<string>>();
        try
        {
            foreach (var node in Cluster.Nodes)
            {
                var connection = await Clients.ConnectAsync(node, ct);
                connections.Add(connection);
                subs.Add(await connection.SubscribeCoreAsync<string>(subject, cancellationToken: ct));
            }

            foreach (var publisher in connections)
            {
                foreach (var subscriber in connections.Where(c => c != publisher))
                {
                    await Propagation.AwaitInterestAsync(publisher, subscriber, ct);
                }
            }

            for (var i = 0; i < connections.Count; i++)
            {
                await connections[i].PublishAsync(subject, $"from-{Cluster[i].Name}", cancellationToken: ct);
            }

            foreach (var publisher in connections)
            {
                foreach (var subscriber in connections)
                {
                    await Propagation.BarrierAsync(publisher, subscriber, ct);
                }
            }

            var expected = Cluster.Nodes.Select(n => $"from-{n.Name}").Order(StringComparer.Ordinal).ToArray();
            for (var i = 0; i < subs.Count; i++)
            {
                var got = Clients.Drain(subs[i]).Select(m => m.Data!).Order(StringComparer.Ordinal).ToArray();
                Assert.True(expected.SequenceEqual(got), $"subscriber on {Cluster[i].Name} expected [{string.Join(", ", expected)}], got [{string.Join(", ", got)}]");
            }
        }
        finally
        {
            foreach (var sub in subs)
            {
                await sub.DisposeAsync();
            }

            foreach (var connection in connections)
            {
                await connection.DisposeAsync();
            }
        }
    }

    [Fact]
    public async Task PubSub_WildcardsAcrossRoutes_EachMatchingSubscriptionGetsOneCopy()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        var ct = timeout.Token;
        var root = "wc" + Guid.NewGuid().ToString("N");
        await using var publisher = await Clients.ConnectAsync(Cluster[0], ct);
        await using var subscriber = await Clients.ConnectAsync(Cluster[1], ct);
        // Overlapping interest on one remote connection: the publishing node must still send one copy per message.
        await using var star = await subscriber.SubscribeCoreAsync<string>($"{root}.*", cancellationToken: ct);
        await using var full = await subscriber.SubscribeCoreAsync<string>($"{root}.>", cancellationToken: ct);
        await using var literal = await subscriber.SubscribeCoreAsync<string>($"{root}.a.b", cancellationToken: ct);
        await Propagation.AwaitInterestAsync(publisher, subscriber, ct);

        await publisher.PublishAsync($"{root}.a", "1", cancellationToken: ct);
        await publisher.PublishAsync($"{root}.a.b", "2", cancellationToken: ct);
        await publisher.PublishAsync($"{root}.x.y.z", "3", cancellationToken: ct);
        await publisher.PublishAsync($"{root}", "none", cancellationToken: ct);
        await Propagation.BarrierAsync(publisher, subscriber, ct);

        Assert.Equal(["1"], Clients.Drain(star).Select(m => m.Data));
        Assert.Equal(["1", "2", "3"], Clients.Drain(full).Select(m => m.Data));
        Assert.Equal(["2"], Clients.Drain(literal).Select(m => m.Data));
    }

    [Fact]
    public async Task RequestReply_ResponderOnAnotherNode_Answers()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        var ct = timeout.Token;
        var subject = "svc." + Guid.NewGuid().ToString("N");
        await using var requester = await Clients.ConnectAsync(Cluster[0], ct);
        await using var responder = await Clients.ConnectAsync(Cluster[2], ct);
        await using var service = await responder.SubscribeCoreAsync<string>(subject, cancellationToken: ct);
        var serving = Task.Run(
            async () =>
            {
                await foreach (var request in service.Msgs.ReadAllAsync(ct))
                {
                    await request.ReplyAsync("re:" + request.Data, cancellationToken: ct);
                }
            },
            ct);
        await Propagation.AwaitInterestAsync(requester, responder, ct);

        for (var i = 0; i < 5; i++)
        {
            var reply = await requester.RequestAsync<string, string>(subject, $"q{i}", cancellationToken: ct);
            Assert.Equal($"re:q{i}", reply.Data);
        }

        await service.UnsubscribeAsync();
        await serving.WaitAsync(TimeSpan.FromSeconds(10), ct);
    }

    [Fact]
    public async Task Headers_AcrossRoutes_ArriveIntact()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        var ct = timeout.Token;
        var subject = "hdr." + Guid.NewGuid().ToString("N");
        await using var publisher = await Clients.ConnectAsync(Cluster[1], ct);
        await using var subscriber = await Clients.ConnectAsync(Cluster[2], ct);
        await using var sub = await subscriber.SubscribeCoreAsync<string>(subject, cancellationToken: ct);
        await Propagation.AwaitInterestAsync(publisher, subscriber, ct);

        var headers = new NatsHeaders { ["X-Trace"] = "abc-123", ["X-Multi"] = new Microsoft.Extensions.Primitives.StringValues(["one", "two"]) };
        await publisher.PublishAsync(subject, "with headers", headers: headers, cancellationToken: ct);
        var message = await sub.Msgs.ReadAsync(ct);

        Assert.Equal("with headers", message.Data);
        Assert.NotNull(message.Headers);
        Assert.Equal("abc-123", message.Headers!["X-Trace"].ToString());
        Assert.Equal(new[] { "one", "two" }, message.Headers["X-Multi"].ToArray().Select(v => v ?? ""));
    }

    [Fact]
    public async Task PubSub_LargePayloadAcrossRoutes_ArrivesIntact()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        var ct = timeout.Token;
        var subject = "big." + Guid.NewGuid().ToString("N");
        await using var publisher = await Clients.ConnectAsync(Cluster[0], ct);
        await using var subscriber = await Clients.ConnectAsync(Cluster[2], ct);
        await using var sub = await subscriber.SubscribeCoreAsync<byte[]>(subject, cancellationToken: ct);
        await Propagation.AwaitInterestAsync(publisher, subscriber, ct);

        var payload = new byte[900 * 1024];
        new Random(42).NextBytes(payload);
        await publisher.PublishAsync(subject, payload, cancellationToken: ct);

        var message = await sub.Msgs.ReadAsync(ct);
        Assert.True(payload.AsSpan().SequenceEqual(message.Data), "a 900 KiB payload changed on its way across the route");
    }
}
