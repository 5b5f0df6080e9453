using Xunit.Abstractions;

namespace Modular.Interop.Tests;

/// <summary>
/// Stale route detection beside nats-server 2.9, in the same run and the same setup: a pair of
/// servers (processes, one route connection) through a proxy that turns into a black hole, with
/// ping_interval 1 s and ping_max 2. Five rounds each, interleaved; the figures (from the black
/// hole until the route is gone from each end's /routez) are written to the test output. modular
/// must stay within the bound, ping_interval × (ping_max + 1), plus one second for a loaded machine.
/// </summary>
public sealed class StaleRouteComparisonTests(ITestOutputHelper output)
{
    private const int Rounds = 5;

    private static readonly TimeSpan Limit = TimeSpan.FromSeconds(3) + TimeSpan.FromSeconds(1);

    [Fact]
    public async Task Blackhole_ModularAndNatsServer29_BothEndsDropTheRouteWithinTheBound()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(240));
        var ct = timeout.Token;
        var programs = new[] { NodeProgram.Modular, NodeProgram.NatsServer29 };
        var figures = programs.ToDictionary(p => p.Label, _ => (Dialer: new List<TimeSpan?>(), Acceptor: new List<TimeSpan?>()));
        var failures = new List<string>();
        for (var round = 0; round < Rounds; round++)
        {
            foreach (var program in programs)
            {
                await using var pair = await StaleRoutePair.StartAsync(
                    (name, route) => program.Flavor == NodeFlavor.Modular ? ModularConfig(name, route) : NatsServerConfig(name, route),
                    NodeBackend.Process,
                    program,
                    connections: 1,
                    ct);
                var (dialer, acceptor) = await pair.BlackholeAndMeasureAsync(Limit + TimeSpan.FromSeconds(4), ct);
                figures[program.Label].Dialer.Add(dialer);
                figures[program.Label].Acceptor.Add(acceptor);
                if (program.Flavor == NodeFlavor.Modular && !(dialer <= Limit && acceptor <= Limit))
                {
                    failures.Add($"round {round + 1}: dialer {Seconds(dialer)}, acceptor {Seconds(acceptor)}\n{pair.Describe()}");
                }
            }
        }

        foreach (var (label, (dialer, acceptor)) in figures)
        {
            output.WriteLine($"{label}: dialer {Summary(dialer)}; acceptor {Summary(acceptor)}");
        }

        Assert.True(failures.Count == 0, $"modular kept a stale route past {Limit.TotalSeconds:0.0} s:\n{string.Join("\n", failures)}");
    }

    /// <summary>min / median / max over the rounds, and every figure.</summary>
    private static string Summary(List<TimeSpan?> figures)
    {
        var known = figures.Where(f => f is not null).Select(f => f!.Value.TotalSeconds).Order().ToList();
        var all = string.Join(" ", figures.Select(Seconds));
        return known.Count == 0
            ? $"never ({all})"
            : $"min {known[0]:0.00} s, median {known[known.Count / 2]:0.00} s, max {known[^1]:0.00} s ({all})";
    }

    private static string Seconds(TimeSpan? elapsed) => elapsed is { } e ? $"{e.TotalSeconds:0.00}" : "never";

    private static string ModularConfig(string name, string? route) => $"""
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
        pool_size = -1
        routes = [{(route is null ? "" : $"\"{route}\"")}]
        """;

    private static string NatsServerConfig(string name, string? route) => $$"""
        server_name: {{name}}
        listen: "127.0.0.1:-1"
        http: "127.0.0.1:-1"
        ping_interval: "1s"
        ping_max: 2
        cluster {
          name: stale
          listen: "127.0.0.1:-1"
          routes: [{{(route is null ? "" : $"\"{route}\"")}}]
        }
        """;
}
