using Modular.Testing;

namespace Modular.Interop.Tests.Gateways;

/// <summary>
/// Modular in super-clusters with nats-server 2.10 (gateway.go): Modular dialing nats-server,
/// nats-server dialing Modular, and mixed clusters (a Modular node and a nats-server node in each)
/// with every server dialing or only one cluster dialing and the other dialing back implicitly.
/// </summary>
public sealed class GatewayInteropTests
{
    private static NodeProgram Modular => NodeProgram.Modular;

    private static NodeProgram Nats => NodeProgram.NatsServer210;

    public static TheoryData<string, SuperCluster.GatewayDialing> Layouts() => new()
    {
        { "modular|nats", SuperCluster.GatewayDialing.AOnly },
        { "modular|nats", SuperCluster.GatewayDialing.BOnly },
        { "modular,nats|nats,modular", SuperCluster.GatewayDialing.Both },
        { "modular,nats|nats,modular", SuperCluster.GatewayDialing.AOnly },
        { "nats,modular|modular,nats", SuperCluster.GatewayDialing.AOnly },
    };

    [Theory]
    [MemberData(nameof(Layouts))]
    public async Task SuperCluster_PublishOnEveryNode_EverySubscriberGetsEveryMessageOnce(string layout, SuperCluster.GatewayDialing dialing)
    {
        await WithSuperClusterAsync(layout, dialing, (super, ct) => super.AssertEveryMessageReachesEverySubscriberOnceAsync(ct));
    }

    [Theory]
    [MemberData(nameof(Layouts))]
    public async Task SuperCluster_RequestAcrossEveryPair_Answered(string layout, SuperCluster.GatewayDialing dialing)
    {
        await WithSuperClusterAsync(layout, dialing, (super, ct) => super.AssertRequestsAnsweredAcrossAsync(ct));
    }

    [Theory]
    [MemberData(nameof(Layouts))]
    public async Task SuperCluster_QueueGroupInBothClusters_LocalWinsThenFailsOver(string layout, SuperCluster.GatewayDialing dialing)
    {
        await WithSuperClusterAsync(layout, dialing, (super, ct) => super.AssertQueueGroupPrefersLocalThenFailsOverAsync(ct));
    }

    /// <summary>Starts the layout, waits for its gateways, and runs <paramref name="check"/> on it.</summary>
    private static async Task WithSuperClusterAsync(string layout, SuperCluster.GatewayDialing dialing, Func<SuperCluster, CancellationToken, Task> check)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(120));
        var ct = timeout.Token;
        var (a, b) = Parse(layout);
        await using var super = await SuperCluster.StartAsync(a, b, dialing, cancellationToken: ct);
        await super.WaitGatewaysAsync(ct);
        await check(super, ct);
    }

    /// <summary>"modular,nats|nats" → the programs of cluster A and cluster B.</summary>
    internal static (NodeProgram[] A, NodeProgram[] B) Parse(string layout)
    {
        var clusters = layout.Split('|');
        NodeProgram[] Programs(string list) => list.Split(',').Select(p => p == "nats" ? Nats : Modular).ToArray();
        return (Programs(clusters[0]), Programs(clusters[1]));
    }
}
