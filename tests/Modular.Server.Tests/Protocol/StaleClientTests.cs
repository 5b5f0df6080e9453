using System.Diagnostics;
using System.Text.Json;
using Xunit.Abstractions;

namespace Modular.Server.Tests.Protocol;

/// <summary>
/// A client behind a network partition (a proxy that turns into a black hole: nothing passes,
/// nothing is closed) is closed as stale within nats-server's bound, <c>ping_interval ×
/// (ping_max + 1)</c> after its last answered PING plus a housekeeping tick, and is gone from
/// <c>/connz</c> by then; one second of slack for a loaded machine.
/// </summary>
public sealed class StaleClientTests(ITestOutputHelper output)
{
    /// <summary>ping_interval 1 s × (ping_max 2 + 1), and one second of slack.</summary>
    private static readonly TimeSpan Limit = TimeSpan.FromSeconds(3) + TimeSpan.FromSeconds(1);

    private const string Config = """
        [server]
        name = "stale-client"
        listen = "127.0.0.1:0"
        ping_interval = "1s"
        ping_max = 2

        [monitor]
        listen = "127.0.0.1:0"
        """;

    [Fact]
    public async Task Blackhole_ClientAnswersNoPing_GoneFromConnzWithinTheBound()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        var ct = timeout.Token;
        await using var node = await Node.StartAsync("stale-client", Config, cancellationToken: ct);
        await using var proxy = new FaultProxy(node.ClientPort);
        await using var client = await RawConnection.ConnectAsync(proxy.Port, "client behind the proxy", cancellationToken: ct);
        client.AnswerPings = true;
        await client.ExpectLineAsync("^INFO ", cancellationToken: ct);
        await client.SendAsync("CONNECT {\"verbose\":false,\"pedantic\":false}\r\n", ct);

        // A healthy client first: the server's PINGs (one a second) are answered for a while.
        var healthy = Stopwatch.StartNew();
        while (healthy.Elapsed < TimeSpan.FromSeconds(2.5))
        {
            await client.PingAsync(cancellationToken: ct);
            await Task.Delay(100, ct);
        }

        var cids = await CidsAsync(node, ct);
        Assert.Single(cids);
        var clock = Stopwatch.StartNew();
        proxy.Blackhole();
        TimeSpan? gone = null;
        while (clock.Elapsed < Limit + TimeSpan.FromSeconds(4) && gone is null)
        {
            var now = await CidsAsync(node, ct);
            if (!now.Overlaps(cids))
            {
                gone = clock.Elapsed;
            }
            else
            {
                await Task.Delay(20, ct);
            }
        }

        output.WriteLine($"client gone from /connz {(gone is { } g ? $"{g.TotalSeconds:0.000} s" : "never")} after the black hole (limit {Limit.TotalSeconds:0.0} s)");
        Assert.True(gone is { } elapsed && elapsed <= Limit, $"gone after {gone?.TotalSeconds:0.000} s, limit {Limit.TotalSeconds:0.0} s\n{node.Describe()}");
        using var varz = await MonitorEndpoints.GetJsonAsync(node, "/varz", ct);
        Assert.Equal(1, varz.RootElement.GetProperty("stale_connection_stats").GetProperty("clients").GetInt64());
    }

    private static async Task<HashSet<long>> CidsAsync(Node node, CancellationToken cancellationToken)
    {
        using var connz = await MonitorEndpoints.GetJsonAsync(node, "/connz", cancellationToken);
        return connz.RootElement.TryGetProperty("connections", out var connections) && connections.ValueKind == JsonValueKind.Array
            ? connections.EnumerateArray().Select(c => MonitorEndpoints.Long(c, "cid")).ToHashSet()
            : [];
    }
}
