using Modular.Cluster.Tests.Fixtures;
using Modular.Testing;

namespace Modular.Cluster.Tests.Messaging;

/// <summary>
/// Interest added and removed on one node shows in the other node's <c>/routez?subs=1</c>
/// (protocol.md §7.1: RS- on the last unsubscribe, on auto-unsubscribe at its max, on disconnect).
/// </summary>
public sealed class InterestPropagationTests(TwoNodeCluster fixture) : IClassFixture<TwoNodeCluster>
{
    private static readonly TimeSpan PropagationTimeout = TimeSpan.FromSeconds(15);

    private TestCluster Cluster => fixture.Cluster;

    [Fact]
    public async Task Unsubscribe_LastSubscriberOnNode2_Node1RoutezNoLongerListsSubject()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        var ct = timeout.Token;
        var subject = "gone." + Guid.NewGuid().ToString("N");
        var node2Id = await MonitorEndpoints.ServerIdAsync(Cluster[1], ct);
        await using var client = await Clients.ConnectAsync(Cluster[1], ct);

        var first = await client.SubscribeCoreAsync<string>(subject, cancellationToken: ct);
        var second = await client.SubscribeCoreAsync<string>(subject, cancellationToken: ct);
        await WaitInterestAsync(node2Id, subject, present: true);

        await first.UnsubscribeAsync();
        await client.PingAsync(ct);
        var routez = await MonitorEndpoints.RoutezAsync(Cluster[0], subs: true, ct);
        Assert.True(routez.HasInterest(node2Id, subject), $"one subscriber is left on node 2, node 1 must keep the interest: {routez.Summary()}");

        await second.UnsubscribeAsync();
        await WaitInterestAsync(node2Id, subject, present: false);
        await first.DisposeAsync();
        await second.DisposeAsync();
    }

    [Fact]
    public async Task UnsubscribeWithMax_MaxReached_InterestRemovedFromNode1()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        var ct = timeout.Token;
        var subject = "max." + Guid.NewGuid().ToString("N");
        var node2Id = await MonitorEndpoints.ServerIdAsync(Cluster[1], ct);
        await using var raw = await RawConnection.ConnectClientAsync(Cluster[1], cancellationToken: ct);
        await raw.SendAsync($"SUB {subject} 1\r\nUNSUB 1 2\r\n", ct);
        await raw.PingAsync(cancellationToken: ct);
        await WaitInterestAsync(node2Id, subject, present: true);

        await using var publisher = await Clients.ConnectAsync(Cluster[0], ct);
        await publisher.PublishAsync(subject, "one", cancellationToken: ct);
        var firstFrame = await raw.ReadFrameAsync(cancellationToken: ct);
        Assert.Equal("one", firstFrame.Payload);
        var routez = await MonitorEndpoints.RoutezAsync(Cluster[0], subs: true, ct);
        Assert.True(routez.HasInterest(node2Id, subject), $"after 1 of max 2 messages the interest stays: {routez.Summary()}");

        await publisher.PublishAsync(subject, "two", cancellationToken: ct);
        Assert.Equal("two", (await raw.ReadFrameAsync(cancellationToken: ct)).Payload);
        await WaitInterestAsync(node2Id, subject, present: false);

        await publisher.PublishAsync(subject, "three", cancellationToken: ct);
        await publisher.PingAsync(ct);
        var after = await raw.PingAsync(cancellationToken: ct);
        Assert.True(after.Count == 0, $"nothing may arrive after the max: {string.Join(" | ", after)}");
    }

    [Fact]
    public async Task ClientDisconnect_OnNode2_InterestRemovedFromNode1()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        var ct = timeout.Token;
        var subject = "bye." + Guid.NewGuid().ToString("N");
        var node2Id = await MonitorEndpoints.ServerIdAsync(Cluster[1], ct);
        var raw = await RawConnection.ConnectClientAsync(Cluster[1], cancellationToken: ct);
        await using (raw)
        {
            await raw.SendAsync($"SUB {subject} 1\r\nSUB {subject} q 2\r\n", ct);
            await raw.PingAsync(cancellationToken: ct);
            await WaitInterestAsync(node2Id, subject, present: true);
        }

        // The socket closed without any UNSUB.
        await WaitInterestAsync(node2Id, subject, present: false);
    }

    [Fact]
    public async Task QueueSubscription_AddedAndRemoved_ShowsInNode1Routez()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        var ct = timeout.Token;
        var subject = "qint." + Guid.NewGuid().ToString("N");
        var node2Id = await MonitorEndpoints.ServerIdAsync(Cluster[1], ct);
        await using var client = await Clients.ConnectAsync(Cluster[1], ct);

        var member = await client.SubscribeCoreAsync<string>(subject, queueGroup: "grp", cancellationToken: ct);
        await WaitInterestAsync(node2Id, subject, present: true);
        await member.UnsubscribeAsync();
        await WaitInterestAsync(node2Id, subject, present: false);
        await member.DisposeAsync();
    }

    private async Task WaitInterestAsync(string node2Id, string subject, bool present)
    {
        Routez? last = null;
        try
        {
            await Wait.Until(
                async () =>
                {
                    last = await MonitorEndpoints.RoutezAsync(Cluster[0], subs: true);
                    return last.HasInterest(node2Id, subject) == present;
                },
                PropagationTimeout,
                present ? $"node 1 /routez?subs=1 to list {subject}" : $"node 1 /routez?subs=1 to drop {subject}");
        }
        catch (TimeoutException ex)
        {
            Assert.Fail($"{ex.Message}\nlast /routez?subs=1 of node 1: {last?.Json}\n{await Cluster.DescribeAsync()}");
        }
    }
}
