using NATS.Client.Core;

namespace Modular.Testing;

/// <summary>
/// Two clusters, "A" and "B", joined by gateways: each node runs the program its cluster lists
/// (modular or a nats-server), routes to the first node of its cluster, and listens for gateways on
/// a port chosen before the start (the other cluster's configs name it). <see cref="Dialing"/> says
/// which side lists the other: both, or only one (the other learns the way back from the inbound
/// INFO, an implicit gateway). Nodes are in one free-form <see cref="TestCluster"/>.
/// </summary>
public sealed class SuperCluster : IAsyncDisposable
{
    public static readonly TimeSpan FormTimeout = TimeSpan.FromSeconds(30);

    private SuperCluster(TestCluster nodes, IReadOnlyList<Node> a, IReadOnlyList<Node> b)
    {
        Nodes = nodes;
        A = a;
        B = b;
    }

    /// <summary>Which cluster's configs list the other's gateways.</summary>
    public enum GatewayDialing
    {
        Both,
        AOnly,
        BOnly,
    }

    public TestCluster Nodes { get; }

    public IReadOnlyList<Node> A { get; }

    public IReadOnlyList<Node> B { get; }

    /// <summary>Starts both clusters (their first nodes together, then the rest routing to them); returns once they are formed, not yet the gateways.</summary>
    public static async Task<SuperCluster> StartAsync(
        IReadOnlyList<NodeProgram> programsA,
        IReadOnlyList<NodeProgram> programsB,
        GatewayDialing dialing = GatewayDialing.Both,
        Func<string, int, ConfigBuilder, ConfigBuilder>? adjust = null,
        CancellationToken cancellationToken = default)
    {
        var portsA = programsA.Select(_ => FreePort.Next()).ToArray();
        var portsB = programsB.Select(_ => FreePort.Next()).ToArray();
        ConfigBuilder Spec(string cluster, int index)
        {
            var ownPorts = cluster == "A" ? portsA : portsB;
            var spec = new ConfigBuilder { Name = $"{cluster.ToLowerInvariant()}{index + 1}", NoSystemAccount = false }
                .Cluster(cluster)
                .Gateway(cluster, ownPorts[index]);
            if (dialing != GatewayDialing.BOnly && cluster == "A")
            {
                spec = spec.GatewayTo("B", portsB);
            }

            if (dialing != GatewayDialing.AOnly && cluster == "B")
            {
                spec = spec.GatewayTo("A", portsA);
            }

            return adjust is null ? spec : adjust(cluster, index, spec);
        }

        var nodes = new TestCluster();
        try
        {
            var firsts = await nodes.AddAsync([(programsA[0], Spec("A", 0)), (programsB[0], Spec("B", 0))], cancellationToken: cancellationToken).ConfigureAwait(false);
            var rest = new List<(NodeProgram, ConfigBuilder)>();
            for (var i = 1; i < programsA.Count; i++)
            {
                rest.Add((programsA[i], Spec("A", i).Route(firsts[0].RouteUrl)));
            }

            for (var i = 1; i < programsB.Count; i++)
            {
                rest.Add((programsB[i], Spec("B", i).Route(firsts[1].RouteUrl)));
            }

            var others = rest.Count == 0 ? [] : await nodes.AddAsync(rest, cancellationToken: cancellationToken).ConfigureAwait(false);
            var a = new List<Node> { firsts[0] };
            var b = new List<Node> { firsts[1] };
            a.AddRange(others.Where(n => n.Name.StartsWith('a')));
            b.AddRange(others.Where(n => n.Name.StartsWith('b')));
            await TestCluster.WaitMeshAsync(a, FormTimeout, cancellationToken).ConfigureAwait(false);
            await TestCluster.WaitMeshAsync(b, FormTimeout, cancellationToken).ConfigureAwait(false);
            return new SuperCluster(nodes, a, b);
        }
        catch
        {
            await nodes.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    /// <summary>
    /// Returns once a message published on every node reaches a subscriber on every node of the
    /// other cluster: every server has its outbound gateway and the interest has crossed.
    /// </summary>
    public async Task WaitGatewaysAsync(CancellationToken cancellationToken, TimeSpan? timeout = null)
    {
        foreach (var (from, to) in A.SelectMany(a => B.Select(b => (a, b))).Concat(B.SelectMany(b => A.Select(a => (b, a)))))
        {
            await using var publisher = await Clients.ConnectAsync(from, cancellationToken).ConfigureAwait(false);
            await using var subscriber = await Clients.ConnectAsync(to, cancellationToken).ConfigureAwait(false);
            await Propagation.AwaitInterestAsync(publisher, subscriber, cancellationToken, timeout ?? FormTimeout).ConfigureAwait(false);
        }
    }

    /// <summary>
    /// A subscriber on every node, one message published on every node: each subscriber must get
    /// every message exactly once (across routes and gateways, no duplicates, nothing lost).
    /// </summary>
    public async Task AssertEveryMessageReachesEverySubscriberOnceAsync(CancellationToken cancellationToken)
    {
        var ct = cancellationToken;
        var all = A.Concat(B).ToList();
        var subject = "gw." + Guid.NewGuid().ToString("N");
        var subscribers = new List<(Node Node, NatsConnection Connection, INatsSub<int> Sub)>();
        var publishers = new List<NatsConnection>();
        try
        {
            foreach (var node in all)
            {
                var connection = await Clients.ConnectAsync(node, ct).ConfigureAwait(false);
                subscribers.Add((node, connection, await connection.SubscribeCoreAsync<int>(subject, cancellationToken: ct).ConfigureAwait(false)));
                publishers.Add(await Clients.ConnectAsync(node, ct).ConfigureAwait(false));
            }

            foreach (var publisher in publishers)
            {
                foreach (var (_, connection, _) in subscribers)
                {
                    await Propagation.AwaitInterestAsync(publisher, connection, ct).ConfigureAwait(false);
                }
            }

            for (var i = 0; i < publishers.Count; i++)
            {
                await publishers[i].PublishAsync(subject, i, cancellationToken: ct).ConfigureAwait(false);
            }

            foreach (var publisher in publishers)
            {
                foreach (var (_, connection, _) in subscribers)
                {
                    await Propagation.BarrierAsync(publisher, connection, ct).ConfigureAwait(false);
                }
            }

            foreach (var (node, _, sub) in subscribers)
            {
                var got = Clients.Drain(sub).Select(m => m.Data).Order().ToList();
                if (!got.SequenceEqual(Enumerable.Range(0, publishers.Count)))
                {
                    throw new InvalidOperationException($"{node.Name} got [{string.Join(",", got)}], expected each of 0..{publishers.Count - 1} once (publisher i on node i of {string.Join(",", all.Select(n => n.Name))})\n{Describe()}");
                }
            }
        }
        finally
        {
            foreach (var (_, connection, sub) in subscribers)
            {
                await sub.DisposeAsync().ConfigureAwait(false);
                await connection.DisposeAsync().ConfigureAwait(false);
            }

            foreach (var publisher in publishers)
            {
                await publisher.DisposeAsync().ConfigureAwait(false);
            }
        }
    }

    /// <summary>
    /// For every pair of nodes in different clusters, a request from one to a responder on the
    /// other is answered. The responder answers with the reply subject it saw: the requester's own
    /// inbox, whatever the servers: the reply crossed as <c>_GR_.&lt;cluster&gt;.&lt;server&gt;.&lt;inbox&gt;</c>,
    /// and the responder's server (modular or nats-server) hands its client the original reply and
    /// maps the answer back.
    /// </summary>
    public async Task AssertRequestsAnsweredAcrossAsync(CancellationToken cancellationToken)
    {
        var ct = cancellationToken;
        var pairs = A.SelectMany(a => B.Select(b => (Requester: a, Responder: b))).Concat(B.SelectMany(b => A.Select(a => (Requester: b, Responder: a))));
        foreach (var (requesterNode, responderNode) in pairs)
        {
            var subject = $"svc.{requesterNode.Name}.{responderNode.Name}.{Guid.NewGuid():N}";
            await using var responder = await Clients.ConnectAsync(responderNode, ct).ConfigureAwait(false);
            await using var requester = await Clients.ConnectAsync(requesterNode, ct).ConfigureAwait(false);
            await using var sub = await responder.SubscribeCoreAsync<string>(subject, cancellationToken: ct).ConfigureAwait(false);
            var answering = Task.Run(
                async () =>
                {
                    await foreach (var message in sub.Msgs.ReadAllAsync(ct).ConfigureAwait(false))
                    {
                        if (message.ReplyTo is { } reply)
                        {
                            await responder.PublishAsync(reply, reply, cancellationToken: ct).ConfigureAwait(false);
                        }
                    }
                },
                ct);
            await Propagation.AwaitInterestAsync(requester, responder, ct).ConfigureAwait(false);
            for (var i = 0; i < 3; i++)
            {
                var answer = await requester.RequestAsync<string, string>(subject, "ping", replyOpts: new NatsSubOpts { Timeout = TimeSpan.FromSeconds(5) }, cancellationToken: ct).ConfigureAwait(false);
                var seen = answer.Data ?? "";
                if (!seen.StartsWith("_INBOX.", StringComparison.Ordinal))
                {
                    throw new InvalidOperationException($"a request from {requesterNode.Name} reached {responderNode.Name}'s client with reply {seen}, not the requester's inbox");
                }
            }

            await sub.UnsubscribeAsync().ConfigureAwait(false);
            await answering.ConfigureAwait(false);
        }
    }

    /// <summary>
    /// A queue group with a member in each cluster: what A publishes goes to A's member only (a
    /// local member wins); once it leaves, to B's (one remote cluster is chosen), none lost after the switch.
    /// </summary>
    public async Task AssertQueueGroupPrefersLocalThenFailsOverAsync(CancellationToken cancellationToken)
    {
        var ct = cancellationToken;
        var subject = "q." + Guid.NewGuid().ToString("N");
        const string group = "workers";
        await using var publisher = await Clients.ConnectAsync(A[0], ct).ConfigureAwait(false);
        await using var localConnection = await Clients.ConnectAsync(A[^1], ct).ConfigureAwait(false);
        await using var remoteConnection = await Clients.ConnectAsync(B[0], ct).ConfigureAwait(false);
        var local = await localConnection.SubscribeCoreAsync<int>(subject, queueGroup: group, cancellationToken: ct).ConfigureAwait(false);
        await using var remote = await remoteConnection.SubscribeCoreAsync<int>(subject, queueGroup: group, cancellationToken: ct).ConfigureAwait(false);
        await Propagation.AwaitInterestAsync(publisher, localConnection, ct).ConfigureAwait(false);
        await Propagation.AwaitInterestAsync(publisher, remoteConnection, ct).ConfigureAwait(false);

        for (var i = 0; i < 50; i++)
        {
            await publisher.PublishAsync(subject, i, cancellationToken: ct).ConfigureAwait(false);
        }

        await Propagation.BarrierAsync(publisher, localConnection, ct).ConfigureAwait(false);
        await Propagation.BarrierAsync(publisher, remoteConnection, ct).ConfigureAwait(false);
        var gotLocal = Clients.Drain(local).Count;
        var gotRemote = Clients.Drain(remote).Count;
        if (gotLocal != 50 || gotRemote != 0)
        {
            throw new InvalidOperationException($"with a member in each cluster, {A[^1].Name} (local) got {gotLocal} and {B[0].Name} (remote) {gotRemote} of 50; expected all local\n{Describe()}");
        }

        await local.DisposeAsync().ConfigureAwait(false);

        // The local member is gone once a message reaches the remote one; then every message must.
        var switched = false;
        for (var attempt = 0; attempt < 200 && !switched; attempt++)
        {
            await publisher.PublishAsync(subject, -1, cancellationToken: ct).ConfigureAwait(false);
            using var wait = CancellationTokenSource.CreateLinkedTokenSource(ct);
            wait.CancelAfter(TimeSpan.FromMilliseconds(100));
            try
            {
                await remote.Msgs.ReadAsync(wait.Token).ConfigureAwait(false);
                switched = true;
            }
            catch (OperationCanceledException) when (!ct.IsCancellationRequested)
            {
            }
        }

        if (!switched)
        {
            throw new InvalidOperationException($"the queue group did not fail over to {B[0].Name} after the local member left\n{Describe()}");
        }

        Clients.Drain(remote);
        for (var i = 0; i < 50; i++)
        {
            await publisher.PublishAsync(subject, i, cancellationToken: ct).ConfigureAwait(false);
        }

        await Propagation.BarrierAsync(publisher, remoteConnection, ct).ConfigureAwait(false);
        var afterFailover = Clients.Drain(remote).Where(m => m.Data >= 0).Select(m => m.Data).ToList();
        if (!afterFailover.SequenceEqual(Enumerable.Range(0, 50)))
        {
            throw new InvalidOperationException($"after failover {B[0].Name} got {afterFailover.Count} of 50 ([{string.Join(",", afterFailover)}])\n{Describe()}");
        }
    }

    public string Describe() => string.Join("\n", A.Concat(B).Select(n => n.Describe(40)));

    public ValueTask DisposeAsync() => Nodes.DisposeAsync();
}
