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

    /// <summary>
    /// How modular nodes run: in-process unless the test needs a process (signals, reload, lame duck,
    /// interop). Reference servers always run as processes.
    /// </summary>
    public NodeBackend Backend { get; init; } = NodeBackend.InProcess;

    /// <summary>Adjusts node i's spec before it starts (e.g. another pool size for a nats-server peer).</summary>
    public Func<int, ConfigBuilder, ConfigBuilder>? AdjustNode { get; init; }
}

/// <summary>
/// The one group of nodes: N nodes on loopback routed to each other as a <see cref="ClusterSpec"/>
/// says, or a free-form set (any programs, any routes, nodes added later, for the gossip, pinning and
/// interop suites). Nodes start in parallel; the mesh is checked by <c>/routez</c>.
/// </summary>
public sealed class TestCluster : IAsyncDisposable
{
    public static readonly TimeSpan FormTimeout = TimeSpan.FromSeconds(30);

    private readonly List<Node> _nodes = new();

    public IReadOnlyList<Node> Nodes
    {
        get
        {
            lock (_nodes)
            {
                return _nodes.ToArray();
            }
        }
    }

    public Node this[int index] => Nodes[index];

    public int Count => Nodes.Count;

    /// <summary>
    /// The nodes of a full mesh, every one listing every other: the only plan that needs ports before
    /// any node starts (two servers that both list each other), so it takes them from
    /// <see cref="NodePorts.Allocate"/>.
    /// </summary>
    public static IReadOnlyList<ConfigBuilder> PlanFullMesh(ClusterSpec spec)
    {
        var ports = Enumerable.Range(0, spec.Size).Select(_ => NodePorts.Allocate()).ToArray();
        return Enumerable.Range(0, spec.Size)
            .Select(i => NodeSpec(spec, i, ports.Where((_, j) => j != i).Select(p => ConfigBuilder.RouteUrl(p.Cluster)).ToArray()) with { Ports = ports[i] })
            .Select((node, i) => spec.AdjustNode?.Invoke(i, node) ?? node)
            .ToList();
    }

