using System.Text.Json;

namespace Modular.Cluster.Tests.Operations;

/// <summary>Monitoring reads of the operations tests (raw HTTP status and JSON, <c>modular cluster check</c>).</summary>
public static class OpsMonitoring
{
    private static readonly HttpClient Http = new() { Timeout = TimeSpan.FromSeconds(5) };

    public static async Task<(int Status, string Body)> GetAsync(string url)
    {
        using var response = await Http.GetAsync(url);
        return ((int)response.StatusCode, await response.Content.ReadAsStringAsync());
    }

    public static async Task<JsonElement> JsonAsync(string url)
    {
        var (status, body) = await GetAsync(url);
        if (status != 200)
        {
            throw new HttpRequestException($"GET {url}: HTTP {status}: {body}");
        }

        using var document = JsonDocument.Parse(body);
        return document.RootElement.Clone();
    }

    /// <summary>The distinct remote server ids of a node's routes.</summary>
    public static async Task<HashSet<string>> RemoteIdsAsync(Node node)
    {
        var routez = await JsonAsync(node.MonitorUrl + "/routez");
        return routez.GetProperty("routes").EnumerateArray()
            .Select(r => r.GetProperty("remote_id").GetString() ?? "")
            .Where(id => id.Length > 0)
            .ToHashSet(StringComparer.Ordinal);
    }

    /// <summary>
    /// Step 3 of the rolling upgrade in docs/operations.md: waits until <c>modular cluster check</c>
    /// passes on every node (n-1 peers everywhere and every subscription visible on every server), not
    /// only until the routes are up: a server whose routes are up may not have had the interest yet, and
    /// drops what is published to it for subscribers elsewhere.
    /// </summary>
    public static async Task WaitClusterCheckAsync(IReadOnlyList<Node> nodes, TimeSpan timeout)
    {
        await TestCluster.WaitMeshAsync(nodes, timeout);
        var clock = System.Diagnostics.Stopwatch.StartNew();
        string[] args = ["cluster", "check", "--once", "--monitor", .. nodes.Select(n => n.MonitorUrl)];
        ModularCli.Result? last = null;
        while (clock.Elapsed < timeout)
        {
            last = await ModularCli.RunAsync(TimeSpan.FromSeconds(30), args);
            if (last.ExitCode == 0)
            {
                return;
            }

            await Task.Delay(100);
        }

        throw new TimeoutException($"modular cluster check did not pass within {timeout.TotalSeconds:0}s; last: {last}");
    }
}
