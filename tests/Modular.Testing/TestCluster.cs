using System.Text;

namespace Modular.Testing;

/// <summary>How the nodes of a <see cref="TestCluster"/> name each other in <c>routes</c>.</summary>
public enum RouteTopology
{
    /// <summary>Every node lists every other node.</summary>
    FullMesh,

    /// <summary>Node 0 lists nobody; every other node lists only node 0 (a mesh then needs gossip).</summary>
    SeedOnly,
}

/// <summary>What a <see cref="TestCluster"/> looks like.</summary>
public sealed record ClusterSpec
{
    public int Size { get; init; } = 3;

    public RouteTopology Topology { get; init; } = RouteTopology.FullMesh;

    public string ClusterName { get; init; } = "c1";

    /// <summary>Prefix of server names: "n" gives n1, n2, ….</summary>
    public string NamePrefix { get; init; } = "n";

    public int? PoolSize { get; init; }

    public IReadOnlyDictionary<string, (string User, string Password)[]> Accounts { get; init; } =
        new Dictionary<string, (string User, string Password)[]>();

    public string LogLevel { get; init; } = "info";

    /// <summary>The program of node i (default: <see cref="NodeProgram.UnderTest"/> for all).</summary>
    public Func<int, NodeProgram>? ProgramFor { get; init; }

    /// <summary>Adjusts node i's spec before it starts (e.g. another pool size for a nats-server peer).</summary>
    public Func<int, ConfigBuilder, ConfigBuilder>? AdjustNode { get; init; }
}

/// <summary>
/// N nodes on loopback, routed to each other as <see cref="ClusterSpec.Topology"/> says. All ports are
/// chosen before the first node starts; nodes start in parallel.
/// </summary>
public sealed class TestCluster : IAsyncDisposable
{
    public static readonly TimeSpan FormTimeout = TimeSpan.FromSeconds(30);

    private readonly List<NodeProcess> _nodes;

    private TestCluster(List<NodeProcess> nodes)
    {
        _nodes = nodes;
    }

    public IReadOnlyList<NodeProcess> Nodes => _nodes;

    public NodeProcess this[int index] => _nodes[index];

    public int Count => _nodes.Count;

    public static IReadOnlyList<ConfigBuilder> PlanNodes(ClusterSpec spec)
    {
        var ports = Enumerable.Range(0, spec.Size).Select(_ => NodePorts.Allocate()).ToArray();
        var nodes = new List<ConfigBuilder>();
        for (var i = 0; i < spec.Size; i++)
        {
            IReadOnlyList<string> routes = spec.Topology switch
            {
                RouteTopology.FullMesh => ports.Where((_, j) => j != i).Select(p => ConfigBuilder.RouteUrl(p.Cluster)).ToArray(),
                RouteTopology.SeedOnly => i == 0 ? [] : [ConfigBuilder.RouteUrl(ports[0].Cluster)],
                _ => throw new ArgumentOutOfRangeException(nameof(spec)),
            };
            var node = new ConfigBuilder
            {
                Name = $"{spec.NamePrefix}{i + 1}",
                Ports = ports[i],
                ClusterName = spec.ClusterName,
                Routes = routes,
                PoolSize = spec.PoolSize,
                Accounts = spec.Accounts,
                LogLevel = spec.LogLevel,
            };
            nodes.Add(spec.AdjustNode?.Invoke(i, node) ?? node);
        }

        return nodes;
    }

    public static async Task<TestCluster> StartAsync(ClusterSpec spec, CancellationToken cancellationToken = default)
    {
        var plans = PlanNodes(spec);
        var starts = plans.Select((plan, i) => NodeProcess.StartAsync(spec.ProgramFor?.Invoke(i) ?? NodeProgram.UnderTest, plan, cancellationToken)).ToArray();
        try
        {
            await Task.WhenAll(starts).ConfigureAwait(false);
        }
        catch
        {
            foreach (var start in starts)
            {
                if (start.IsCompletedSuccessfully)
                {
                    await start.Result.DisposeAsync().ConfigureAwait(false);
                }
            }

            throw;
        }

        return new TestCluster(starts.Select(s => s.Result).ToList());
    }

