using System.Net;
using System.Net.Sockets;
using System.Text;

namespace Modular.Testing;

/// <summary>
/// A free-form set of nodes (any programs, any routes, nodes added later), for the gossip and
/// pinning suites where <see cref="TestCluster"/>'s fixed topologies do not fit: ports are planned
/// first, nodes start in parallel, more can join, and the mesh is checked by <c>/routez</c>.
/// </summary>
public sealed class NodeGroup : IAsyncDisposable
{
    private readonly List<NodeProcess> _nodes = new();

    public IReadOnlyList<NodeProcess> Nodes
    {
        get
        {
            lock (_nodes)
            {
                return _nodes.ToArray();
            }
        }
    }

    public NodeProcess this[int index] => Nodes[index];

    /// <summary>Starts these nodes in parallel and adds them to the group (all of them, or none if one fails).</summary>
    public async Task<IReadOnlyList<NodeProcess>> StartAsync(IEnumerable<(NodeProgram Program, ConfigBuilder Spec)> nodes, CancellationToken cancellationToken = default)
    {
        var starts = nodes.Select(n => NodeProcess.StartAsync(n.Program, n.Spec, cancellationToken)).ToArray();
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

    public async Task<NodeProcess> StartAsync(NodeProgram program, ConfigBuilder spec, CancellationToken cancellationToken = default) =>
        (await StartAsync([(program, spec)], cancellationToken).ConfigureAwait(false))[0];

    /// <summary>
    /// True when every node of <paramref name="members"/> has routes to exactly the other members'
    /// server ids (n-1 distinct <c>remote_id</c>).
    /// </summary>
    public static async Task<bool> IsFullMeshAsync(IReadOnlyList<NodeProcess> members, CancellationToken cancellationToken = default) =>
        await IsFullMeshAsync(members, await ServerIdsAsync(members, cancellationToken).ConfigureAwait(false), cancellationToken).ConfigureAwait(false);

    /// <summary>
    /// Polls until <paramref name="members"/> (default: all nodes) form a full mesh; the message
    /// describes every node otherwise. Server ids are read once; polls are 200 ms apart so that many
    /// nodes on a small machine are not kept busy answering the test.
    /// </summary>
    public async Task WaitFullMeshAsync(TimeSpan timeout, IReadOnlyList<NodeProcess>? members = null, CancellationToken cancellationToken = default)
    {
        members ??= Nodes;
        Dictionary<NodeProcess, string>? ids = null;
        try
        {
            await Wait.Until(
                    async () =>
                    {
                        ids ??= await ServerIdsAsync(members, cancellationToken).ConfigureAwait(false);
                        if (await IsFullMeshAsync(members, ids, cancellationToken).ConfigureAwait(false))
                        {
                            return true;
                        }

                        await Task.Delay(200, cancellationToken).ConfigureAwait(false);
                        return false;
                    },
                    timeout,
                    $"a full mesh of {members.Count} nodes")
                .ConfigureAwait(false);
        }
        catch (TimeoutException ex)
        {
            throw new TimeoutException(ex.Message + "\n" + await DescribeAsync(cancellationToken: cancellationToken).ConfigureAwait(false), ex);
        }
    }

    private static async Task<bool> IsFullMeshAsync(IReadOnlyList<NodeProcess> members, Dictionary<NodeProcess, string> ids, CancellationToken cancellationToken)
    {
        foreach (var node in members)
        {
            var routez = await MonitorEndpoints.RoutezAsync(node, cancellationToken: cancellationToken).ConfigureAwait(false);
            if (routez.RemoteIds.Count != members.Count - 1)
            {
                return false;
            }

            var expected = ids.Where(pair => pair.Key != node).Select(pair => pair.Value).ToHashSet(StringComparer.Ordinal);
            if (!routez.RemoteIds.SetEquals(expected))
            {
                return false;
            }
        }

        return true;
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

    /// <summary>Every node's <c>/routez</c> summary and last log lines.</summary>
    public async Task<string> DescribeAsync(int lines = 25, CancellationToken cancellationToken = default)
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

            text.Append('\n').Append(node.Describe(lines));
        }

        return text.ToString();
    }

    public static async Task<Dictionary<NodeProcess, string>> ServerIdsAsync(IReadOnlyList<NodeProcess> members, CancellationToken cancellationToken = default)
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
        await Task.WhenAll(Nodes.Select(node => node.DisposeAsync().AsTask())).ConfigureAwait(false);
    }
}

