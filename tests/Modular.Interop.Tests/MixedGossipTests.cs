using System.Diagnostics;
using Modular.Testing;
using NATS.Client.Core;
using Xunit.Abstractions;

namespace Modular.Interop.Tests;

/// <summary>
/// Gossip across implementations (issue 6): a nats-server seeded with one modular server is brought
/// into the modular mesh, and a modular server (gossip plugin) seeded with one nats-server joins a
/// nats-server mesh; for nats-server 2.9.10 and 2.10. A message then crosses a learned route.
/// </summary>
public sealed class MixedGossipTests(ITestOutputHelper output)
{
    private static readonly TimeSpan MeshTimeout = TimeSpan.FromSeconds(30);

    [Theory]
    [InlineData("2.9")]
    [InlineData("2.10")]
    public async Task Gossip_NatsServerSeededWithOneModular_JoinsTheModularMesh(string version)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(120));
        var ct = timeout.Token;
        var peer = Peer(version);
        var prefix = "mgm" + version.Replace(".", "", StringComparison.Ordinal) + "-";

        // m1..m3: modular with gossip, a star on m1 (started first, on port 0). The nats-server lists only m2.
        await using var group = new TestCluster();
        var m1 = await group.AddAsync(NodeProgram.Modular, new ConfigBuilder { Name = $"{prefix}m1" }.WithGossip(), NodeBackend.Process, ct);
        await group.AddAsync(Enumerable.Range(2, 2).Select(i => (NodeProgram.Modular, new ConfigBuilder { Name = $"{prefix}m{i}" }.Route(m1.RouteUrl).WithGossip())), NodeBackend.Process, ct);
        await group.WaitFormedAsync(timeout: MeshTimeout, cancellationToken: ct);
        var nats = new ConfigBuilder { Name = $"{prefix}nats" }.Route(group[1].RouteUrl);
        var clock = Stopwatch.StartNew();
        var natsNode = await group.AddAsync(peer, nats, NodeBackend.Process, ct);
        await group.WaitFormedAsync(timeout: MeshTimeout, cancellationToken: ct);
        output.WriteLine($"{peer.Label} seeded with m2 joined the 3 modular servers after {clock.Elapsed.TotalMilliseconds:0} ms");

        // m3 <-> nats-server was learned on both sides: a message crosses it.
        await AssertMessageCrossesAsync(natsNode, group[2], ct);
        await AssertMessageCrossesAsync(group[2], natsNode, ct);
        await AssertSteadyAsync(group, ct);
    }

    [Theory]
    [InlineData("2.9")]
    [InlineData("2.10")]
    public async Task Gossip_ModularSeededWithOneNatsServer_JoinsTheNatsServerMesh(string version)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(120));
        var ct = timeout.Token;
        var peer = Peer(version);
        var prefix = "mgn" + version.Replace(".", "", StringComparison.Ordinal) + "-";

        // n1..n3: nats-server, a star on n1 (started first, on port 0; nats-server gossips on its own). modular lists only n2.
        await using var group = new TestCluster();
        var n1 = await group.AddAsync(peer, new ConfigBuilder { Name = $"{prefix}n1" }, NodeBackend.Process, ct);
        await group.AddAsync(Enumerable.Range(2, 2).Select(i => (peer, new ConfigBuilder { Name = $"{prefix}n{i}" }.Route(n1.RouteUrl))), NodeBackend.Process, ct);
        await group.WaitFormedAsync(timeout: MeshTimeout, cancellationToken: ct);
        var modular = new ConfigBuilder { Name = $"{prefix}modular" }.Route(group[1].RouteUrl).WithGossip();
        var clock = Stopwatch.StartNew();
        var modularNode = await group.AddAsync(NodeProgram.Modular, modular, NodeBackend.Process, ct);
        await group.WaitFormedAsync(timeout: MeshTimeout, cancellationToken: ct);
        output.WriteLine($"modular seeded with {peer.Label} n2 joined the 3 nats-servers after {clock.Elapsed.TotalMilliseconds:0} ms");

        await AssertMessageCrossesAsync(modularNode, group[2], ct);
        await AssertMessageCrossesAsync(group[2], modularNode, ct);
        await AssertSteadyAsync(group, ct);
    }

    private static NodeProgram Peer(string version) => version == "2.9" ? NodeProgram.NatsServer29 : NodeProgram.NatsServer210;

    private static async Task AssertMessageCrossesAsync(Node from, Node to, CancellationToken ct)
    {
        var subject = "mixgossip." + Guid.NewGuid().ToString("N");
        await using var subscriber = await Clients.ConnectAsync(to, ct);
        await using var publisher = await Clients.ConnectAsync(from, ct);
        await using var sub = await subscriber.SubscribeCoreAsync<string>(subject, cancellationToken: ct);
        await Propagation.AwaitInterestAsync(publisher, subscriber, ct);
        await publisher.PublishAsync(subject, "over a learned route", cancellationToken: ct);
        using var wait = CancellationTokenSource.CreateLinkedTokenSource(ct);
        wait.CancelAfter(TimeSpan.FromSeconds(10));
        var message = await sub.Msgs.ReadAsync(wait.Token);
        Assert.Equal("over a learned route", message.Data);
    }

    /// <summary>
    /// Once formed, the mesh keeps the same connections across a round trip with every node (no
    /// redial or duplicate loop between the implementations).
    /// </summary>
    private static async Task AssertSteadyAsync(TestCluster group, CancellationToken ct)
    {
        var churn = await group.RouteChurnAsync(ct);
        Assert.True(churn is null, "route connections changed after the mesh formed: " + churn);
    }
}
