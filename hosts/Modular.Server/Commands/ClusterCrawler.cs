namespace Modular.Server.Commands;

/// <summary>
/// Finds a whole cluster from some of its servers: reads the given monitoring URLs, then the
/// <c>monitor_url</c> that Modular servers put in each route of their /routez, round after round
/// until every server some route leads to was read or is known to be unreadable. A URL counts
/// only when it answers as the server the route named (a loopback URL seen from another machine
/// would otherwise pass off one server as another). Each request is bounded by the endpoint
/// timeout, and the crawl by <see cref="MaxServers"/>.
/// </summary>
internal static class ClusterCrawler
{
    /// <summary>More than any real NATS cluster; a bound so a confused crawl cannot run away.</summary>
    public const int MaxServers = 256;

    public static async Task<ClusterCrawl> CrawlAsync(IReadOnlyList<MonitorEndpoint> given, TimeSpan timeout, int maxServers = MaxServers, CancellationToken cancellationToken = default)
    {
        var servers = (await Task.WhenAll(given.Select(e => ServerSnapshot.ReadAsync(e, cancellationToken))).ConfigureAwait(false)).ToList();
        var readIds = servers.Where(s => s.Error is null && s.Id.Length > 0).Select(s => s.Id).ToHashSet(StringComparer.Ordinal);
        var tried = new HashSet<string>(StringComparer.Ordinal);
        var unread = new List<UnreadPeer>();
        int? stoppedAt = null;
        while (true)
        {
            var candidates = PeersNotYetRead(servers, readIds, tried);
            if (candidates.Count == 0)
            {
                break;
            }

            var room = Math.Max(0, maxServers - readIds.Count);
            foreach (var skipped in candidates.Skip(room))
            {
                tried.Add(skipped.Id);
                unread.Add(new UnreadPeer(skipped.Id, skipped.Name, $"was not read: the check stops at {maxServers} servers"));
                stoppedAt = maxServers;
            }

            var batch = candidates.Take(room).ToList();
            if (batch.Count == 0)
            {
                break;
            }

            foreach (var candidate in batch)
            {
                tried.Add(candidate.Id);
            }

            var outcomes = await Task.WhenAll(batch.Select(c => ReadPeerAsync(c, timeout, cancellationToken))).ConfigureAwait(false);
            foreach (var (candidate, snapshot, reason) in outcomes)
            {
                if (snapshot is not null)
                {
                    servers.Add(snapshot);
                    readIds.Add(snapshot.Id);
                }
                else
                {
                    unread.Add(new UnreadPeer(candidate.Id, candidate.Name, reason));
                }
            }
        }

        return new ClusterCrawl(servers, unread, stoppedAt);
    }

    /// <summary>Servers that routes lead to and that were neither read nor tried, in the order first seen.</summary>
    private static List<Candidate> PeersNotYetRead(List<ServerSnapshot> servers, HashSet<string> readIds, HashSet<string> tried)
    {
        var byId = new Dictionary<string, Candidate>(StringComparer.Ordinal);
        var order = new List<Candidate>();
        foreach (var server in servers.Where(s => s.Error is null))
        {
            foreach (var route in server.Routes)
            {
                if (route.RemoteId.Length == 0 || readIds.Contains(route.RemoteId) || tried.Contains(route.RemoteId))
                {
                    continue;
                }

                if (!byId.TryGetValue(route.RemoteId, out var candidate))
                {
                    candidate = new Candidate(route.RemoteId, route.RemoteName, server.Name.Length > 0 ? server.Name : server.Url, []);
                    byId[route.RemoteId] = candidate;
                    order.Add(candidate);
                }

                if (!string.IsNullOrWhiteSpace(route.MonitorUrl) && !candidate.Urls.Contains(route.MonitorUrl, StringComparer.Ordinal))
                {
                    candidate.Urls.Add(route.MonitorUrl);
                }
            }
        }

        return order;
    }

    /// <summary>Tries each URL peers gave for the server until one answers as that server.</summary>
    private static async Task<(Candidate Candidate, ServerSnapshot? Snapshot, string Reason)> ReadPeerAsync(Candidate candidate, TimeSpan timeout, CancellationToken cancellationToken)
    {
        var reasons = new List<string>();
        foreach (var url in candidate.Urls)
        {
            using var endpoint = MonitorEndpoint.TryCreate(url, timeout, out _);
            if (endpoint is null)
            {
                reasons.Add($"advertises \"{Cli.OneLine(url)}\", which is not a monitoring URL");
                continue;
            }

            var snapshot = await ServerSnapshot.ReadAsync(endpoint, cancellationToken, foundVia: candidate.Via).ConfigureAwait(false);
            if (snapshot.Error is not null)
            {
                reasons.Add($"advertises {endpoint.Label}, which cannot be read from here: {snapshot.Error}");
            }
            else if (!string.Equals(snapshot.Id, candidate.Id, StringComparison.Ordinal))
            {
                reasons.Add($"advertises {endpoint.Label}, which answers as another server, {snapshot.Name} ({snapshot.Id})");
            }
            else
            {
                return (candidate, snapshot, "");
            }
        }

        return (candidate, null, reasons.Count == 0 ? UnreadPeer.NoUrl : string.Join("; ", reasons));
    }

    /// <summary>A server to read: its id and name as routes named it, the URLs they gave, and who led here.</summary>
    private sealed record Candidate(string Id, string Name, string Via, List<string> Urls);
}
