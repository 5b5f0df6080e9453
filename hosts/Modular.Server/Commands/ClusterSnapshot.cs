using System.Text.Json;

namespace Modular.Server.Commands;

/// <summary>What <c>cluster check</c> read from one server's monitoring port.</summary>
internal sealed class ServerSnapshot
{
    public required string Url { get; init; }

    /// <summary>Why the server could not be read; null when it was.</summary>
    public string? Error { get; init; }

    public string Id { get; init; } = "";

    public string Name { get; init; } = "";

    public string? ClusterName { get; init; }

    public string Version { get; init; } = "";

    public long SlowConsumers { get; init; }

    public long SlowClients { get; init; }

    public long SlowRoutes { get; init; }

    public int HealthStatus { get; init; }

    public string? HealthError { get; init; }

    public IReadOnlyList<RouteView> Routes { get; init; } = [];

    /// <summary>This server's gateway (cluster) name in a super-cluster; null without gateways.</summary>
    public string? GatewayName { get; init; }

    /// <summary>The clusters this server has an outbound gateway connection to (/gatewayz outbound_gateways).</summary>
    public IReadOnlySet<string> OutboundGateways { get; init; } = new HashSet<string>();

    /// <summary>The leaf remotes this server is configured to dial (/varz leaf.remotes).</summary>
    public int LeafRemotes { get; init; }

    /// <summary>Its leaf node connections (/leafz): the remote server, whether this side dialed (spoke), the account.</summary>
    public IReadOnlyList<(string Name, bool IsSpoke, string Account)> Leafs { get; init; } = [];

    /// <summary>
    /// Client subscriptions: those of /subsz?subs=1 whose connection /connz lists. nats-server's
    /// /subsz also shows its internal ones (service imports such as $SYS.REQ.USER.INFO in every
    /// account), which it does not send to routes, so they must not be expected on its peers.
    /// </summary>
    public IReadOnlyList<LocalSub> LocalSubscriptions { get; init; } = [];

    /// <summary>The server whose /routez led the crawl here; null for a server given with --monitor.</summary>
    public string? FoundVia { get; init; }

    /// <summary>"n1 (http://…)" for finding lines.</summary>
    public string Label => Name.Length > 0 ? $"{Name} ({Url})" : Url;

