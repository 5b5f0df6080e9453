using Modular.Cluster.Tests.Fixtures;
using Modular.Testing;
using NATS.Client.Core;

namespace Modular.Cluster.Tests.Messaging;

/// <summary>Accounts stay apart across routes: RS+/RMSG carry the account (protocol.md §2.4, §2.5).</summary>
public sealed class AccountIsolationAcrossRoutesTests(AccountsCluster fixture) : IClassFixture<AccountsCluster>
{
    private TestCluster Cluster => fixture.Cluster;

    [Fact]
    public async Task Accounts_SameSubjectOnEveryNode_NoCrossingBetweenAccounts()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        var ct = timeout.Token;
        var subject = "iso." + Guid.NewGuid().ToString("N");
        var (a, b) = (AccountsCluster.UserA, AccountsCluster.UserB);

        await using var pubA = await Clients.ConnectAsync(Cluster[0], ct, a.User, a.Password);
        await using var pubB = await Clients.ConnectAsync(Cluster[0], ct, b.User, b.Password);
        var subscribers = new List<(string Label, NatsConnection Connection, NatsConnection Publisher, INatsSub<string> Sub, string Expected)>();
        var owned = new List<IAsyncDisposable>();
        try
        {
            foreach (var node in new[] { Cluster[1], Cluster[2] })
            {
                var connA = await Clients.ConnectAsync(node, ct, a.User, a.Password);
                var connB = await Clients.ConnectAsync(node, ct, b.User, b.Password);
                owned.Add(connA);
                owned.Add(connB);
                var subA = await connA.SubscribeCoreAsync<string>(subject, cancellationToken: ct);
                var wideA = await connA.SubscribeCoreAsync<string>(">", cancellationToken: ct);
                var subB = await connB.SubscribeCoreAsync<string>(subject, cancellationToken: ct);
                var wideB = await connB.SubscribeCoreAsync<string>(">", cancellationToken: ct);
                owned.InsertRange(0, [subA, wideA, subB, wideB]);
                subscribers.Add(($"A {subject} on {node.Name}", connA, pubA, subA, "from-a"));
                subscribers.Add(($"A > on {node.Name}", connA, pubA, wideA, "from-a"));
                subscribers.Add(($"B {subject} on {node.Name}", connB, pubB, subB, "from-b"));
                subscribers.Add(($"B > on {node.Name}", connB, pubB, wideB, "from-b"));
            }

            foreach (var (_, connection, publisher, _, _) in subscribers)
            {
                await Propagation.AwaitInterestAsync(publisher, connection, ct);
            }

            await pubA.PublishAsync(subject, "from-a", cancellationToken: ct);
            await pubB.PublishAsync(subject, "from-b", cancellationToken: ct);
            // Barriers in account A, then in B: a message that crossed accounts would have arrived by then.
            foreach (var (_, connection, publisher, _, _) in subscribers.Where(s => s.Publisher == pubA).Concat(subscribers.Where(s => s.Publisher == pubB)))
            {
                await Propagation.BarrierAsync(publisher, connection, ct);
            }

            foreach (var (label, _, _, sub, expected) in subscribers)
            {
                var got = Clients.Drain(sub).Where(m => !m.Subject.StartsWith("_probe.", StringComparison.Ordinal)).Select(m => $"{m.Subject}={m.Data}").ToList();
                Assert.True(
                    got.SequenceEqual([$"{subject}={expected}"]),
                    $"{label} expected only {subject}={expected}, got [{string.Join(", ", got)}]");
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
    public async Task Accounts_FreshConnectionPublishesOnceAndLeaves_RemoteSubscribersStillGetIt()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        var ct = timeout.Token;
        var subject = "once." + Guid.NewGuid().ToString("N");
        var b = AccountsCluster.UserB;
        await using var plainConn = await Clients.ConnectAsync(Cluster[1], ct, b.User, b.Password);
        await using var queueConn = await Clients.ConnectAsync(Cluster[2], ct, b.User, b.Password);
        await using var plain = await plainConn.SubscribeCoreAsync<string>(subject, cancellationToken: ct);
        await using var member = await queueConn.SubscribeCoreAsync<string>(subject, queueGroup: "g", cancellationToken: ct);
        await using (var warm = await Clients.ConnectAsync(Cluster[0], ct, b.User, b.Password))
        {
            await Propagation.AwaitInterestAsync(warm, plainConn, ct);
            await Propagation.AwaitInterestAsync(warm, queueConn, ct);
        }

        var once = await Clients.ConnectAsync(Cluster[0], ct, b.User, b.Password);
        await once.PublishAsync(subject, "only-once", cancellationToken: ct);
        await once.PingAsync(ct);
        await once.DisposeAsync();

        using var wait = CancellationTokenSource.CreateLinkedTokenSource(ct);
        wait.CancelAfter(TimeSpan.FromSeconds(10));
        Assert.Equal("only-once", (await plain.Msgs.ReadAsync(wait.Token)).Data);
        Assert.Equal("only-once", (await member.Msgs.ReadAsync(wait.Token)).Data);
    }
}
