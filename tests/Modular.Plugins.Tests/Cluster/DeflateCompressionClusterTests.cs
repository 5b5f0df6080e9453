using System.Net.Http;
using System.Text.Json;
using Modular.Plugins.Tests.Harness;
using Modular.Testing;

namespace Modular.Plugins.Tests.Cluster;

/// <summary>
/// examples/DeflateCompression: a second compression plugin, added with no core change, that two
/// Modular nodes negotiate and use; a node without it keeps a plain route to them.
/// </summary>
public sealed class DeflateCompressionClusterTests : IAsyncLifetime
{
    private static readonly HttpClient Http = new() { Timeout = TimeSpan.FromSeconds(5) };
    private readonly Scratch _scratch = new();
    private readonly List<Node> _servers = new();

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync()
    {
        foreach (var server in _servers)
        {
            await server.DisposeAsync();
        }

        _scratch.Dispose();
    }

    [Fact]
    public async Task Deflate_TwoNodes_NegotiateDeflate_MessagesFlow_AndRoutezShowsModeAndCompressedBytes()
    {
        var n1 = await StartAsync("n1", routeTo: null, compression: "deflate");
        var n2 = await StartAsync("n2", routeTo: n1.ClusterPort, compression: "deflate");
        var (c1, m1, c2, m2) = (n1.ClientPort, n1.MonitorPort!.Value, n2.ClientPort, n2.MonitorPort!.Value);
        var n2Id = await MonitorEndpoints.ServerIdAsync(n2);
        await Wait.Until(async () => (await MonitorEndpoints.RoutezAsync(n1)).RemoteIds.Contains(n2Id), TimeSpan.FromSeconds(20), "n1 to route to n2\n" + n1.Describe() + n2.Describe());

        var payload = string.Concat(Enumerable.Repeat("compressible route traffic ", 100));
        await using var subscriber = await ConnectAsync(c2);
        await subscriber.SendAsync("SUB deflate.test 1\r\nPING\r\n");
        Assert.Equal("PONG", (await subscriber.WaitForLineAsync("^PONG.*")).Match.Value);
        await Wait.Until(async () => await RouteSubscriptionsAsync(m1) > 0, TimeSpan.FromSeconds(10), "n1 to learn n2's interest\n" + n1.Describe());

        await using var publisher = await ConnectAsync(c1);
        for (var i = 0; i < 20; i++)
        {
            await publisher.SendAsync($"PUB deflate.test {payload.Length}\r\n{payload}\r\n");
        }

        await publisher.SendAsync("PING\r\n");
        Assert.Equal("PONG", (await publisher.WaitForLineAsync("^PONG.*")).Match.Value);
        for (var i = 0; i < 20; i++)
        {
            Assert.Equal($"MSG deflate.test 1 {payload.Length}", (await subscriber.WaitForLineAsync("^MSG .*")).Match.Value);
            Assert.Equal(payload, await subscriber.ReadLineAsync());
        }

        foreach (var monitor in new[] { m1, m2 })
        {
            var routes = await RoutesAsync(monitor);
            Assert.NotEmpty(routes);
            Assert.All(routes, route => Assert.Equal("deflate", route.GetProperty("compression").GetString()));
        }

        var sending = (await RoutesAsync(m1)).Single(r => r.TryGetProperty("compression_out_bytes_uncompressed", out _));
        var uncompressed = sending.GetProperty("compression_out_bytes_uncompressed").GetInt64();
        var compressed = sending.GetProperty("compression_out_bytes_compressed").GetInt64();
        Assert.True(uncompressed > 20 * payload.Length, $"n1 sent {uncompressed} bytes before compression");
        Assert.True(compressed > 0 && compressed * 4 < uncompressed, $"n1 sent {compressed} compressed bytes for {uncompressed}");
        var receiving = (await RoutesAsync(m2)).Single(r => r.TryGetProperty("compression_in_bytes_uncompressed", out _));
        Assert.True(receiving.GetProperty("compression_in_bytes_compressed").GetInt64() * 4 < receiving.GetProperty("compression_in_bytes_uncompressed").GetInt64());
    }

