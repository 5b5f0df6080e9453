namespace Modular.Server.Commands;

/// <summary>
/// The rules of <c>modular cluster check</c>, over what a crawl of the cluster's monitoring
/// endpoints found: each finding is one line that names the server and says what is wrong.
/// Warnings say what could not be checked (a server whose monitoring URL is unknown); notes are
/// worth knowing but not wrong (e.g. mixed versions during a rolling upgrade).
/// </summary>
internal static class ClusterCheck
{
    /// <summary>The system account's interest is the servers' own business, not the clients'.</summary>
    private const string SystemAccount = "$SYS";

    private const int SubjectsShown = 5;

    public static (List<string> Findings, List<string> Warnings, List<string> Notes) Analyze(ClusterCrawl crawl)
    {
        var servers = crawl.Servers;
        var findings = new List<string>();
        var warnings = new List<string>();
        var notes = new List<string>();
        foreach (var unreachable in servers.Where(s => s.Error is not null))
        {
            findings.Add($"{unreachable.Url}: cannot read monitoring: {unreachable.Error}");
        }

        var up = servers.Where(s => s.Error is null).ToList();
        foreach (var same in up.GroupBy(s => s.Id, StringComparer.Ordinal).Where(g => g.Count() > 1))
        {
            findings.Add($"{string.Join(" and ", same.Select(s => s.Url))} are the same server ({same.First().Name}, {same.Key}): list each server once");
        }

        up = up.DistinctBy(s => s.Id, StringComparer.Ordinal).ToList();

        // The peer set: every server read, and every server a route leads to that could not be read.
        var members = up.Select(s => (s.Id, s.Name))
            .Concat(crawl.Unread.Select(u => (u.Id, u.Name)))
            .DistinctBy(m => m.Id, StringComparer.Ordinal)
            .ToDictionary(m => m.Id, m => m.Name, StringComparer.Ordinal);

        var superCluster = up.Any(s => s.GatewayName is not null);
        if (superCluster)
        {
            // Clusters joined by gateways: the mesh and interest rules hold within each cluster.
            foreach (var cluster in up.GroupBy(s => s.ClusterName ?? "", StringComparer.Ordinal))
            {
                var inCluster = cluster.ToList();
                var routedTo = inCluster.SelectMany(s => s.Routes.Select(r => r.RemoteId)).ToHashSet(StringComparer.Ordinal);
                var clusterMembers = members.Where(m => inCluster.Any(s => s.Id == m.Key) || (routedTo.Contains(m.Key) && !up.Any(s => s.Id == m.Key)))
                    .ToDictionary(m => m.Key, m => m.Value, StringComparer.Ordinal);
                CheckRoutes(inCluster, clusterMembers, findings);
                CheckInterest(inCluster, findings);
            }

            CheckGateways(up, findings);
        }
        else
        {
            CheckClusterNames(up, findings);
            CheckRoutes(up, members, findings);
            CheckInterest(up, findings);
        }

        CheckUnread(crawl, findings, warnings);

        if (!superCluster && up.Count == 1 && members.Count == 1 && up[0].ClusterName is { } alone && servers.All(s => s.Error is null))
        {
            // From one server, a peer that cannot route to it (another cluster name, a closed port) is invisible.
            findings.Add($"{up[0].Label}: no routes, so it is alone in cluster \"{alone}\" (a server that cannot route to it, or has another cluster name, is not seen from here: pass its URL with --monitor)");
        }

        foreach (var server in up)
        {
            if (server.HealthStatus != 200)
            {
                findings.Add($"{server.Label}: /healthz answers {server.HealthStatus}: {server.HealthError ?? "not healthy"}");
            }

            if (server.SlowConsumers > 0)
            {
                findings.Add($"{server.Label}: {server.SlowConsumers} slow consumer(s) (clients {server.SlowClients}, routes {server.SlowRoutes})");
            }
        }

        CheckLeafs(up, findings, notes);

        var versions = up.GroupBy(s => s.Version, StringComparer.Ordinal).ToList();
        if (versions.Count > 1)
        {
            notes.Add("versions differ: " + string.Join(", ", versions.Select(g => $"{g.Key} on {string.Join(", ", g.Select(s => s.Name))}")));
        }

        return (findings, warnings, notes);
    }

    /// <summary>Every configured leaf remote has its connection; the leaf connections are listed as notes.</summary>
    private static void CheckLeafs(List<ServerSnapshot> up, List<string> findings, List<string> notes)
    {
        foreach (var server in up)
        {
            var spokes = server.Leafs.Count(l => l.IsSpoke);
            if (spokes < server.LeafRemotes)
            {
                findings.Add($"{server.Label}: {spokes} of its {server.LeafRemotes} leaf remote(s) connected");
            }

            foreach (var (name, isSpoke, account) in server.Leafs)
            {
                notes.Add(isSpoke
                    ? $"{server.Name}: leaf node of hub {name} (account {account})"
                    : $"{server.Name}: hub of leaf node {name} (account {account})");
            }
        }
    }

