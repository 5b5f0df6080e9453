using System.Text.Json;
using Modular.Server.Tests.Fixtures;
using Modular.Server.Tests.Harness;

namespace Modular.Server.Tests.EndToEnd;

/// <summary>The HTTP monitoring endpoints as NATS tooling reads them.</summary>
public sealed class MonitoringTests(MonitoredServer fixture) : IClassFixture<MonitoredServer>
{
    private static readonly HttpClient Http = new() { Timeout = TimeSpan.FromSeconds(5) };

    private Node Server => fixture.Server;

    [Fact]
    public async Task Healthz_RunningServer_StatusOk()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        using var healthz = await GetJsonAsync("/healthz", timeout.Token);

        Assert.Equal("ok", healthz.RootElement.GetProperty("status").GetString());
    }

    [Fact]
    public async Task Varz_RunningServer_IdentityAndLimits()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        using var varz = await GetJsonAsync("/varz", timeout.Token);
        var root = varz.RootElement;

        Assert.Equal("e2e-monitored", root.GetProperty("server_name").GetString());
        Assert.False(string.IsNullOrEmpty(root.GetProperty("server_id").GetString()));
        Assert.Equal(1024 * 1024, root.GetProperty("max_payload").GetInt32());
        Assert.Equal(Server.ClientPort, root.GetProperty("port").GetInt32());
    }

    [Fact]
    public async Task Varz_AfterPublishes_InMsgsGrowsByCount()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        var ct = timeout.Token;
        long before;
        using (var varz = await GetJsonAsync("/varz", ct))
        {
            before = varz.RootElement.GetProperty("in_msgs").GetInt64();
        }

        await using var raw = await RawConnection.ConnectClientAsync(Server, RawConnection.MinimalConnect, answerPings: false, ct);
        for (var i = 0; i < 10; i++)
        {
            await raw.SendAsync("PUB counted.one 1\r\nx\r\n", ct);
        }

        await raw.SendAsync("PING\r\n", ct);
        await raw.ExpectLineAsync("^PONG$", cancellationToken: ct);

        await Wait.Until(async () =>
        {
            using var varz = await GetJsonAsync("/varz", ct);
            return varz.RootElement.GetProperty("in_msgs").GetInt64() >= before + 10;
        }, TimeSpan.FromSeconds(10), "/varz in_msgs to count 10 more publishes");
    }

    [Fact]
    public async Task Connz_NamedClientConnected_ListedWithItsName()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        var ct = timeout.Token;
        var name = "connz-" + Guid.NewGuid().ToString("N")[..8];
        await using var connection = await Clients.ConnectAsync(Server, ct, adjust: o => o with { Name = name });

        using var connz = await GetJsonAsync("/connz", ct);

        var connections = connz.RootElement.GetProperty("connections").EnumerateArray().ToList();
        Assert.Contains(connections, c => c.TryGetProperty("name", out var n) && n.GetString() == name);
        Assert.True(connz.RootElement.GetProperty("num_connections").GetInt32() >= 1);
    }

    [Fact]
    public async Task Subsz_AfterSubscribe_CountsSubscription()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        var ct = timeout.Token;
        await using var raw = await RawConnection.ConnectClientAsync(Server, RawConnection.MinimalConnect, answerPings: false, ct);
        await raw.SendAsync("SUB subsz.a 1\r\nSUB subsz.b 2\r\nPING\r\n", ct);
        await raw.ExpectLineAsync("^PONG$", cancellationToken: ct);

        using var subsz = await GetJsonAsync("/subsz", ct);

        Assert.True(subsz.RootElement.GetProperty("num_subscriptions").GetInt64() >= 2, subsz.RootElement.ToString());
    }

    private async Task<JsonDocument> GetJsonAsync(string path, CancellationToken ct)
    {
        using var response = await Http.GetAsync(Server.MonitorUrl + path, ct);
        var body = await response.Content.ReadAsStringAsync(ct);
        Assert.True(response.IsSuccessStatusCode, $"GET {path}: {(int)response.StatusCode} {body}");
        return JsonDocument.Parse(body);
    }
}
