using Modular.Testing;

namespace Modular.Cluster.Tests.Operations;

/// <summary>
/// Config reload of <c>cluster.routes</c> (protocol.md §3.6): a route added is dialed at once; a route
/// removed closes and is not dialed again. A seam that cannot change while running (compression) is
/// refused with one line and the server keeps its routes.
/// </summary>
public sealed class RouteReloadTests
{
    [Fact]
    public async Task Reload_AddsARoute_ThenRemovesIt_ItStaysClosed_CompressionChangeRefused()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(90));
        var ct = timeout.Token;
        await using var cluster = await TestCluster.StartAsync(
            new ClusterSpec
            {
                Size = 2,
                NamePrefix = "rr",
                Backend = NodeBackend.Process, // reloads by SIGHUP

                // No routes at first; s2 is loaded (the plugin list cannot change by reload) but unused.
                AdjustNode = (_, spec) => spec with { Routes = [], Plugins = ["s2"] },
            },
            ct);
        var (first, second) = (cluster[0], cluster[1]);
        Assert.Equal(0, (await MonitorEndpoints.RoutezAsync(first, cancellationToken: ct)).NumRoutes);

        await first.ReloadAsync(first.Config with { Routes = [second.RouteUrl] }, ct);
        await cluster.WaitFormedAsync(cancellationToken: ct);
        await Wait.Until(() => first.OutputContains("cluster.routes (1 added, 0 removed)"), TimeSpan.FromSeconds(5), "the reload line\n" + first.Describe());

        // Compression cannot change while running: refused, the route stays.
        await first.ReloadAsync(first.Config with { ExtraConfig = "[cluster.compression]\nuse = \"s2\"\nmode = \"s2_fast\"\n" }, ct);
        await Wait.Until(() => first.OutputContains("Reload refused: [cluster.compression] cannot change without a restart"), TimeSpan.FromSeconds(10), "the refusal\n" + first.Describe());
        Assert.True((await MonitorEndpoints.RoutezAsync(first, cancellationToken: ct)).NumRoutes > 0, first.Describe());

        await first.ReloadAsync(first.Config with { Routes = [], ExtraConfig = null }, ct);
        await Wait.Until(() => first.OutputContains("cluster.routes (0 added, 1 removed)"), TimeSpan.FromSeconds(10), "the reload line\n" + first.Describe());
        foreach (var node in cluster.Nodes)
        {
            await Wait.Until(
                async () => (await MonitorEndpoints.RoutezAsync(node, cancellationToken: ct)).NumRoutes == 0,
                TimeSpan.FromSeconds(10),
                $"{node.Name} without routes\n{node.Describe()}");
        }

        // Explicit routes are redialed after a second: a removed one must not be. Watch past that.
        var watch = System.Diagnostics.Stopwatch.StartNew();
        while (watch.Elapsed < TimeSpan.FromSeconds(3))
        {
            Assert.Equal(0, (await MonitorEndpoints.RoutezAsync(first, cancellationToken: ct)).NumRoutes);
            await Task.Delay(250, ct);
        }
    }
}
