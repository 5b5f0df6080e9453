using Modular.Testing;
using NATS.Client.Core;

namespace Modular.Cluster.Tests.Mesh;

/// <summary>A node killed with SIGKILL and started again on the same ports rejoins the mesh (protocol.md §3.6).</summary>
public sealed class RestartTests
{
    [Fact]
    public async Task Node_KilledAndRestartedOnSamePorts_RejoinsAndDeliversAgain()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(120));
        var ct = timeout.Token;
        await using var cluster = await TestCluster.StartFormedAsync(new ClusterSpec { Size = 3, NamePrefix = "rs-" }, ct);
        var (n1, n2, n3) = (cluster[0], cluster[1], cluster[2]);
        var oldId = await MonitorEndpoints.ServerIdAsync(n3, ct);

        // A subscriber on n3 that reconnects after the restart (to n3 or any server it learned).
        var subject = "restart." + Guid.NewGuid().ToString("N");
        await using var durable = await Clients.ConnectAsync(n3, ct, adjust: opts => opts with
        {
            MaxReconnectRetry = -1,
            ReconnectWaitMin = TimeSpan.FromMilliseconds(100),
            ReconnectWaitMax = TimeSpan.FromMilliseconds(500),
        });
        await using var durableSub = await durable.SubscribeCoreAsync<string>(subject, cancellationToken: ct);
        await using var publisher1 = await Clients.ConnectAsync(n1, ct);
        await Propagation.AwaitInterestAsync(publisher1, durable, ct);

        await n3.KillAsync();

        // n1 and n2 notice and drop every route to the dead node; the two survivors still route.
        try
        {
            await Wait.Until(
                async () =>
                    !(await MonitorEndpoints.RoutezAsync(n1, cancellationToken: ct)).RemoteIds.Contains(oldId)
                    && !(await MonitorEndpoints.RoutezAsync(n2, cancellationToken: ct)).RemoteIds.Contains(oldId),
                TimeSpan.FromSeconds(20),
                "n1 and n2 to drop their routes to the killed n3");
        }
        catch (TimeoutException ex)
        {
            Assert.Fail(ex.Message + "\n" + await cluster.DescribeAsync(ct));
        }

        await cluster.WaitFormedAsync([n1, n2], cancellationToken: ct);

        await n3.RestartAsync(ct);
        await cluster.WaitFormedAsync(cancellationToken: ct);
        await cluster.WaitConnectionCountsAsync(4, cancellationToken: ct);
        var newId = await MonitorEndpoints.ServerIdAsync(n3, ct);
        Assert.NotEqual(oldId, newId);

        // A fresh subscriber on the restarted node receives from both other nodes.
        await using var fresh = await Clients.ConnectAsync(n3, ct);
        await using var freshSub = await fresh.SubscribeCoreAsync<string>(subject, cancellationToken: ct);
        await using var publisher2 = await Clients.ConnectAsync(n2, ct);
        await Propagation.AwaitInterestAsync(publisher1, fresh, ct);
        await Propagation.AwaitInterestAsync(publisher2, fresh, ct);
        await publisher1.PublishAsync(subject, "from-n1", cancellationToken: ct);
        await publisher2.PublishAsync(subject, "from-n2", cancellationToken: ct);
        await Propagation.BarrierAsync(publisher1, fresh, ct);
        await Propagation.BarrierAsync(publisher2, fresh, ct);
        Assert.Equal(["from-n1", "from-n2"], Clients.Drain(freshSub).Select(m => m.Data).Order(StringComparer.Ordinal));

        // The restarted node learned the others' interest again: its publisher reaches a subscriber on n1.
        await using var onN1 = await Clients.ConnectAsync(n1, ct);
        await using var onN1Sub = await onN1.SubscribeCoreAsync<string>(subject + ".back", cancellationToken: ct);
        await Propagation.AwaitInterestAsync(fresh, onN1, ct);
        await fresh.PublishAsync(subject + ".back", "from-n3", cancellationToken: ct);
        Assert.Equal("from-n3", (await onN1Sub.Msgs.ReadAsync(ct)).Data);

        // The old subscriber reconnected and resubscribed; it receives again.
        await Wait.Until(() => durable.ConnectionState == NatsConnectionState.Open, TimeSpan.FromSeconds(30), "the reconnecting subscriber to be connected again");
        await Propagation.AwaitInterestAsync(publisher1, durable, ct);
        Clients.Drain(durableSub);
        await publisher1.PublishAsync(subject, "after-restart", cancellationToken: ct);
        await Propagation.BarrierAsync(publisher1, durable, ct);
        Assert.Contains("after-restart", Clients.Drain(durableSub).Select(m => m.Data));
    }
}
