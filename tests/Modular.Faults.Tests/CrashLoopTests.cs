using System.Diagnostics;
using Modular.Faults.Tests.Support;
using Xunit.Abstractions;

namespace Modular.Faults.Tests;

/// <summary>
/// One node of three killed with SIGKILL and started again, eight times, while a steady stream flows
/// between the other two: the stream loses nothing, duplicates nothing and stays in order; after each
/// restart the node is in every peer's <c>/routez</c> (and they in its) and receives from both.
/// </summary>
public sealed class CrashLoopTests(ITestOutputHelper output)
{
    private const int Restarts = 8;
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(15);

    [Theory]
    [MemberData(nameof(Programs.ModularAndReference), MemberType = typeof(Programs))]
    public async Task OneNodeKilledEightTimes_StreamBetweenTheOthersIntact_NodeBackEverywhere(string programName)
    {
        var figures = new Figures(output);
        var program = Programs.Named(programName);
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(150));
        var ct = timeout.Token;
        await using var cluster = await TestCluster.StartFormedAsync(
            new ClusterSpec { Size = 3, NamePrefix = "crash", Backend = NodeBackend.Process, ProgramFor = _ => program },
            ct);
        var (n1, n2, n3) = (cluster[0], cluster[1], cluster[2]);
        await using var publisher = await Clients.ConnectAsync(n1, ct);
        await using var subscriber = await Clients.ConnectAsync(n2, ct);
        await using var stream = await NumberedStream.OpenAsync(publisher, subscriber, ct);
        stream.Start(TimeSpan.FromMilliseconds(2));

        var readyTimes = new List<double>();
        var routezTimes = new List<double>();
        var receiveTimes = new List<double>();
        for (var round = 1; round <= Restarts; round++)
        {
            var oldId = await MonitorEndpoints.ServerIdAsync(n3, ct);
            await n3.KillAsync();
            await Wait.Until(
                async () => !(await MonitorEndpoints.RoutezAsync(n1, cancellationToken: ct)).RemoteIds.Contains(oldId)
                    && !(await MonitorEndpoints.RoutezAsync(n2, cancellationToken: ct)).RemoteIds.Contains(oldId),
                Bound,
                $"round {round}: n1 and n2 to drop the killed {n3.Name}");

            var clock = Stopwatch.StartNew();
            await n3.RestartAsync(ct);
            var ready = clock.Elapsed;
            await cluster.WaitFormedAsync(timeout: Bound, cancellationToken: ct);
            var inRoutez = clock.Elapsed - ready;

            // Receives: a fresh subscriber on the restarted node gets a message from each peer.
            var subject = $"crash.back.{round}";
            await using var fresh = await Clients.ConnectAsync(n3, ct);
            await using var freshSub = await fresh.SubscribeCoreAsync<string>(subject, cancellationToken: ct);
            await using var fromN2 = await Clients.ConnectAsync(n2, ct);
            await Propagation.AwaitInterestAsync(publisher, fresh, ct, Bound);
            await Propagation.AwaitInterestAsync(fromN2, fresh, ct, Bound);
            var receives = clock.Elapsed - ready - inRoutez;
            await publisher.PublishAsync(subject, "n1", cancellationToken: ct);
            await fromN2.PublishAsync(subject, "n2", cancellationToken: ct);
            await Propagation.BarrierAsync(publisher, fresh, ct);
            await Propagation.BarrierAsync(fromN2, fresh, ct);
            Assert.Equal(["n1", "n2"], Clients.Drain(freshSub).Select(m => m.Data).Order(StringComparer.Ordinal));

            readyTimes.Add(ready.TotalSeconds);
            routezTimes.Add(inRoutez.TotalSeconds);
            receiveTimes.Add(receives.TotalSeconds);
            figures.Report("crash-loop", $"{program.Label}: restart {round}: ready {ready.TotalSeconds:0.000}s, back in every /routez +{inRoutez.TotalSeconds:0.000}s, receives from both peers +{receives.TotalSeconds:0.000}s (stream at {stream.Published})");
        }

        await stream.StopAsync(ct);
        var count = stream.Count();
        figures.Report("crash-loop", $"{program.Label}: {Restarts} restarts; ready {Range(readyTimes)}, back in /routez {Range(routezTimes)}, receives {Range(receiveTimes)}; stream n1->n2: {count}");
        Assert.True(count.Published > 100, count.ToString());
        Assert.True(count.Lost.Count == 0 && count.Duplicates == 0 && count.OutOfOrder == 0, count.ToString());
    }

    private static string Range(List<double> seconds) => $"{seconds.Min():0.000}-{seconds.Max():0.000}s (median {seconds.Order().ElementAt(seconds.Count / 2):0.000}s)";
}