    /// <summary>Reads /varz, /routez?subs=1, /subsz?subs=1, /connz and /healthz; never throws (a failure is kept in <see cref="Error"/>).</summary>
    public static async Task<ServerSnapshot> ReadAsync(MonitorEndpoint endpoint, CancellationToken cancellationToken, string? foundVia = null)
    {
        try
        {
            using var varz = await endpoint.GetJsonAsync("varz", cancellationToken).ConfigureAwait(false);
            using var routez = await endpoint.GetJsonAsync("routez?subs=1", cancellationToken).ConfigureAwait(false);
            using var subsz = await endpoint.GetJsonAsync("subsz?subs=1&limit=100000", cancellationToken).ConfigureAwait(false);
            using var connz = await endpoint.GetJsonAsync("connz?limit=100000", cancellationToken).ConfigureAwait(false);
            var (healthStatus, health, _) = await endpoint.GetAsync("healthz", cancellationToken).ConfigureAwait(false);
            var (gatewayStatus, gatewayz, _) = await endpoint.GetAsync("gatewayz", cancellationToken).ConfigureAwait(false);
            var (leafStatus, leafz, _) = await endpoint.GetAsync("leafz", cancellationToken).ConfigureAwait(false);
            using (leafz)
            using (gatewayz)
            using (health)
            {
                var v = varz.RootElement;
                var cluster = v.TryGetProperty("cluster", out var c) && c.ValueKind == JsonValueKind.Object ? Str(c, "name") : null;
                var slowStats = v.TryGetProperty("slow_consumer_stats", out var s) ? s : default;
                return new ServerSnapshot
                {
                    Url = endpoint.Label,
                    FoundVia = foundVia,
                    Id = Str(v, "server_id") ?? "",
                    Name = Str(v, "server_name") ?? "",
                    ClusterName = string.IsNullOrEmpty(cluster) ? null : cluster,
                    Version = Str(v, "version") ?? "",
                    SlowConsumers = Long(v, "slow_consumers"),
                    SlowClients = Long(slowStats, "clients"),
                    SlowRoutes = Long(slowStats, "routes"),
                    HealthStatus = healthStatus,
                    HealthError = health is null ? null : Str(health.RootElement, "error"),
                    Routes = ReadRoutes(routez.RootElement),
                    GatewayName = gatewayStatus == 200 && gatewayz is not null ? Str(gatewayz.RootElement, "name") : null,
                    OutboundGateways = gatewayStatus == 200 && gatewayz is not null ? ReadOutboundGateways(gatewayz.RootElement) : new HashSet<string>(),
                    LeafRemotes = v.TryGetProperty("leaf", out var leaf) && leaf.ValueKind == JsonValueKind.Object && leaf.TryGetProperty("remotes", out var remotes) && remotes.ValueKind == JsonValueKind.Array ? remotes.GetArrayLength() : 0,
                    Leafs = leafStatus == 200 && leafz is not null ? ReadLeafs(leafz.RootElement) : [],
                    LocalSubscriptions = ReadLocalSubs(subsz.RootElement, ReadClientIds(connz.RootElement)),
                };
            }
        }
        catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException or JsonException or InvalidOperationException)
        {
            var reason = ex is TaskCanceledException ? "timed out" : ex.Message;
            return new ServerSnapshot { Url = endpoint.Label, Error = Cli.OneLine(reason) };
        }
    }

    private static List<RouteView> ReadRoutes(JsonElement routez)
    {
        var routes = new List<RouteView>();
        if (!routez.TryGetProperty("routes", out var array) || array.ValueKind != JsonValueKind.Array)
        {
            return routes;
        }

        foreach (var route in array.EnumerateArray())
        {
            var subs = new List<string>();
            if (route.TryGetProperty("subscriptions_list", out var list) && list.ValueKind == JsonValueKind.Array)
            {
                subs.AddRange(list.EnumerateArray().Where(e => e.ValueKind == JsonValueKind.String).Select(e => e.GetString()!));
            }

            routes.Add(new RouteView(Str(route, "remote_id") ?? "", Str(route, "remote_name") ?? "", subs, Long(route, "slow_consumers"), Str(route, "monitor_url")));
        }

        return routes;
    }

    private static List<(string Name, bool IsSpoke, string Account)> ReadLeafs(JsonElement leafz) =>
        leafz.TryGetProperty("leafs", out var leafs) && leafs.ValueKind == JsonValueKind.Array
            ? leafs.EnumerateArray().Select(l => (Str(l, "name") ?? "", l.TryGetProperty("is_spoke", out var spoke) && spoke.ValueKind == JsonValueKind.True, Str(l, "account") ?? "")).ToList()
            : [];

    private static HashSet<string> ReadOutboundGateways(JsonElement gatewayz) =>
        gatewayz.TryGetProperty("outbound_gateways", out var outbound) && outbound.ValueKind == JsonValueKind.Object
            ? outbound.EnumerateObject().Select(p => p.Name).ToHashSet(StringComparer.Ordinal)
            : new HashSet<string>(StringComparer.Ordinal);

    private static List<LocalSub> ReadLocalSubs(JsonElement subsz, HashSet<long> clientIds)
    {
        var subs = new List<LocalSub>();
        if (subsz.TryGetProperty("subscriptions_list", out var array) && array.ValueKind == JsonValueKind.Array)
        {
            foreach (var sub in array.EnumerateArray())
            {
                if (clientIds.Contains(Long(sub, "cid")))
                {
                    subs.Add(new LocalSub(Str(sub, "account") ?? "", Str(sub, "subject") ?? "", Str(sub, "qgroup")));
                }
            }
        }

        return subs;
    }

    private static HashSet<long> ReadClientIds(JsonElement connz)
    {
        var ids = new HashSet<long>();
        if (connz.TryGetProperty("connections", out var array) && array.ValueKind == JsonValueKind.Array)
        {
            foreach (var connection in array.EnumerateArray())
            {
                ids.Add(Long(connection, "cid"));
            }
        }

        return ids;
    }

    private static string? Str(JsonElement element, string name) =>
        element.ValueKind == JsonValueKind.Object && element.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;

    private static long Long(JsonElement element, string name) =>
        element.ValueKind == JsonValueKind.Object && element.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.Number && value.TryGetInt64(out var n) ? n : 0;
}

/// <summary>One route connection as /routez?subs=1 shows it; <c>monitor_url</c> is Modular's (null from nats-server).</summary>
internal sealed record RouteView(string RemoteId, string RemoteName, IReadOnlyList<string> Subjects, long SlowConsumers, string? MonitorUrl);

/// <summary>One local subscription as /subsz?subs=1 shows it.</summary>
internal sealed record LocalSub(string Account, string Subject, string? Queue);
