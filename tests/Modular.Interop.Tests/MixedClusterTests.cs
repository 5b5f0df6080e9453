using Modular.Testing;
using NATS.Client.Core;

namespace Modular.Interop.Tests;

/// <summary>
/// A modular node and a real nats-server routed together: interest and messages in both
/// directions. The same tests run against each nats-server version (see the derived classes).
/// </summary>
public abstract class MixedClusterTests<TFixture>(TFixture fixture)
    where TFixture : MixedPairFixture
{
    private const int QueueMessages = 400;

    protected TFixture Fixture { get; } = fixture;

    private Node Modular => Fixture.Modular;

    private Node NatsServer => Fixture.NatsServer;

    [Fact]
    public async Task Routes_Formed_ExpectedConnectionsOnBothSidesWithoutChurn()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        var ct = timeout.Token;
        await Fixture.Cluster.WaitConnectionCountsAsync(Fixture.ExpectedConnections, cancellationToken: ct);

        var first = new Dictionary<string, Routez>();
        foreach (var node in Fixture.Cluster.Nodes)
        {
            var routez = await MonitorEndpoints.RoutezAsync(node, cancellationToken: ct);
            first[node.Name] = routez;
            var pinned = routez.Routes.Count(r => r.Account == "$SYS");
            Assert.True(
                pinned == (Fixture.ExpectsPinnedSys ? 1 : 0),
                $"{node.Program.Label} {node.Name}: expected {(Fixture.ExpectsPinnedSys ? "one" : "no")} route pinned to $SYS: {routez.Summary()}");
        }

        // No redial loop: the same connections stay for a few seconds.
        var until = DateTime.UtcNow + TimeSpan.FromSeconds(3);
        while (DateTime.UtcNow < until)
        {
            await Task.Delay(250, ct);
            foreach (var node in Fixture.Cluster.Nodes)
            {
                var now = await MonitorEndpoints.RoutezAsync(node, cancellationToken: ct);
                Assert.True(
                    now.Routes.Select(r => r.Rid).Order().SequenceEqual(first[node.Name].Routes.Select(r => r.Rid).Order()),
                    $"{node.Program.Label} {node.Name}: route connections changed after forming\nbefore: {first[node.Name].Summary()}\nnow: {now.Summary()}\n{node.Describe(40)}");
            }
        }
    }

    [Fact]
    public async Task PubSub_ModularPublishes_NatsServerSubscriberReceives()
    {
        await AssertPubSubAsync(publisherNode: Modular, subscriberNode: NatsServer);
    }

    [Fact]
    public async Task PubSub_NatsServerPublishes_ModularSubscriberReceives()
    {
        await AssertPubSubAsync(publisherNode: NatsServer, subscriberNode: Modular);
    }

    [Fact]
    public async Task QueueGroup_MembersOnBothServers_EachMessageExactlyOnce()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(90));
        var ct = timeout.Token;
        var subject = "mixq." + Guid.NewGuid().ToString("N");
        await using var onModular = await Clients.ConnectAsync(Modular, ct);
        await using var onNats = await Clients.ConnectAsync(NatsServer, ct);
        await using var memberM1 = await onModular.SubscribeCoreAsync<string>(subject, queueGroup: "workers", cancellationToken: ct);
        await using var memberM2 = await onModular.SubscribeCoreAsync<string>(subject, queueGroup: "workers", cancellationToken: ct);
        await using var memberN1 = await onNats.SubscribeCoreAsync<string>(subject, queueGroup: "workers", cancellationToken: ct);
        await using var memberN2 = await onNats.SubscribeCoreAsync<string>(subject, queueGroup: "workers", cancellationToken: ct);
        await using var pubModular = await Clients.ConnectAsync(Modular, ct);
        await using var pubNats = await Clients.ConnectAsync(NatsServer, ct);
        foreach (var publisher in new[] { pubModular, pubNats })
        {
            await Propagation.AwaitInterestAsync(publisher, onModular, ct);
            await Propagation.AwaitInterestAsync(publisher, onNats, ct);
        }

        var expected = new List<string>();
        for (var i = 0; i < QueueMessages; i++)
        {
            var fromModular = i % 2 == 0;
            var payload = (fromModular ? "m" : "n") + i;
            expected.Add(payload);
            await (fromModular ? pubModular : pubNats).PublishAsync(subject, payload, cancellationToken: ct);
        }

        foreach (var publisher in new[] { pubModular, pubNats })
        {
            await Propagation.BarrierAsync(publisher, onModular, ct);
            await Propagation.BarrierAsync(publisher, onNats, ct);
        }

        var atModular = Clients.Drain(memberM1).Concat(Clients.Drain(memberM2)).Select(m => m.Data!).ToList();
        var atNats = Clients.Drain(memberN1).Concat(Clients.Drain(memberN2)).Select(m => m.Data!).ToList();
        var all = atModular.Concat(atNats).ToList();
        var spread = $"modular members got {atModular.Count}, {Fixture.PeerLabel} members got {atNats.Count}";
        var duplicates = all.GroupBy(x => x).Where(g => g.Count() > 1).Select(g => g.Key).Take(10).ToList();
        Assert.True(duplicates.Count == 0, $"delivered twice: {string.Join(", ", duplicates)} ({spread})");
        var missing = expected.Except(all).Take(10).ToList();
        Assert.True(missing.Count == 0, $"never delivered: {string.Join(", ", missing)} ({spread})");
        Assert.Equal(QueueMessages, all.Count);
        // Both servers pick members over the whole cluster: each side serves a fair share.
        Assert.True(atModular.Count >= QueueMessages / 10 && atNats.Count >= QueueMessages / 10, "queue members on one side were starved: " + spread);
    }

    [Fact]
    public async Task Wildcards_StarAndFullWildcard_MatchAcrossTheRouteBothWays()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        var ct = timeout.Token;
        foreach (var (pubNode, subNode) in new[] { (Modular, NatsServer), (NatsServer, Modular) })
        {
            var root = "mixwc" + Guid.NewGuid().ToString("N");
            await using var publisher = await Clients.ConnectAsync(pubNode, ct);
            await using var subscriber = await Clients.ConnectAsync(subNode, ct);
            await using var star = await subscriber.SubscribeCoreAsync<string>($"{root}.*", cancellationToken: ct);
            await using var full = await subscriber.SubscribeCoreAsync<string>($"{root}.>", cancellationToken: ct);
            await Propagation.AwaitInterestAsync(publisher, subscriber, ct);

            await publisher.PublishAsync($"{root}.a", "1", cancellationToken: ct);
            await publisher.PublishAsync($"{root}.a.b", "2", cancellationToken: ct);
            await publisher.PublishAsync(root, "none", cancellationToken: ct);
            await Propagation.BarrierAsync(publisher, subscriber, ct);

            var direction = $"{pubNode.Program.Label} -> {subNode.Program.Label}";
            Assert.True(Clients.Drain(star).Select(m => m.Data).SequenceEqual(["1"]), $"{direction}: {root}.* must get exactly message 1");
            Assert.True(Clients.Drain(full).Select(m => m.Data).SequenceEqual(["1", "2"]), $"{direction}: {root}.> must get exactly messages 1 and 2");
        }
    }

    [Fact]
    public async Task Unsubscribe_OnNatsServer_ModularStopsForwarding()
    {
        await AssertUnsubscribePropagatesAsync(subscriberNode: NatsServer, publisherNode: Modular);
    }

    [Fact]
    public async Task Unsubscribe_OnModular_NatsServerStopsForwarding()
    {
        await AssertUnsubscribePropagatesAsync(subscriberNode: Modular, publisherNode: NatsServer);
    }

    [Fact]
    public async Task UnsubscribeWithMax_OnNatsServer_ModularDropsInterestAfterMax()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        var ct = timeout.Token;
        var subject = "mixmax." + Guid.NewGuid().ToString("N");
        var natsId = await MonitorEndpoints.ServerIdAsync(NatsServer, ct);
        await using var raw = await RawConnection.ConnectClientAsync(NatsServer, cancellationToken: ct);
        await raw.SendAsync($"SUB {subject} 1\r\nUNSUB 1 2\r\n", ct);
        await raw.PingAsync(cancellationToken: ct);
        await WaitRoutezInterestAsync(Modular, natsId, subject, present: true);

        await using var publisher = await Clients.ConnectAsync(Modular, ct);
        for (var i = 1; i <= 3; i++)
        {
            await publisher.PublishAsync(subject, $"m{i}", cancellationToken: ct);
        }

        Assert.Equal("m1", (await raw.ReadFrameAsync(cancellationToken: ct)).Payload);
        Assert.Equal("m2", (await raw.ReadFrameAsync(cancellationToken: ct)).Payload);
        await WaitRoutezInterestAsync(Modular, natsId, subject, present: false);
        Assert.Empty(await raw.PingAsync(cancellationToken: ct));
    }

    [Fact]
    public async Task Headers_BothWays_ArriveIntact()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        var ct = timeout.Token;
        foreach (var (pubNode, subNode) in new[] { (Modular, NatsServer), (NatsServer, Modular) })
        {
            var subject = "mixhdr." + Guid.NewGuid().ToString("N");
            await using var publisher = await Clients.ConnectAsync(pubNode, ct);
            await using var subscriber = await Clients.ConnectAsync(subNode, ct);
            await using var sub = await subscriber.SubscribeCoreAsync<string>(subject, cancellationToken: ct);
            await Propagation.AwaitInterestAsync(publisher, subscriber, ct);

            await publisher.PublishAsync(subject, "body", headers: new NatsHeaders { ["X-From"] = pubNode.Program.Label }, cancellationToken: ct);
            var message = await sub.Msgs.ReadAsync(ct);

            Assert.Equal("body", message.Data);
            Assert.True(message.Headers is not null && message.Headers["X-From"] == pubNode.Program.Label, $"{pubNode.Program.Label} -> {subNode.Program.Label}: header lost");
        }
    }

    [Fact]
    public async Task RequestReply_BothWays_Answered()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        var ct = timeout.Token;
        foreach (var (requesterNode, responderNode) in new[] { (Modular, NatsServer), (NatsServer, Modular) })
        {
            var subject = "mixsvc." + Guid.NewGuid().ToString("N");
            await using var requester = await Clients.ConnectAsync(requesterNode, ct);
            await using var responder = await Clients.ConnectAsync(responderNode, ct);
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

            var reply = await requester.RequestAsync<string, string>(subject, "ping", cancellationToken: ct);
            Assert.Equal("re:ping", reply.Data);
            await service.UnsubscribeAsync();
            await serving.WaitAsync(TimeSpan.FromSeconds(10), ct);
        }
    }

    private async Task AssertPubSubAsync(Node publisherNode, Node subscriberNode)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        var ct = timeout.Token;
        var subject = "mix." + Guid.NewGuid().ToString("N");
        await using var publisher = await Clients.ConnectAsync(publisherNode, ct);
        await using var subscriber = await Clients.ConnectAsync(subscriberNode, ct);
        await using var sub = await subscriber.SubscribeCoreAsync<string>(subject, cancellationToken: ct);
        await Propagation.AwaitInterestAsync(publisher, subscriber, ct);

        for (var i = 0; i < 100; i++)
        {
            await publisher.PublishAsync(subject, $"m{i}", cancellationToken: ct);
        }

        await Propagation.BarrierAsync(publisher, subscriber, ct);
        var got = Clients.Drain(sub).Select(m => m.Data).ToList();
        Assert.True(
            got.SequenceEqual(Enumerable.Range(0, 100).Select(i => $"m{i}")),
            $"{publisherNode.Program.Label} -> {subscriberNode.Program.Label}: expected m0..m99 in order once each, got {got.Count}: {string.Join(",", got.Take(20))}…");
    }

    private async Task AssertUnsubscribePropagatesAsync(Node subscriberNode, Node publisherNode)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        var ct = timeout.Token;
        var subject = "mixunsub." + Guid.NewGuid().ToString("N");
        var subscriberId = await MonitorEndpoints.ServerIdAsync(subscriberNode, ct);
        await using var raw = await RawConnection.ConnectClientAsync(subscriberNode, cancellationToken: ct);
        await raw.SendAsync($"SUB {subject} 1\r\nSUB {subject}.barrier 2\r\n", ct);
        await raw.PingAsync(cancellationToken: ct);
        await WaitRoutezInterestAsync(publisherNode, subscriberId, subject, present: true);

        await using var publisher = await Clients.ConnectAsync(publisherNode, ct);
        await publisher.PublishAsync(subject, "before", cancellationToken: ct);
        Assert.Equal("before", (await raw.ReadFrameAsync(cancellationToken: ct)).Payload);

        await raw.SendAsync("UNSUB 1\r\n", ct);
        await raw.PingAsync(cancellationToken: ct);
        await WaitRoutezInterestAsync(publisherNode, subscriberId, subject, present: false);

        await publisher.PublishAsync(subject, "after", cancellationToken: ct);
        await publisher.PublishAsync($"{subject}.barrier", "barrier", cancellationToken: ct);
        var next = await raw.ReadFrameAsync(cancellationToken: ct);
        Assert.True(next.Payload == "barrier", $"{publisherNode.Program.Label} still forwarded to an unsubscribed subject on {subscriberNode.Program.Label}: {next.Line} {next.Payload}");
    }

    private static async Task WaitRoutezInterestAsync(Node node, string remoteId, string subject, bool present)
    {
        Routez? last = null;
        try
        {
            await Wait.Until(
                async () =>
                {
                    last = await MonitorEndpoints.RoutezAsync(node, subs: true);
                    return last.HasInterest(remoteId, subject) == present;
                },
                TimeSpan.FromSeconds(15),
                $"{node.Program.Label} /routez?subs=1 to {(present ? "list" : "drop")} {subject} from {remoteId}");
        }
        catch (TimeoutException ex)
        {
            Assert.Fail($"{ex.Message}\nlast /routez?subs=1: {last?.Json}\n{node.Describe(40)}");
        }
    }
}

/// <summary>The mixed-cluster tests with Debian's nats-server 2.9.10.</summary>
public sealed class NatsServer29InteropTests(NatsServer29Pair fixture)
    : MixedClusterTests<NatsServer29Pair>(fixture), IClassFixture<NatsServer29Pair>;

/// <summary>The mixed-cluster tests with nats-server 2.10 (pool_size 3 on both sides).</summary>
public sealed class NatsServer210InteropTests(NatsServer210Pair fixture)
    : MixedClusterTests<NatsServer210Pair>(fixture), IClassFixture<NatsServer210Pair>;
