using System.Diagnostics;
using Modular.Faults.Tests.Support;
using Xunit.Abstractions;

namespace Modular.Faults.Tests;

/// <summary>
/// The route between two servers runs through a <see cref="FaultProxy"/> that resets it every
/// 300 ms while 100,000 numbered messages flow (50,000 each way, one publisher per direction): what
/// is published while the route is down is lost (counted and reported), but nothing arrives twice,
/// each publisher's order holds, and afterwards the old subscriptions and new ones on each side receive.
/// </summary>
public sealed class RouteFlapTests(ITestOutputHelper output)
{
    private const int PerDirection = 50_000;
    private static readonly TimeSpan FlapEvery = TimeSpan.FromMilliseconds(300);

    [Theory]
    [MemberData(nameof(Programs.ModularAndReference), MemberType = typeof(Programs))]
    public async Task RouteResetEvery300ms_Under100kMessages_NoDuplicatesOrderKeptInterestIntact(string programName)
    {
        var figures = new Figures(output);
        var program = Programs.Named(programName);
        var backend = Programs.BackendFor(program, NodeBackend.InProcess);
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(90));
        var ct = timeout.Token;
        await using var acceptor = await Node.StartAsync(new ConfigBuilder { Name = "flap-a" }, backend, program, cancellationToken: ct);
        await using var proxy = new FaultProxy(acceptor.ClusterPort!.Value);
        await using var dialer = await Node.StartAsync(new ConfigBuilder { Name = "flap-d" }.Route(proxy.Port), backend, program, cancellationToken: ct);
        await TestCluster.WaitMeshAsync([acceptor, dialer], TimeSpan.FromSeconds(20), ct);

        await using var onDialer = await Clients.ConnectAsync(dialer, ct);
        await using var onAcceptor = await Clients.ConnectAsync(acceptor, ct);
        await using var forward = await NumberedStream.OpenAsync(onDialer, onAcceptor, ct);
        await using var backward = await NumberedStream.OpenAsync(onAcceptor, onDialer, ct);

        using var stopFlapping = new CancellationTokenSource();
        var flaps = 0;
        var flapping = Task.Run(async () =>
        {
            while (!stopFlapping.IsCancellationRequested)
            {
                try
                {
                    await Task.Delay(FlapEvery, stopFlapping.Token);
                }
                catch (OperationCanceledException)
                {
                    return;
                }

                if (proxy.ResetAll() > 0)
                {
                    flaps++;
                }
            }
        });

        var clock = Stopwatch.StartNew();
        await Task.WhenAll(
            forward.PublishAsync(PerDirection, burst: 250, TimeSpan.FromMilliseconds(20), ct),
            backward.PublishAsync(PerDirection, burst: 250, TimeSpan.FromMilliseconds(20), ct));
        var publishing = clock.Elapsed;
        await stopFlapping.CancelAsync();
        await flapping;

        // The route comes back and the subscriptions made before the flaps are known again on both sides.
        await TestCluster.WaitMeshAsync([acceptor, dialer], TimeSpan.FromSeconds(20), ct);
        await forward.StopAsync(ct);
        await backward.StopAsync(ct);
        var (there, back) = (forward.Count(), backward.Count());
        figures.Report("route-flap", $"{program.Label}: {flaps} resets in {publishing.TotalSeconds:0.0}s of publishing ({proxy.Connections} route connections made); dialer->acceptor: {there}; acceptor->dialer: {back}");

        Assert.True(flaps >= 3, $"only {flaps} flaps happened while publishing");
        foreach (var count in new[] { there, back })
        {
            Assert.True(count.Duplicates == 0 && count.OutOfOrder == 0, count.ToString());
            Assert.True(count.Delivered > 0, count.ToString());
        }

        // Interest intact afterwards: a new subscription on each side receives from the other.
        var subject = "flap.after." + Guid.NewGuid().ToString("N");
        await using var newOnAcceptor = await onAcceptor.SubscribeCoreAsync<string>(subject, cancellationToken: ct);
        await using var newOnDialer = await onDialer.SubscribeCoreAsync<string>(subject, cancellationToken: ct);
        await Propagation.AwaitInterestAsync(onDialer, onAcceptor, ct);
        await Propagation.AwaitInterestAsync(onAcceptor, onDialer, ct);
        await onDialer.PublishAsync(subject, "from-dialer", cancellationToken: ct);
        await onAcceptor.PublishAsync(subject, "from-acceptor", cancellationToken: ct);
        await Propagation.BarrierAsync(onDialer, onAcceptor, ct);
        await Propagation.BarrierAsync(onAcceptor, onDialer, ct);
        Assert.Equal(["from-acceptor", "from-dialer"], Clients.Drain(newOnAcceptor).Select(m => m.Data).Order(StringComparer.Ordinal));
        Assert.Equal(["from-acceptor", "from-dialer"], Clients.Drain(newOnDialer).Select(m => m.Data).Order(StringComparer.Ordinal));
    }
}
