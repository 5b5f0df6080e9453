using Modular.Testing;
using NATS.Client.Core;

namespace Modular.Interop.Tests;

/// <summary>
/// modular, nats-server, modular in a full mesh with accounts A and B on every server: the real
/// peer sits between two modular nodes, so one-hop forwarding and account routing are checked
/// across implementations.
/// </summary>
public abstract class MixedTrioFixture : IAsyncLifetime
{
    public static readonly (string User, string Password) UserA = ("a", "pa");
    public static readonly (string User, string Password) UserB = ("b", "pb");

    private TestCluster? _cluster;

    protected abstract NodeProgram Peer();

    protected abstract int? PeerPoolSize { get; }

    public TestCluster Cluster => _cluster ?? throw new InvalidOperationException("The mixed cluster did not start");

    public async Task InitializeAsync()
    {
        var peer = Peer();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(90));
        _cluster = await TestCluster.StartFormedAsync(
            new ClusterSpec
            {
                Size = 3,
                NamePrefix = "trio-",
                Backend = NodeBackend.Process, // interop runs every server as a process
                Accounts = new Dictionary<string, (string User, string Password)[]> { ["A"] = [UserA], ["B"] = [UserB] },
                ProgramFor = i => i == 1 ? peer : NodeProgram.Modular,
                AdjustNode = (i, node) => i == 1 ? node with { PoolSize = PeerPoolSize } : node,
            },
            timeout.Token);
    }

    public async Task DisposeAsync()
    {
        if (_cluster is not null)
        {
            await _cluster.DisposeAsync();
        }
    }
}

public sealed class NatsServer29Trio : MixedTrioFixture
{
    protected override NodeProgram Peer() => NodeProgram.NatsServer29;

    protected override int? PeerPoolSize => null;
}

public sealed class NatsServer210Trio : MixedTrioFixture
{
    protected override NodeProgram Peer() => NodeProgram.NatsServer210;

    protected override int? PeerPoolSize => 3;
}

