using System.Diagnostics;
using Modular.Faults.Tests.Support;
using Xunit.Abstractions;

namespace Modular.Faults.Tests;

/// <summary>
/// A rolling restart of every node of a three-node cluster (modular, nats-server 2.10, modular; or three
/// nats-server 2.10 as the reference) while a publisher sends a numbered message every 2 ms. Before a
/// node goes, the clients on it move make before break (<see cref="MovingPublisher"/>,
/// <see cref="MovingSubscriber"/>); the node is then killed, started again on its ports, and the mesh
/// waited for. The subscriber must get every message.
/// </summary>
public sealed class RollingRestartTests(ITestOutputHelper output)
{
    public static TheoryData<string> Variants => new() { "mixed", "nats-server-2.10" };

    [Theory]
    [MemberData(nameof(Variants))]
    public async Task EveryNodeRestartedInTurn_MakeBeforeBreakClients_LoseNothing(string variant)
    {
        var figures = new Figures(output);
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(120));
        var ct = timeout.Token;
        await using var cluster = await TestCluster.StartFormedAsync(
            new ClusterSpec
            {
                Size = 3,
                NamePrefix = "roll",
                Backend = NodeBackend.Process,
                ProgramFor = i => variant == "mixed" && i != 1 ? NodeProgram.Modular : NodeProgram.NatsServer210,
            },
            ct);
        var nodes = cluster.Nodes;
        var subject = "roll." + Guid.NewGuid().ToString("N");
        await using var subscriber = await MovingSubscriber.ConnectAsync(subject, nodes[1], ct);
        await using var publisher = await MovingPublisher.ConnectAsync(subject, nodes[0], ct);
        await publisher.ProbeAsync(() => subscriber.Got(0), TimeSpan.FromSeconds(10), ct);
        publisher.Start(TimeSpan.FromMilliseconds(2));

        var clock = Stopwatch.StartNew();
        for (var i = 0; i < nodes.Count; i++)
        {
            var (leaving, next) = (nodes[i], nodes[(i + 1) % nodes.Count]);
            if (publisher.ServerName == leaving.Name)
            {
                // Everything published on the old server has been routed on before the server goes (and
                // before the first message on the next server, which could overtake it on another route).
                await publisher.MoveAsync(
                    next,
                    last => Wait.Until(() => subscriber.Got(last), TimeSpan.FromSeconds(10), $"the subscriber to get {last}, the last message published on {leaving.Name}"),
                    ct);
            }

            var note = subscriber.ServerName == leaving.Name ? await subscriber.MoveAsync(next, ct) : "subscriber not there";
            var restart = Stopwatch.StartNew();
            await leaving.RestartAsync(ct);
            await cluster.WaitFormedAsync(timeout: TimeSpan.FromSeconds(30), cancellationToken: ct);
            figures.Report("rolling-restart", $"{variant}: {leaving.Name} ({leaving.Program.Label}) restarted and meshed in {restart.Elapsed.TotalSeconds:0.00}s; publisher on {publisher.ServerName}, subscriber on {subscriber.ServerName}; {note}");
        }

        var lastPublished = publisher.Published;
        await Wait.Until(() => subscriber.Got(lastPublished), TimeSpan.FromSeconds(10), $"the subscriber to get {lastPublished}");
        await publisher.StopAsync(ct);
        await Wait.Until(() => subscriber.Got(publisher.Published), TimeSpan.FromSeconds(10), $"the subscriber to get {publisher.Published}");
        var (lost, duplicates) = subscriber.Count(publisher.Published);
        var summary = $"{variant}: rolling restart of 3 nodes in {clock.Elapsed.TotalSeconds:0.0}s: published {publisher.Published}, make-before-break subscriber lost {lost.Count}"
            + (lost.Count == 0 ? "" : $" ({string.Join(",", lost.Take(10))})") + $", overlap duplicates dropped {duplicates}, out of order {subscriber.OutOfOrder}";
        figures.Report("rolling-restart", summary);
        Assert.True(publisher.Published > 30, summary); // nats-server restarts 3 nodes in under a second
        Assert.True(lost.Count == 0 && subscriber.OutOfOrder == 0, summary);
    }
}