    private static void CheckClusterNames(List<ServerSnapshot> up, List<string> findings)
    {
        var names = up.GroupBy(s => s.ClusterName ?? "", StringComparer.Ordinal)
            .OrderByDescending(g => g.Count()).ThenBy(g => g.Key, StringComparer.Ordinal).ToList();
        if (names.Count <= 1)
        {
            if (names.Count == 1 && names[0].Key.Length == 0)
            {
                findings.Add("no server has a [cluster]: these are standalone servers, not a cluster");
            }

            return;
        }

        var majority = names[0];
        foreach (var other in names.Skip(1))
        {
            foreach (var server in other)
            {
                findings.Add(server.ClusterName is null
                    ? $"{server.Label}: has no cluster, while {string.Join(", ", majority.Select(s => s.Name))} are in cluster \"{majority.Key}\""
                    : $"{server.Label}: cluster name \"{server.ClusterName}\" differs from \"{majority.Key}\" of {string.Join(", ", majority.Select(s => s.Name))}");
            }
        }
    }

    /// <summary>
    /// In a super-cluster every server has an outbound gateway to every other cluster seen (and a
    /// gateway at all); a cluster only reached through another's /gatewayz is not known here, so
    /// pass a monitoring URL of each cluster.
    /// </summary>
    private static void CheckGateways(List<ServerSnapshot> up, List<string> findings)
    {
        var clusters = up.Select(s => s.GatewayName).OfType<string>().Distinct(StringComparer.Ordinal).OrderBy(n => n, StringComparer.Ordinal).ToList();
        foreach (var server in up)
        {
            if (server.GatewayName is null)
            {
                findings.Add($"{server.Label}: has no gateway, while the super-cluster has clusters {string.Join(", ", clusters)}");
                continue;
            }

            var missing = clusters.Where(c => c != server.GatewayName && !server.OutboundGateways.Contains(c)).ToList();
            if (missing.Count > 0)
            {
                findings.Add($"{server.Label}: no outbound gateway to cluster(s) {string.Join(", ", missing)} (of {clusters.Count - 1} other cluster(s))");
            }
        }
    }

    /// <summary>The n-1 rule: every server read routes to every other member, read or not.</summary>
    private static void CheckRoutes(List<ServerSnapshot> up, Dictionary<string, string> members, List<string> findings)
    {
        var expected = members.Count - 1;
        foreach (var server in up)
        {
            var remotes = server.Routes.Select(r => r.RemoteId).Where(id => id.Length > 0).ToHashSet(StringComparer.Ordinal);
            var missing = members.Where(other => other.Key != server.Id && !remotes.Contains(other.Key)).ToList();
            if (missing.Count > 0)
            {
                findings.Add($"{server.Label}: routes to {remotes.Count(members.ContainsKey)} of the {expected} other servers; missing: {string.Join(", ", missing.Select(m => m.Value.Length > 0 ? m.Value : m.Key))}");
            }

            foreach (var slow in server.Routes.Where(r => r.SlowConsumers > 0).DistinctBy(r => r.RemoteId))
            {
                findings.Add($"{server.Label}: route to {slow.RemoteName} was cut as a slow consumer {slow.SlowConsumers} time(s)");
            }
        }
    }

    /// <summary>
    /// A server that could not be read is a warning while its routes can be verified from the other
    /// side: a route is one connection, so when every server read routes to it (checked above), all
    /// its routes are there. Two or more such servers can have no route between them and nobody would
    /// see it: that is a finding. Their health and interest are not checked either way.
    /// </summary>
    private static void CheckUnread(ClusterCrawl crawl, List<string> findings, List<string> warnings)
    {
        foreach (var peer in crawl.Unread)
        {
            warnings.Add($"server {peer.Label} {peer.Reason}; " + (peer.Reason == UnreadPeer.NoUrl ? "pass it with --monitor" : "pass a URL that reaches it with --monitor"));
        }

        if (crawl.Unread.Count > 1)
        {
            findings.Add($"routes among {string.Join(", ", crawl.Unread.Select(u => u.Name.Length > 0 ? u.Name : u.Id))} cannot be verified: none of them was read (pass their monitoring URLs with --monitor)");
        }

        if (crawl.StoppedAt is { } limit)
        {
            findings.Add($"the check stopped after {limit} servers: the cluster was not checked whole");
        }
    }

    /// <summary>A client subscription on X must appear in every other server's route view of X.</summary>
    private static void CheckInterest(List<ServerSnapshot> up, List<string> findings)
    {
        foreach (var origin in up)
        {
            var local = origin.LocalSubscriptions
                .Where(s => s.Account != SystemAccount && s.Subject.Length > 0)
                .Select(s => s.Subject)
                .ToHashSet(StringComparer.Ordinal);
            if (local.Count == 0)
            {
                continue;
            }

            foreach (var viewer in up.Where(v => v.Id != origin.Id))
            {
                var routes = viewer.Routes.Where(r => r.RemoteId == origin.Id).ToList();
                if (routes.Count == 0)
                {
                    continue; // reported as a missing route already
                }

                var seen = routes.SelectMany(r => r.Subjects).ToHashSet(StringComparer.Ordinal);
                var absent = local.Where(subject => !seen.Contains(subject)).OrderBy(s => s, StringComparer.Ordinal).ToList();
                if (absent.Count > 0)
                {
                    var shown = string.Join(", ", absent.Take(SubjectsShown)) + (absent.Count > SubjectsShown ? $", … ({absent.Count - SubjectsShown} more)" : "");
                    findings.Add($"{viewer.Label}: missing interest of {origin.Name} in {absent.Count} subject(s): {shown}");
                }
            }
        }
    }
}