/// <summary>Config fragments for the bundled gossip and pinning plugins (and nats-server's equivalents).</summary>
public static class ClusterPlugins
{
    /// <summary>modular: loads the gossip plugin and selects it in <c>[cluster.discovery]</c>.</summary>
    public static ConfigBuilder WithGossip(this ConfigBuilder spec, string mode = "default", params string[] seeds) =>
        spec with
        {
            Plugins = spec.Plugins.Contains("gossip") ? spec.Plugins : [.. spec.Plugins, "gossip"],
            ExtraConfig = Join(
                spec.ExtraConfig,
                $"[cluster.discovery]\nuse = \"gossip\"\nmode = \"{mode}\"\n"
                + (seeds.Length == 0 ? "" : $"seeds = [{string.Join(", ", seeds.Select(s => "\"" + s + "\""))}]\n")),
        };

    /// <summary>modular: loads the pinning plugin with these accounts; nats-server: <c>cluster.accounts</c>.</summary>
    public static ConfigBuilder WithPinnedAccounts(this ConfigBuilder spec, NodeFlavor flavor, params string[] accounts)
    {
        var list = string.Join(", ", accounts.Select(a => "\"" + a + "\""));
        return flavor == NodeFlavor.Modular
            ? spec with
            {
                Plugins = spec.Plugins.Contains("pinning") ? spec.Plugins : [.. spec.Plugins, "pinning"],
                ExtraConfig = Join(spec.ExtraConfig, $"[cluster.pinning]\nuse = \"pinning\"\naccounts = [{list}]\n"),
            }
            : spec with { ExtraClusterConfig = Join(spec.ExtraClusterConfig, $"accounts: [{list}]\n") };
    }

    /// <summary>Adds a line to the cluster section (<c>connect_retries = 1</c> for modular, <c>connect_retries: 1</c> for nats-server).</summary>
    public static ConfigBuilder WithClusterLine(this ConfigBuilder spec, string line) =>
        spec with { ExtraClusterConfig = Join(spec.ExtraClusterConfig, line + "\n") };

    private static string Join(string? first, string second) =>
        string.IsNullOrEmpty(first) ? second : first.TrimEnd('\n') + "\n\n" + second;
}

/// <summary>
/// Listens on a port a dead server used and counts the connections dialed to it, closing each at
/// once: how a test sees whether the cluster keeps redialing a server that is gone.
/// </summary>
public sealed class DialCounter : IAsyncDisposable
{
    private readonly TcpListener _listener;
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _loop;
    private readonly List<DateTime> _accepted = new();

    private DialCounter(TcpListener listener)
    {
        _listener = listener;
        _loop = Task.Run(AcceptLoopAsync);
    }

    /// <summary>Binds 127.0.0.1:<paramref name="port"/>, retrying while the dead process's socket lingers.</summary>
    public static async Task<DialCounter> StartAsync(int port, TimeSpan timeout)
    {
        var clock = System.Diagnostics.Stopwatch.StartNew();
        while (true)
        {
            var listener = new TcpListener(IPAddress.Loopback, port);
            try
            {
                listener.Server.SetSocketOption(SocketOptionLevel.Socket, SocketOptionName.ReuseAddress, true);
                listener.Start(128);
                return new DialCounter(listener);
            }
            catch (SocketException) when (clock.Elapsed < timeout)
            {
                listener.Stop();
                await Task.Delay(50).ConfigureAwait(false);
            }
        }
    }

    /// <summary>Times (UTC) of every accepted connection so far.</summary>
    public IReadOnlyList<DateTime> Accepted
    {
        get
        {
            lock (_accepted)
            {
                return _accepted.ToArray();
            }
        }
    }

    private async Task AcceptLoopAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            try
            {
                using var socket = await _listener.AcceptSocketAsync(_stop.Token).ConfigureAwait(false);
                lock (_accepted)
                {
                    _accepted.Add(DateTime.UtcNow);
                }

                socket.LingerState = new LingerOption(true, 0); // RST: the dialer sees a dead peer at once
                socket.Close();
            }
            catch (Exception ex) when (ex is OperationCanceledException or SocketException or ObjectDisposedException)
            {
                if (_stop.IsCancellationRequested)
                {
                    return;
                }
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync().ConfigureAwait(false);
        _listener.Stop();
        try
        {
            await _loop.ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is OperationCanceledException or SocketException or ObjectDisposedException)
        {
        }

        _stop.Dispose();
    }
}
