using System.Text.Json;

namespace Modular.Testing;

/// <summary>One entry of <c>/routez</c> (protocol.md §8.2). Fields a server leaves out read as defaults.</summary>
public sealed record RouteEntry(
    long Rid,
    string RemoteId,
    string RemoteName,
    bool DidSolicit,
    bool IsConfigured,
    string Ip,
    int Port,
    long InMsgs,
    long OutMsgs,
    long Subscriptions,
    IReadOnlyList<string> SubscriptionsList,
    string? Account,
    string? Compression);

/// <summary>A parsed <c>/routez</c> answer, with its raw JSON for assertion messages.</summary>
public sealed record Routez(string ServerId, string ServerName, int NumRoutes, IReadOnlyList<RouteEntry> Routes, string Json)
{
    public IReadOnlySet<string> RemoteIds => Routes.Select(r => r.RemoteId).Where(id => id.Length > 0).ToHashSet(StringComparer.Ordinal);

    public IReadOnlyList<RouteEntry> To(string remoteId) => Routes.Where(r => r.RemoteId == remoteId).ToList();

    /// <summary>True if some route connection from <paramref name="remoteId"/> lists <paramref name="subject"/> (needs <c>?subs=1</c>).</summary>
    public bool HasInterest(string remoteId, string subject) =>
        Routes.Any(r => r.RemoteId == remoteId && r.SubscriptionsList.Contains(subject, StringComparer.Ordinal));

    /// <summary>One line per route, for assertion messages.</summary>
    public string Summary() =>
        $"{ServerName} ({ServerId}) num_routes={NumRoutes}: "
        + string.Join("; ", Routes.Select(r =>
            $"rid {r.Rid} -> {r.RemoteName}/{r.RemoteId} solicit={r.DidSolicit} configured={r.IsConfigured} {r.Ip}:{r.Port}"
            + $" in={r.InMsgs} out={r.OutMsgs} subs={r.Subscriptions}"
            + (r.Account is null ? "" : $" account={r.Account}")
            + (r.SubscriptionsList.Count == 0 ? "" : $" [{string.Join(",", r.SubscriptionsList)}]")));
}

/// <summary>Reads a node's HTTP monitoring endpoints.</summary>
public static class MonitorEndpoints
{
    private static readonly HttpClient Http = new() { Timeout = TimeSpan.FromSeconds(5) };

    /// <summary>GETs <paramref name="pathAndQuery"/> and parses the JSON body; throws on a non-2xx status.</summary>
    public static async Task<JsonDocument> GetJsonAsync(IMonitoredNode node, string pathAndQuery, CancellationToken cancellationToken = default)
    {
        using var response = await Http.GetAsync(node.MonitorUrl + pathAndQuery, cancellationToken).ConfigureAwait(false);
        var body = await response.Content.ReadAsStringAsync(cancellationToken).ConfigureAwait(false);
        if (!response.IsSuccessStatusCode)
        {
            throw new HttpRequestException($"GET {node.MonitorUrl}{pathAndQuery} on {node.Name}: HTTP {(int)response.StatusCode}: {body}");
        }

        try
        {
            return JsonDocument.Parse(body);
        }
        catch (JsonException ex)
        {
            throw new HttpRequestException($"GET {node.MonitorUrl}{pathAndQuery} on {node.Name}: not JSON ({ex.Message}): {body}", ex);
        }
    }

    public static async Task<Routez> RoutezAsync(IMonitoredNode node, bool subs = false, CancellationToken cancellationToken = default)
    {
        using var document = await GetJsonAsync(node, subs ? "/routez?subs=1" : "/routez", cancellationToken).ConfigureAwait(false);
        var root = document.RootElement;
        var routes = new List<RouteEntry>();
        if (root.TryGetProperty("routes", out var array) && array.ValueKind == JsonValueKind.Array)
        {
            foreach (var route in array.EnumerateArray())
            {
                var list = new List<string>();
                if (route.TryGetProperty("subscriptions_list", out var subsList) && subsList.ValueKind == JsonValueKind.Array)
                {
                    foreach (var item in subsList.EnumerateArray())
                    {
                        if (item.ValueKind == JsonValueKind.String)
                        {
                            list.Add(item.GetString()!);
                        }
                    }
                }

                routes.Add(new RouteEntry(
                    Long(route, "rid"),
                    Str(route, "remote_id") ?? "",
                    Str(route, "remote_name") ?? "",
                    Bool(route, "did_solicit"),
                    Bool(route, "is_configured"),
                    Str(route, "ip") ?? "",
                    (int)Long(route, "port"),
                    Long(route, "in_msgs"),
                    Long(route, "out_msgs"),
                    Long(route, "subscriptions"),
                    list,
                    Str(route, "account") is { Length: > 0 } account ? account : null,
                    Str(route, "compression")));
            }
        }

        return new Routez(
            Str(root, "server_id") ?? "",
            Str(root, "server_name") ?? "",
            (int)Long(root, "num_routes"),
            routes,
            root.GetRawText());
    }

    /// <summary>The node's <c>server_id</c> from <c>/varz</c>.</summary>
    public static async Task<string> ServerIdAsync(IMonitoredNode node, CancellationToken cancellationToken = default)
    {
        using var varz = await GetJsonAsync(node, "/varz", cancellationToken).ConfigureAwait(false);
        return Str(varz.RootElement, "server_id")
            ?? throw new InvalidOperationException($"/varz of {node.Name} has no server_id: {varz.RootElement.GetRawText()}");
    }

    public static long Long(JsonElement element, string name) =>
        element.ValueKind == JsonValueKind.Object && element.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.Number
            ? value.GetInt64()
            : 0;

    public static string? Str(JsonElement element, string name) =>
        element.ValueKind == JsonValueKind.Object && element.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String
            ? value.GetString()
            : null;

    public static bool Bool(JsonElement element, string name) =>
        element.ValueKind == JsonValueKind.Object && element.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.True;
}
