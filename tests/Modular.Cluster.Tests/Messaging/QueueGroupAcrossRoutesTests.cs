using Modular.Cluster.Tests.Fixtures;
using Modular.Testing;
using NATS.Client.Core;

namespace Modular.Cluster.Tests.Messaging;

/// <summary>
/// Queue groups with members on every node: each message goes to exactly one member cluster-wide,
/// chosen over all members, not only local ones (protocol.md §7.3).
/// </summary>
public sealed class QueueGroupAcrossRoutesTests(ThreeNodeCluster fixture) : IClassFixture<ThreeNodeCluster>
{
    private const int Messages = 1000;
    private const int MembersPerNode = 2;

    private TestCluster Cluster => fixture.Cluster;

    [Fact]
    public async Task QueueGroup_MembersOnThreeNodesOnePublisher_EachMessageExactlyOnce()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(90));
        await using var group = await QueueSetup.StartAsync(Cluster, publisherNodes: [0], ct: timeout.Token);

        for (var i = 0; i < Messages; i++)
        {
            await group.Publishers[0].PublishAsync(group.Subject, $"m{i}", cancellationToken: timeout.Token);
        }

        var byNode = await group.CollectAsync(timeout.Token);
        AssertExactlyOnce(byNode, Enumerable.Range(0, Messages).Select(i => $"m{i}"));
        // A plain subscriber next to the group gets every message.
        Assert.Equal(Messages, group.PlainReceived());
    }

    [Fact]
    public async Task QueueGroup_PublishersOnEveryNode_EachMessageExactlyOnce()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(90));
        await using var group = await QueueSetup.StartAsync(Cluster, publisherNodes: [0, 1, 2], ct: timeout.Token);

        var expected = new List<string>();
        for (var i = 0; i < Messages; i++)
        {
            var p = i % group.Publishers.Count;
            var payload = $"p{p}-m{i}";
            expected.Add(payload);
            await group.Publishers[p].PublishAsync(group.Subject, payload, cancellationToken: timeout.Token);
        }

        var byNode = await group.CollectAsync(timeout.Token);
        AssertExactlyOnce(byNode, expected);
    }

    [Fact]
    public async Task QueueGroup_MembersOnThreeNodes_SpreadOverAllNodes()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(90));
        await using var group = await QueueSetup.StartAsync(Cluster, publisherNodes: [0], ct: timeout.Token);

        for (var i = 0; i < Messages; i++)
        {
            await group.Publishers[0].PublishAsync(group.Subject, $"m{i}", cancellationToken: timeout.Token);
        }

        var byNode = await group.CollectAsync(timeout.Token);
        // Members are picked uniformly over the cluster (6 members, 2 per node): about a third each.
        foreach (var (node, payloads) in byNode)
        {
            Assert.True(
                payloads.Count >= Messages / 10,
                $"{node} got only {payloads.Count} of {Messages} messages; spread: {string.Join(", ", byNode.Select(kv => $"{kv.Key}={kv.Value.Count}"))}");
        }
    }

    private static void AssertExactlyOnce(Dictionary<string, List<string>> byNode, IEnumerable<string> expected)
    {
        var all = byNode.Values.SelectMany(v => v).ToList();
        var spread = string.Join(", ", byNode.Select(kv => $"{kv.Key}={kv.Value.Count}"));
        var duplicates = all.GroupBy(x => x).Where(g => g.Count() > 1).Select(g => $"{g.Key}x{g.Count()}").Take(10).ToList();
        var missing = expected.Except(all).Take(10).ToList();
        Assert.True(duplicates.Count == 0, $"delivered more than once: {string.Join(", ", duplicates)} (spread {spread})");
        Assert.True(missing.Count == 0, $"never delivered: {string.Join(", ", missing)}… ({all.Count} delivered; spread {spread})");
        Assert.Equal(expected.Count(), all.Count);
    }

    /// <summary>One connection per node with <see cref="MembersPerNode"/> members of group "workers", a plain subscriber on node 2, and publishers.</summary>
    private sealed class QueueSetup : IAsyncDisposable
    {
        private readonly List<IAsyncDisposable> _owned = new();
        private readonly List<(string Node, NatsConnection Connection, List<INatsSub<string>> Members)> _members = new();
        private NatsConnection? _plainConnection;
        private INatsSub<string>? _plain;

        public string Subject { get; } = "work." + Guid.NewGuid().ToString("N");

        public List<NatsConnection> Publishers { get; } = new();

        public static async Task<QueueSetup> StartAsync(TestCluster cluster, int[] publisherNodes, CancellationToken ct)
        {
            var setup = new QueueSetup();
            try
            {
                foreach (var node in cluster.Nodes)
                {
                    var connection = await Clients.ConnectAsync(node, ct);
                    setup._owned.Add(connection);
                    var members = new List<INatsSub<string>>();
                    for (var m = 0; m < MembersPerNode; m++)
                    {
                        var member = await connection.SubscribeCoreAsync<string>(setup.Subject, queueGroup: "workers", cancellationToken: ct);
                        setup._owned.Insert(0, member);
                        members.Add(member);
                    }

                    setup._members.Add((node.Name, connection, members));
                }

                setup._plainConnection = await Clients.ConnectAsync(cluster[1], ct);
                setup._owned.Add(setup._plainConnection);
                setup._plain = await setup._plainConnection.SubscribeCoreAsync<string>(setup.Subject, cancellationToken: ct);
                setup._owned.Insert(0, setup._plain);

                foreach (var index in publisherNodes)
                {
                    var publisher = await Clients.ConnectAsync(cluster[index], ct);
                    setup._owned.Add(publisher);
                    setup.Publishers.Add(publisher);
                    foreach (var (_, connection, _) in setup._members)
                    {
                        await Propagation.AwaitInterestAsync(publisher, connection, ct);
                    }

                    await Propagation.AwaitInterestAsync(publisher, setup._plainConnection, ct);
                }

                return setup;
            }
            catch
            {
                await setup.DisposeAsync();
                throw;
            }
        }

        /// <summary>After a barrier from every publisher to every member connection: the payloads each node's members got.</summary>
        public async Task<Dictionary<string, List<string>>> CollectAsync(CancellationToken ct)
        {
            foreach (var publisher in Publishers)
            {
                foreach (var (_, connection, _) in _members)
                {
                    await Propagation.BarrierAsync(publisher, connection, ct);
                }

                await Propagation.BarrierAsync(publisher, _plainConnection!, ct);
            }

            return _members.ToDictionary(
                m => m.Node,
                m => m.Members.SelectMany(member => Clients.Drain(member).Select(msg => msg.Data!)).ToList());
        }

        public int PlainReceived() => Clients.Drain(_plain!).Count;

        public async ValueTask DisposeAsync()
        {
            foreach (var owned in _owned)
            {
                await owned.DisposeAsync();
            }
        }
    }
}