    [Fact]
    public async Task Deflate_PeerWithoutCompression_RouteStaysPlainAndMessagesFlow()
    {
        var n1 = await StartAsync("n1", routeTo: null, compression: "deflate");
        var n2 = await StartAsync("n2", routeTo: n1.ClusterPort, compression: null);
        var (c1, m1, c2) = (n1.ClientPort, n1.MonitorPort!.Value, n2.ClientPort);
        var n2Id = await MonitorEndpoints.ServerIdAsync(n2);
        await Wait.Until(async () => (await MonitorEndpoints.RoutezAsync(n1)).RemoteIds.Contains(n2Id), TimeSpan.FromSeconds(20), "n1 to route to n2\n" + n1.Describe() + n2.Describe());

        await using var subscriber = await ConnectAsync(c2);
        await subscriber.SendAsync("SUB plain.test 1\r\nPING\r\n");
        Assert.Equal("PONG", (await subscriber.WaitForLineAsync("^PONG.*")).Match.Value);
        await Wait.Until(async () => await RouteSubscriptionsAsync(m1) > 0, TimeSpan.FromSeconds(10), "n1 to learn n2's interest\n" + n1.Describe());
        await using var publisher = await ConnectAsync(c1);
        await publisher.SendAsync("PUB plain.test 5\r\nhello\r\nPING\r\n");
        Assert.Equal("PONG", (await publisher.WaitForLineAsync("^PONG.*")).Match.Value);

        Assert.Equal("MSG plain.test 1 5", (await subscriber.WaitForLineAsync("^MSG .*")).Match.Value);
        Assert.Equal("hello", await subscriber.ReadLineAsync());
        Assert.All(await RoutesAsync(m1), route => Assert.Equal("not supported", route.GetProperty("compression").GetString()));
    }

    private static async Task<RawConnection> ConnectAsync(int port)
    {
        var client = await RawConnection.ConnectAsync(port, $"client on :{port}");
        Assert.StartsWith("INFO ", await client.ReadLineAsync(), StringComparison.Ordinal);
        await client.SendAsync("CONNECT {\"verbose\":false,\"pedantic\":false,\"lang\":\"raw\",\"version\":\"0\",\"protocol\":1}\r\n");
        return client;
    }

    private static async Task<List<JsonElement>> RoutesAsync(int monitor)
    {
        using var json = JsonDocument.Parse(await Http.GetStringAsync($"http://127.0.0.1:{monitor}/routez"));
        return json.RootElement.TryGetProperty("routes", out var routes) && routes.ValueKind == JsonValueKind.Array
            ? routes.EnumerateArray().Select(r => r.Clone()).ToList()
            : [];
    }

    private static async Task<long> RouteSubscriptionsAsync(int monitor) =>
        (await RoutesAsync(monitor)).Sum(r => r.TryGetProperty("subscriptions", out var count) ? count.GetInt64() : 0);

    private async Task<Node> StartAsync(string name, int? routeTo, string? compression)
    {
        var config = $"""
            plugins = [{PluginFolders.Toml(PluginFolders.DeflateCompression)}]

            [server]
            name = "{name}"
            listen = "127.0.0.1:0"

            [monitor]
            listen = "127.0.0.1:0"

            [cluster]
            name = "deflated"
            listen = "127.0.0.1:0"
            routes = [{(routeTo is { } port ? $"\"nats-route://127.0.0.1:{port}\"" : "")}]
            pool_size = -1
            {(compression is null ? "" : $"\n[cluster.compression]\nuse = \"{compression}\"\nlevel = \"optimal\"")}
            """;
        var server = await Node.StartAsync(name, config, directory: _scratch.Folder);
        _servers.Add(server);
        return server;
    }
}
