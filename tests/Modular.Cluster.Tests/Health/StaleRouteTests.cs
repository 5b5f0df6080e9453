using Xunit.Abstractions;

namespace Modular.Cluster.Tests.Health;

/// <summary>
/// Stale route detection as a network partition shows it: two nodes routed through a proxy that
/// turns into a black hole (nothing passes, nothing is closed). Each end must drop the route within
/// nats-server's bound, <c>ping_interval × (ping_max + 1)</c> after the last answered PING, plus a
/// housekeeping tick; the test allows one second over the bound for a loaded machine (a close that
/// lingers for the peer's FIN took 4.8 s here, nats-server 2.9 takes 2.6–2.8 s).
/// </summary>
public sealed class StaleRouteTests(ITestOutputHelper output)
{
    /// <summary>ping_interval 1 s × (ping_max 2 + 1), and one second of slack.</summary>
    private static readonly TimeSpan Limit = TimeSpan.FromSeconds(3) + TimeSpan.FromSeconds(1);

    [Theory]
    [InlineData(-1, 1)]
    [InlineData(3, 4)]
    public async Task Blackhole_RouteAnswersNoPing_BothEndsDropItFromRoutezWithinTheBound(int poolSize, int connections)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        var ct = timeout.Token;
        await using var pair = await StaleRoutePair.StartAsync((name, route) => Config(name, route, poolSize), NodeBackend.InProcess, NodeProgram.Modular, connections, ct);

        var (dialer, acceptor) = await pair.BlackholeAndMeasureAsync(Limit + TimeSpan.FromSeconds(4), ct);

        var figures = $"dialer dropped the route after {Seconds(dialer)}, acceptor after {Seconds(acceptor)} (limit {Limit.TotalSeconds:0.0} s)";
        output.WriteLine(figures);
        figures += "\n" + pair.Describe();
        Assert.True(dialer is { } d && d <= Limit, figures);
        Assert.True(acceptor is { } a && a <= Limit, figures);
        Assert.True(pair.Dialer.OutputContains("Stale route connection"), figures);
        Assert.True(pair.Acceptor.OutputContains("Stale route connection"), figures);
    }

    private static string Seconds(TimeSpan? elapsed) => elapsed is { } e ? $"{e.TotalSeconds:0.000} s" : "never (still listed)";

    private static string Config(string name, string? route, int poolSize) => $"""
        [server]
        name = "{name}"
        listen = "127.0.0.1:0"
        ping_interval = "1s"
        ping_max = 2

        [monitor]
        listen = "127.0.0.1:0"

        [cluster]
        name = "stale"
        listen = "127.0.0.1:0"
        pool_size = {poolSize}
        routes = [{(route is null ? "" : $"\"{route}\"")}]
        """;
}