    /// <summary>Starts the cluster and waits until every node routes to every other node.</summary>
    public static async Task<TestCluster> StartFormedAsync(ClusterSpec spec, CancellationToken cancellationToken = default)
    {
        var cluster = await StartAsync(spec, cancellationToken).ConfigureAwait(false);
        try
        {
            await cluster.WaitFormedAsync(cancellationToken: cancellationToken).ConfigureAwait(false);
            return cluster;
        }
        catch
        {
            await cluster.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    /// <summary>
    /// Polls <c>/routez</c> until every node in <paramref name="members"/> (default: all) has routes to
    /// exactly the other members' server ids (n-1 distinct <c>remote_id</c> values).
    /// </summary>
    public async Task WaitFormedAsync(IReadOnlyList<NodeProcess>? members = null, TimeSpan? timeout = null, CancellationToken cancellationToken = default)
    {
        members ??= _nodes;
        try
        {
            await Wait.Until(async () => await IsFormedAsync(members, cancellationToken).ConfigureAwait(false), timeout ?? FormTimeout, "the cluster mesh")
                .ConfigureAwait(false);
        }
        catch (TimeoutException ex)
        {
            throw new TimeoutException(ex.Message + "\n" + await DescribeAsync(cancellationToken).ConfigureAwait(false), ex);
        }
    }

    /// <summary>Polls until every node in <paramref name="members"/> has exactly <paramref name="perPeer"/> route connections to each other member.</summary>
    public async Task WaitConnectionCountsAsync(int perPeer, IReadOnlyList<NodeProcess>? members = null, TimeSpan? timeout = null, CancellationToken cancellationToken = default)
    {
        members ??= _nodes;
        try
        {
            await Wait.Until(
                async () =>
                {
                    var ids = await ServerIdsAsync(members, cancellationToken).ConfigureAwait(false);
                    foreach (var node in members)
                    {
                        var routez = await MonitorEndpoints.RoutezAsync(node, cancellationToken: cancellationToken).ConfigureAwait(false);
                        if (routez.NumRoutes != perPeer * (members.Count - 1) || routez.Routes.Count != routez.NumRoutes)
                        {
                            return false;
                        }

                        foreach (var (other, id) in ids)
                        {
                            if (other != node && routez.To(id).Count != perPeer)
                            {
                                return false;
                            }
                        }
                    }

                    return true;
                },
                timeout ?? FormTimeout,
                $"{perPeer} route connections per peer").ConfigureAwait(false);
        }
        catch (TimeoutException ex)
        {
            throw new TimeoutException(ex.Message + "\n" + await DescribeAsync(cancellationToken).ConfigureAwait(false), ex);
        }
    }

    /// <summary>
    /// Waits until every node has <paramref name="perPeer"/> route connections to each other node and
    /// keeps the very same ones (route ids) for <paramref name="quiet"/>. Formed is not settled in a
    /// mixed cluster: when each side dials the other, nats-server 2.9 keeps the route it registered
    /// first and modular the one dialed by the smaller server id, so about every other start both drop
    /// the pair and dial again a second later; meanwhile interest is gone, and connect_urls lose the
    /// peer and get it back, which protocol-1 clients hear as async INFOs.
    /// </summary>
    public async Task WaitRoutesSettledAsync(int perPeer, TimeSpan quiet, TimeSpan? timeout = null, CancellationToken cancellationToken = default)
    {
        await WaitConnectionCountsAsync(perPeer, timeout: timeout, cancellationToken: cancellationToken).ConfigureAwait(false);
        var limit = timeout ?? FormTimeout;
        var clock = System.Diagnostics.Stopwatch.StartNew();
        string? last = null;
        var since = clock.Elapsed;
        while (clock.Elapsed < limit)
        {
            var snapshot = new StringBuilder();
            foreach (var node in _nodes)
            {
                var routez = await MonitorEndpoints.RoutezAsync(node, cancellationToken: cancellationToken).ConfigureAwait(false);
                snapshot.Append(node.Name).Append(':').Append(string.Join(",", routez.Routes.Select(r => r.Rid).Order())).Append(' ');
            }

            var now = snapshot.ToString();
            if (now != last)
            {
                (last, since) = (now, clock.Elapsed);
            }
            else if (clock.Elapsed - since >= quiet)
            {
                // Settled on the same connections; a change may have dropped some, so check the counts again.
                await WaitConnectionCountsAsync(perPeer, timeout: TimeSpan.FromSeconds(1), cancellationToken: cancellationToken).ConfigureAwait(false);
                return;
            }

            await Task.Delay(100, cancellationToken).ConfigureAwait(false);
        }

        throw new TimeoutException($"the routes did not settle within {limit.TotalSeconds:0}s: {last}\n" + await DescribeAsync(cancellationToken).ConfigureAwait(false));
    }

    /// <summary>Every node's current <c>/routez</c> summary and last log lines.</summary>
    public async Task<string> DescribeAsync(CancellationToken cancellationToken = default)
    {
        var text = new StringBuilder();
        foreach (var node in _nodes)
        {
            text.Append("=== ").Append(node.Name).Append(": ");
            try
            {
                text.Append((await MonitorEndpoints.RoutezAsync(node, subs: false, cancellationToken).ConfigureAwait(false)).Summary());
            }
            catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException or IOException)
            {
                text.Append("/routez failed: ").Append(ex.Message);
            }

            text.Append('\n').Append(node.Describe(30));
        }

        return text.ToString();
    }

    private static async Task<bool> IsFormedAsync(IReadOnlyList<NodeProcess> members, CancellationToken cancellationToken)
    {
        var ids = await ServerIdsAsync(members, cancellationToken).ConfigureAwait(false);
        foreach (var node in members)
        {
            var routez = await MonitorEndpoints.RoutezAsync(node, cancellationToken: cancellationToken).ConfigureAwait(false);
            var expected = ids.Where(pair => pair.Key != node).Select(pair => pair.Value).ToHashSet(StringComparer.Ordinal);
            if (!routez.RemoteIds.SetEquals(expected))
            {
                return false;
            }
        }

        return true;
    }

    private static async Task<Dictionary<NodeProcess, string>> ServerIdsAsync(IReadOnlyList<NodeProcess> members, CancellationToken cancellationToken)
    {
        var ids = new Dictionary<NodeProcess, string>();
        foreach (var node in members)
        {
            ids[node] = await MonitorEndpoints.ServerIdAsync(node, cancellationToken).ConfigureAwait(false);
        }

        return ids;
    }

    public async ValueTask DisposeAsync()
    {
        await Task.WhenAll(_nodes.Select(node => node.DisposeAsync().AsTask())).ConfigureAwait(false);
    }
}