    /// <summary>
    /// Starts the nodes of <paramref name="spec"/> in parallel. A seed topology needs no port chosen in
    /// advance: the seed starts first on port 0, and the others list the route port it bound.
    /// </summary>
    public static async Task<TestCluster> StartAsync(ClusterSpec spec, CancellationToken cancellationToken = default)
    {
        var cluster = new TestCluster();
        NodeProgram ProgramOf(int i) => spec.ProgramFor?.Invoke(i) ?? NodeProgram.UnderTest;
        try
        {
            switch (spec.Topology)
            {
                case RouteTopology.FullMesh:
                    await cluster.AddAsync(PlanFullMesh(spec).Select((plan, i) => (ProgramOf(i), plan)), spec.Backend, cancellationToken).ConfigureAwait(false);
                    break;
                case RouteTopology.SeedOnly:
                    var seedSpec = NodeSpec(spec, 0, []);
                    var seed = await cluster.AddAsync(ProgramOf(0), spec.AdjustNode?.Invoke(0, seedSpec) ?? seedSpec, spec.Backend, cancellationToken).ConfigureAwait(false);
                    var others = Enumerable.Range(1, spec.Size - 1)
                        .Select(i => (i, node: NodeSpec(spec, i, [seed.RouteUrl])))
                        .Select(p => (ProgramOf(p.i), spec.AdjustNode?.Invoke(p.i, p.node) ?? p.node));
                    await cluster.AddAsync(others, spec.Backend, cancellationToken).ConfigureAwait(false);
                    break;
                default:
                    throw new ArgumentOutOfRangeException(nameof(spec));
            }

            return cluster;
        }
        catch
        {
            await cluster.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    private static ConfigBuilder NodeSpec(ClusterSpec spec, int index, IReadOnlyList<string> routes) => new()
    {
        Name = $"{spec.NamePrefix}{index + 1}",
        ClusterName = spec.ClusterName,
        Routes = routes,
        PoolSize = spec.PoolSize,
        Accounts = spec.Accounts,
        LogLevel = spec.LogLevel,
    };

    /// <summary>
    /// Starts these nodes in parallel and adds them to the group (all of them, or none if one fails);
    /// modular nodes on <paramref name="backend"/>, reference servers as processes.
    /// </summary>
    public async Task<IReadOnlyList<Node>> AddAsync(IEnumerable<(NodeProgram Program, ConfigBuilder Spec)> nodes, NodeBackend backend = NodeBackend.InProcess, CancellationToken cancellationToken = default)
    {
        var starts = nodes
            .Select(n => Node.StartAsync(n.Spec, backend, n.Program, cancellationToken: cancellationToken))
            .ToArray();
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

        var started = starts.Select(s => s.Result).ToArray();
        lock (_nodes)
        {
            _nodes.AddRange(started);
        }

        return started;
    }

    /// <summary>
    /// Two nodes where one dials the other, with no port chosen in advance: the accepter starts first
    /// on port 0, then the dialer with a route to the port it bound.
    /// </summary>
    public async Task<(Node Dialer, Node Accepter)> AddDialingPairAsync(
        (NodeProgram Program, ConfigBuilder Spec) dialer,
        (NodeProgram Program, ConfigBuilder Spec) accepter,
        NodeBackend backend = NodeBackend.InProcess,
        CancellationToken cancellationToken = default)
    {
        var accepting = await AddAsync(accepter.Program, accepter.Spec, backend, cancellationToken).ConfigureAwait(false);
        var dialing = await AddAsync(dialer.Program, dialer.Spec.Route(accepting.RouteUrl), backend, cancellationToken).ConfigureAwait(false);
        return (dialing, accepting);
    }

    public async Task<Node> AddAsync(NodeProgram program, ConfigBuilder spec, NodeBackend backend = NodeBackend.InProcess, CancellationToken cancellationToken = default) =>
        (await AddAsync([(program, spec)], backend, cancellationToken).ConfigureAwait(false))[0];

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
    /// exactly the other members' server ids (n-1 distinct <c>remote_id</c> values). Polls are 200 ms
    /// apart so that many nodes on a small machine are not kept busy answering the test.
    /// </summary>
    public async Task WaitFormedAsync(IReadOnlyList<Node>? members = null, TimeSpan? timeout = null, CancellationToken cancellationToken = default)
    {
        members ??= Nodes;
        try
        {
            await Wait.Until(
                    async () =>
                    {
                        if (await IsFormedAsync(members, cancellationToken).ConfigureAwait(false))
                        {
                            return true;
                        }

                        await Task.Delay(200, cancellationToken).ConfigureAwait(false);
                        return false;
                    },
                    timeout ?? FormTimeout,
                    $"a full mesh of {members.Count} nodes")
                .ConfigureAwait(false);
        }
        catch (TimeoutException ex)
        {
            throw new TimeoutException(ex.Message + "\n" + await DescribeAsync(cancellationToken).ConfigureAwait(false), ex);
        }
    }

    /// <summary>Polls until every node in <paramref name="members"/> has exactly <paramref name="perPeer"/> route connections to each other member.</summary>
    public async Task WaitConnectionCountsAsync(int perPeer, IReadOnlyList<Node>? members = null, TimeSpan? timeout = null, CancellationToken cancellationToken = default)
    {
        members ??= Nodes;
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
            foreach (var node in Nodes)
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
        foreach (var node in Nodes)
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

    /// <summary>
    /// Polls until every node in <paramref name="members"/> routes to exactly the other members (a full
    /// mesh), for nodes that are not one group's; the message describes every node otherwise.
    /// </summary>
    public static async Task WaitMeshAsync(IReadOnlyList<Node> members, TimeSpan timeout, CancellationToken cancellationToken = default)
    {
        try
        {
            await Wait.Until(async () => await IsFormedAsync(members, cancellationToken).ConfigureAwait(false), timeout, $"a full mesh of {members.Count} nodes").ConfigureAwait(false);
        }
        catch (TimeoutException ex)
        {
            throw new TimeoutException(ex.Message + "\n" + string.Join("\n", members.Select(n => n.Describe())), ex);
        }
    }

    /// <summary>True when every node of <paramref name="members"/> has routes to exactly the other members' server ids.</summary>
    public static async Task<bool> IsFormedAsync(IReadOnlyList<Node> members, CancellationToken cancellationToken = default)
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

    /// <summary>
    /// Null when the routes are steady, else what changed: each node's live route ids and the count of
    /// "Route connection created" log lines, read before and after a PING/PONG round trip with every
    /// node (so every node has handled what reached it before the second read). Route ids only grow,
    /// so equal sets and an equal count mean no route connection was made or dropped in between.
    /// <paramref name="user"/> and <paramref name="password"/> log the round-trip clients in where
    /// the nodes require client auth.
    /// </summary>
    public async Task<string?> RouteChurnAsync(CancellationToken cancellationToken = default, string? user = null, string? password = null)
    {
        var idsBefore = await RouteIdsAsync(cancellationToken).ConfigureAwait(false);
        var createdBefore = CountOutputLines("Route connection created");
        var credentials = user is null ? "" : $",\"user\":\"{user}\",\"pass\":\"{password}\"";
        foreach (var node in Nodes)
        {
            await using var client = await RawConnection.ConnectClientAsync(node, "{\"verbose\":false,\"pedantic\":false" + credentials + "}", cancellationToken: cancellationToken).ConfigureAwait(false);
        }

        var idsAfter = await RouteIdsAsync(cancellationToken).ConfigureAwait(false);
        var createdAfter = CountOutputLines("Route connection created");
        return idsBefore == idsAfter && createdBefore == createdAfter
            ? null
            : $"routes changed: ids {idsBefore} -> {idsAfter}; route connections created {createdBefore} -> {createdAfter}\n{await DescribeAsync(cancellationToken).ConfigureAwait(false)}";
    }

    /// <summary>Each node's live route connection ids, as one line ("n1: 1,2,3; n2: ...").</summary>
    public async Task<string> RouteIdsAsync(CancellationToken cancellationToken = default)
    {
        var text = new StringBuilder();
        foreach (var node in Nodes)
        {
            var routez = await MonitorEndpoints.RoutezAsync(node, cancellationToken: cancellationToken).ConfigureAwait(false);
            text.Append(node.Name).Append(": ").Append(string.Join(",", routez.Routes.Select(r => r.Rid).Order())).Append("; ");
        }

        return text.ToString();
    }

    /// <summary>Each node's set of remote server names (from <c>/routez</c>).</summary>
    public async Task<Dictionary<string, SortedSet<string>>> PeerNamesAsync(CancellationToken cancellationToken = default)
    {
        var result = new Dictionary<string, SortedSet<string>>(StringComparer.Ordinal);
        foreach (var node in Nodes)
        {
            var routez = await MonitorEndpoints.RoutezAsync(node, cancellationToken: cancellationToken).ConfigureAwait(false);
            result[node.Name] = new SortedSet<string>(routez.Routes.Select(r => r.RemoteName), StringComparer.Ordinal);
        }

        return result;
    }

    /// <summary>Output lines of every node that contain <paramref name="text"/> (case-insensitive).</summary>
    public int CountOutputLines(string text) =>
        Nodes.Sum(node => node.OutputLines.Count(line => line.Contains(text, StringComparison.OrdinalIgnoreCase)));

    public static async Task<Dictionary<Node, string>> ServerIdsAsync(IReadOnlyList<Node> members, CancellationToken cancellationToken = default)
    {
        var ids = new Dictionary<Node, string>();
        foreach (var node in members)
        {
            ids[node] = await MonitorEndpoints.ServerIdAsync(node, cancellationToken).ConfigureAwait(false);
        }

        return ids;
    }

    public async ValueTask DisposeAsync()
    {
        await Task.WhenAll(Nodes.Select(node => node.DisposeAsync().AsTask())).ConfigureAwait(false);
    }
}
