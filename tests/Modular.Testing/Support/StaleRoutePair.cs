using System.Diagnostics;

namespace Modular.Testing;

/// <summary>
/// Two servers routed through a <see cref="FaultProxy"/> (the dialer's only route names the
/// proxy, which forwards to the acceptor), for measuring stale detection as a partition shows it:
/// once the proxy black-holes, how long each end keeps its route connections in <c>/routez</c>.
/// </summary>
public sealed class StaleRoutePair : IAsyncDisposable
{
    private static readonly TimeSpan PollEvery = TimeSpan.FromMilliseconds(20);

    private StaleRoutePair(Node acceptor, FaultProxy proxy, Node dialer)
    {
        Acceptor = acceptor;
        Proxy = proxy;
        Dialer = dialer;
    }

    public Node Acceptor { get; }

    public FaultProxy Proxy { get; }

    public Node Dialer { get; }

    /// <summary>
    /// Starts the acceptor, the proxy in front of its cluster port, then the dialer, and waits until
    /// each end lists <paramref name="connections"/> route connections.
    /// </summary>
    /// <param name="config">The config of a node: its name and the route URL it dials (null for the acceptor).</param>
    public static async Task<StaleRoutePair> StartAsync(Func<string, string?, string> config, NodeBackend backend, NodeProgram program, int connections, CancellationToken cancellationToken)
    {
        var acceptor = await Node.StartAsync("acceptor", config("acceptor", null), backend, program, cancellationToken: cancellationToken).ConfigureAwait(false);
        FaultProxy? proxy = null;
        try
        {
            proxy = new FaultProxy(acceptor.ClusterPort ?? throw new InvalidOperationException("the acceptor has no cluster listener"));
            var dialer = await Node.StartAsync("dialer", config("dialer", $"nats-route://127.0.0.1:{proxy.Port}"), backend, program, cancellationToken: cancellationToken).ConfigureAwait(false);
            var pair = new StaleRoutePair(acceptor, proxy, dialer);
            try
            {
                await Wait.Until(
                    async () => (await MonitorEndpoints.RoutezAsync(dialer, cancellationToken: cancellationToken).ConfigureAwait(false)).Routes.Count == connections
                        && (await MonitorEndpoints.RoutezAsync(acceptor, cancellationToken: cancellationToken).ConfigureAwait(false)).Routes.Count == connections,
                    TimeSpan.FromSeconds(20),
                    $"{connections} route connection(s) on each end through the proxy\n{pair.Describe()}").ConfigureAwait(false);
                return pair;
            }
            catch
            {
                await pair.DisposeAsync().ConfigureAwait(false);
                throw;
            }
        }
        catch
        {
            if (proxy is not null)
            {
                await proxy.DisposeAsync().ConfigureAwait(false);
            }

            await acceptor.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    /// <summary>
    /// Black-holes the proxy and measures, from that moment, until no route connection listed before
    /// it is in each end's <c>/routez</c> (a reconnect through the black hole never registers).
    /// Null for an end that still listed one after <paramref name="giveUpAfter"/>.
    /// </summary>
    public async Task<(TimeSpan? Dialer, TimeSpan? Acceptor)> BlackholeAndMeasureAsync(TimeSpan giveUpAfter, CancellationToken cancellationToken)
    {
        var dialerRids = await RidsAsync(Dialer, cancellationToken).ConfigureAwait(false);
        var acceptorRids = await RidsAsync(Acceptor, cancellationToken).ConfigureAwait(false);
        var clock = Stopwatch.StartNew();
        Proxy.Blackhole();
        var dialer = MeasureGoneAsync(Dialer, dialerRids, clock, giveUpAfter, cancellationToken);
        var acceptor = MeasureGoneAsync(Acceptor, acceptorRids, clock, giveUpAfter, cancellationToken);
        return (await dialer.ConfigureAwait(false), await acceptor.ConfigureAwait(false));
    }

    public string Describe() => Acceptor.Describe(30) + "\n" + Dialer.Describe(30);

    private static async Task<HashSet<long>> RidsAsync(Node node, CancellationToken cancellationToken) =>
        (await MonitorEndpoints.RoutezAsync(node, cancellationToken: cancellationToken).ConfigureAwait(false)).Routes.Select(r => r.Rid).ToHashSet();

    private static async Task<TimeSpan?> MeasureGoneAsync(Node node, HashSet<long> rids, Stopwatch clock, TimeSpan giveUpAfter, CancellationToken cancellationToken)
    {
        while (clock.Elapsed < giveUpAfter)
        {
            var routez = await MonitorEndpoints.RoutezAsync(node, cancellationToken: cancellationToken).ConfigureAwait(false);
            var seen = clock.Elapsed;
            if (!routez.Routes.Any(r => rids.Contains(r.Rid)))
            {
                return seen;
            }

            await Task.Delay(PollEvery, cancellationToken).ConfigureAwait(false);
        }

        return null;
    }

    public async ValueTask DisposeAsync()
    {
        await Dialer.DisposeAsync().ConfigureAwait(false);
        await Proxy.DisposeAsync().ConfigureAwait(false);
        await Acceptor.DisposeAsync().ConfigureAwait(false);
    }
}
