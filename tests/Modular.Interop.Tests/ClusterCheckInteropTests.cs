using Modular.Testing;
using NATS.Client.Core;

namespace Modular.Interop.Tests;

/// <summary>
/// The <c>monitor_url</c> field Modular adds to its route INFO, with a real nats-server in the
/// mesh (modular, nats-server, modular): nats-server still routes with a server that sends it,
/// Modular shows it for Modular peers only, and <c>cluster check</c> from one Modular URL finds the
/// other Modular server and names the nats-server as a server it cannot read.
/// </summary>
public abstract class ClusterCheckInteropTests<TFixture>(TFixture fixture)
    where TFixture : MixedTrioFixture
{
    private TestCluster Cluster => fixture.Cluster;

    [Fact]
    public async Task Routes_NatsServerRoutesWithModularSendingMonitorUrl_OnlyModularPeersShowOne()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        var ct = timeout.Token;
        var ids = await TestCluster.ServerIdsAsync(Cluster.Nodes, ct);
        var (modular1, natsServer, modular3) = (Cluster[0], Cluster[1], Cluster[2]);

        var peerRoutez = await MonitorEndpoints.RoutezAsync(natsServer, cancellationToken: ct);
        Assert.True(
            peerRoutez.RemoteIds.SetEquals([ids[modular1], ids[modular3]]),
            $"{natsServer.Program.Label} should route to both modular servers: {peerRoutez.Summary()}\n{natsServer.Describe(40)}");
        Assert.DoesNotContain("monitor_url", peerRoutez.Json, StringComparison.Ordinal);
        Assert.False(natsServer.OutputContains("Error processing"), natsServer.Describe(40));

        using var routez = await MonitorEndpoints.GetJsonAsync(modular1, "/routez", ct);
        var urls = routez.RootElement.GetProperty("routes").EnumerateArray()
            .Select(r => (Remote: r.GetProperty("remote_id").GetString(), Url: r.TryGetProperty("monitor_url", out var url) ? url.GetString() : null))
            .ToList();
        Assert.All(urls.Where(r => r.Remote == ids[modular3]), r => Assert.Equal(modular3.MonitorUrl, r.Url));
        Assert.All(urls.Where(r => r.Remote == ids[natsServer]), r => Assert.Null(r.Url));
        Assert.Contains(urls, r => r.Remote == ids[natsServer]);
    }

    [Fact]
    public async Task ClusterCheck_FromOneModularUrl_FindsTheOtherModular_WarnsAboutTheNatsServer_Passes()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        var ids = await TestCluster.ServerIdsAsync(Cluster.Nodes, timeout.Token);

        var warning = $"warning: server {Cluster[1].Name} ({ids[Cluster[1]]}) has no known monitoring URL; pass it with --monitor";

        // A route being replaced (duplicate settling with the 2.9 peer) can make one run see a
        // moment's mesh: the check is run again, within a deadline, until it sees the settled one.
        var result = await ModularCli.RunAsync(TimeSpan.FromSeconds(30), "cluster", "check", "--monitor", Cluster[0].MonitorUrl);
        var clock = System.Diagnostics.Stopwatch.StartNew();
        while ((result.ExitCode != 0 || !result.StdOut.Contains(warning, StringComparison.Ordinal)) && clock.Elapsed < TimeSpan.FromSeconds(20))
        {
            await Task.Delay(500, timeout.Token);
            result = await ModularCli.RunAsync(TimeSpan.FromSeconds(30), "cluster", "check", "--monitor", Cluster[0].MonitorUrl);
        }

        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Contains($"server {Cluster[2].Name} ({ids[Cluster[2]]}) at {Cluster[2].MonitorUrl}", result.StdOut, StringComparison.Ordinal);
        Assert.Contains($"found via {Cluster[0].Name}", result.StdOut, StringComparison.Ordinal);
        Assert.True(result.StdOut.Contains(warning, StringComparison.Ordinal), result.ToString());
        Assert.True(result.StdOut.Contains("3 servers (1 not read), full mesh", StringComparison.Ordinal), result.ToString());
    }

    /// <summary>
    /// With a client subscription on every server: nats-server's /subsz also lists its internal
    /// subscriptions (service imports it never routes); only clients' are expected on the peers.
    /// </summary>
    [Fact]
    public async Task ClusterCheck_WithTheNatsServerUrlToo_ReadsAllThree_ClientInterestChecked_Passes()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        var ct = timeout.Token;
        var (user, password) = MixedTrioFixture.UserA;
        var owned = new List<IAsyncDisposable>();
        try
        {
            var connections = new List<NatsConnection>();
            foreach (var node in Cluster.Nodes)
            {
                var connection = await Clients.ConnectAsync(node, ct, user, password);
                owned.Add(connection);
                owned.Insert(0, await connection.SubscribeCoreAsync<string>($"check.{node.Name}", cancellationToken: ct));
                connections.Add(connection);
            }

            foreach (var publisher in connections)
            {
                foreach (var subscriber in connections.Where(c => c != publisher))
                {
                    await Propagation.AwaitInterestAsync(publisher, subscriber, ct);
                }
            }

            var result = await ModularCli.RunAsync(TimeSpan.FromSeconds(60), "cluster", "check", "--monitor", Cluster[0].MonitorUrl, Cluster[1].MonitorUrl);

            Assert.True(result.ExitCode == 0, result.ToString());
            Assert.DoesNotContain("warning:", result.StdOut, StringComparison.Ordinal);
            // Each NATS.Net connection also has its inbox subscription: at least the three made here.
            Assert.Matches(@"cluster c1: 3 servers, full mesh \(6 peer links\), ([3-9]|\d\d+) local subscriptions all propagated: OK", result.StdOut);
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

public sealed class NatsServer29ClusterCheckTests(NatsServer29Trio fixture)
    : ClusterCheckInteropTests<NatsServer29Trio>(fixture), IClassFixture<NatsServer29Trio>;

public sealed class NatsServer210ClusterCheckTests(NatsServer210Trio fixture)
    : ClusterCheckInteropTests<NatsServer210Trio>(fixture), IClassFixture<NatsServer210Trio>;