public abstract class MixedTrioTests<TFixture>(TFixture fixture)
    where TFixture : MixedTrioFixture
{
    private TestCluster Cluster => fixture.Cluster;

    [Fact]
    public async Task Trio_EveryServerPublishesInAccountA_EachSubscriberGetsEachMessageOnceAndBNothing()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        var ct = timeout.Token;
        var subject = "trio." + Guid.NewGuid().ToString("N");
        var owned = new List<IAsyncDisposable>();
        try
        {
            var connA = new List<NatsConnection>();
            var subsA = new List<INatsSub<string>>();
            var subsB = new List<(NatsConnection Connection, INatsSub<string> Sub)>();
            foreach (var node in Cluster.Nodes)
            {
                var a = await Clients.ConnectAsync(node, ct, MixedTrioFixture.UserA.User, MixedTrioFixture.UserA.Password);
                var b = await Clients.ConnectAsync(node, ct, MixedTrioFixture.UserB.User, MixedTrioFixture.UserB.Password);
                owned.Add(a);
                owned.Add(b);
                var subA = await a.SubscribeCoreAsync<string>(subject, cancellationToken: ct);
                var subB = await b.SubscribeCoreAsync<string>(subject, cancellationToken: ct);
                owned.InsertRange(0, [subA, subB]);
                connA.Add(a);
                subsA.Add(subA);
                subsB.Add((b, subB));
            }

            foreach (var publisher in connA)
            {
                foreach (var subscriber in connA.Where(c => c != publisher))
                {
                    await Propagation.AwaitInterestAsync(publisher, subscriber, ct);
                }
            }

            for (var i = 0; i < connA.Count; i++)
            {
                await connA[i].PublishAsync(subject, $"from-{Cluster[i].Program.Label}-{i}", cancellationToken: ct);
            }

            foreach (var publisher in connA)
            {
                foreach (var subscriber in connA)
                {
                    await Propagation.BarrierAsync(publisher, subscriber, ct);
                }
            }

            // Account B's barrier: anything that leaked from A to B would be there by now.
            await using (var pubB = await Clients.ConnectAsync(Cluster[0], ct, MixedTrioFixture.UserB.User, MixedTrioFixture.UserB.Password))
            {
                foreach (var (connection, _) in subsB)
                {
                    await Propagation.AwaitInterestAsync(pubB, connection, ct);
                }
            }

            var expected = Enumerable.Range(0, Cluster.Count).Select(i => $"from-{Cluster[i].Program.Label}-{i}").Order(StringComparer.Ordinal).ToArray();
            for (var i = 0; i < subsA.Count; i++)
            {
                var got = Clients.Drain(subsA[i]).Select(m => m.Data!).Order(StringComparer.Ordinal).ToArray();
                Assert.True(expected.SequenceEqual(got), $"account A subscriber on {Cluster[i].Program.Label} {Cluster[i].Name}: expected [{string.Join(", ", expected)}], got [{string.Join(", ", got)}]");
                var leaked = Clients.Drain(subsB[i].Sub).Select(m => m.Data).ToList();
                Assert.True(leaked.Count == 0, $"account B subscriber on {Cluster[i].Name} got account A messages: {string.Join(", ", leaked)}");
            }
        }
        finally
        {
            foreach (var item in owned)
            {
                await item.DisposeAsync();
            }
        }
    }

    [Fact]
    public async Task Trio_QueueMembersOnAllThree_EachMessageExactlyOnce()
    {
        const int Messages = 300;
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        var ct = timeout.Token;
        var subject = "trioq." + Guid.NewGuid().ToString("N");
        var (user, password) = MixedTrioFixture.UserA;
        var owned = new List<IAsyncDisposable>();
        try
        {
            var members = new List<(NatsConnection Connection, INatsSub<string> Sub, string Label)>();
            var publishers = new List<NatsConnection>();
            foreach (var node in Cluster.Nodes)
            {
                var connection = await Clients.ConnectAsync(node, ct, user, password);
                var publisher = await Clients.ConnectAsync(node, ct, user, password);
                owned.Add(connection);
                owned.Add(publisher);
                var sub = await connection.SubscribeCoreAsync<string>(subject, queueGroup: "workers", cancellationToken: ct);
                owned.Insert(0, sub);
                members.Add((connection, sub, $"{node.Program.Label} {node.Name}"));
                publishers.Add(publisher);
            }

            foreach (var publisher in publishers)
            {
                foreach (var (connection, _, _) in members)
                {
                    await Propagation.AwaitInterestAsync(publisher, connection, ct);
                }
            }

            for (var i = 0; i < Messages; i++)
            {
                await publishers[i % publishers.Count].PublishAsync(subject, $"m{i}", cancellationToken: ct);
            }

            foreach (var publisher in publishers)
            {
                foreach (var (connection, _, _) in members)
                {
                    await Propagation.BarrierAsync(publisher, connection, ct);
                }
            }

            var byMember = members.Select(m => (m.Label, Got: Clients.Drain(m.Sub).Select(x => x.Data!).ToList())).ToList();
            var all = byMember.SelectMany(m => m.Got).ToList();
            var spread = string.Join(", ", byMember.Select(m => $"{m.Label}={m.Got.Count}"));
            Assert.True(all.Count == Messages && all.Distinct().Count() == Messages, $"expected {Messages} distinct deliveries, got {all.Count} ({all.Distinct().Count()} distinct): {spread}");
        }
        finally
        {
            foreach (var item in owned)
            {
                await item.DisposeAsync();
            }
        }
    }
}

public sealed class NatsServer29TrioTests(NatsServer29Trio fixture)
    : MixedTrioTests<NatsServer29Trio>(fixture), IClassFixture<NatsServer29Trio>;

public sealed class NatsServer210TrioTests(NatsServer210Trio fixture)
    : MixedTrioTests<NatsServer210Trio>(fixture), IClassFixture<NatsServer210Trio>;
