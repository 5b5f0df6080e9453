using Modular.Testing;

namespace Modular.Cluster.Tests.RoutePeer;

/// <summary>
/// The node the raw route tests talk to: one modular server with <c>pool_size = -1</c> (one route per
/// peer, no pinned <c>$SYS</c> route, the account in every RS+/RMSG), cluster "c1".
/// </summary>
internal static class RoutePeerNode
{
    public static Task<Node> StartAsync(CancellationToken cancellationToken, IReadOnlyList<int>? routes = null) =>
        Node.StartAsync(
            new ConfigBuilder { Name = "rp", PoolSize = -1, Routes = routes?.Select(port => ConfigBuilder.RouteUrl(port)).ToArray() ?? [], LogLevel = "debug", NoSystemAccount = true },
            program: NodeProgram.UnderTest,
            cancellationToken: cancellationToken);

    /// <summary>A fake route peer <paramref name="serverId"/> dialing <paramref name="node"/>'s cluster port; the node's INFO is read.</summary>
    public static Task<RawConnection> DialAsync(Node node, string serverId, CancellationToken cancellationToken = default) =>
        RawConnection.DialRouteAsync(node.Ports.Cluster!.Value, serverId, node.Name, cancellationToken);

    /// <summary>A fake route peer that dialed, shook hands (CONNECT and INFO) and is registered in /routez.</summary>
    public static async Task<RawConnection> JoinAsync(Node node, string serverId, CancellationToken cancellationToken)
    {
        var peer = await DialAsync(node, serverId, cancellationToken);
        try
        {
            await peer.RouteHandshakeAsync(cancellationToken: cancellationToken);
            await WaitRegisteredAsync(node, peer, cancellationToken);
            return peer;
        }
        catch
        {
            await peer.DisposeAsync();
            throw;
        }
    }

    /// <summary>Polls /routez until the fake peer is a registered route.</summary>
    public static async Task WaitRegisteredAsync(Node node, RawConnection peer, CancellationToken cancellationToken = default)
    {
        var peerId = peer.ServerId ?? throw new ArgumentException($"{peer.Label} is not a route peer", nameof(peer));
        Routez? last = null;
        try
        {
            await Wait.Until(
                async () =>
                {
                    last = await MonitorEndpoints.RoutezAsync(node, cancellationToken: cancellationToken);
                    return last.RemoteIds.Contains(peerId);
                },
                TimeSpan.FromSeconds(10),
                $"/routez to show the fake route {peerId}");
        }
        catch (TimeoutException ex)
        {
            throw new TimeoutException($"{ex.Message}\nlast /routez: {last?.Json}\npeer received: {peer.Transcript}\n{node.Describe()}", ex);
        }
    }

    /// <summary>
    /// The peer receives exactly <paramref name="expected"/> (in any order; INFO and the node's PINGs
    /// aside), and nothing more before the PONG to a PING sent afterwards.
    /// </summary>
    public static async Task AssertReceivesExactlyAsync(RawConnection peer, params string[] expected)
    {
        var pending = expected.ToList();
        var got = new List<string>();
        while (pending.Count > 0)
        {
            string line;
            try
            {
                line = await peer.ReadLineSkippingInfoAsync(TimeSpan.FromSeconds(5));
            }
            catch (RawProtocolMismatchException ex)
            {
                throw new RawProtocolMismatchException($"still waiting for [{string.Join(" | ", pending)}] after [{string.Join(" | ", got)}]: {ex.Message}");
            }

            got.Add(line);
            if (!pending.Remove(line))
            {
                throw new RawProtocolMismatchException(
                    $"expected exactly [{string.Join(" | ", expected)}] (any order), got unexpected \"{line}\" after [{string.Join(" | ", got.SkipLast(1))}]; received: {peer.Transcript}");
            }
        }

        var extra = await peer.PingSkippingInfoAsync();
        if (extra.Count > 0)
        {
            throw new RawProtocolMismatchException(
                $"expected exactly [{string.Join(" | ", expected)}], then also got [{string.Join(" | ", extra)}]; received: {peer.Transcript}");
        }
    }

    /// <summary>Nothing at all (but INFO) arrives before the PONG to our PING.</summary>
    public static async Task AssertNothingMoreAsync(RawConnection peer, string situation)
    {
        var extra = await peer.PingSkippingInfoAsync();
        if (extra.Count > 0)
        {
            throw new RawProtocolMismatchException($"{situation}: expected nothing, got [{string.Join(" | ", extra)}]; received: {peer.Transcript}");
        }
    }
}
