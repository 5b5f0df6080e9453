using Modular.Testing;
using NATS.Client.Core;

namespace Modular.Interop.Tests.Leafnodes;

/// <summary>
/// A hub and a leaf node that dials it, each the program a test names. Accounts A and B with one
/// user each on both sides; the leaf's remote binds its account A to the hub login "leafA" (account
/// A there), so account B of either side sees nothing of the other.
/// </summary>
internal sealed class LeafPair : IAsyncDisposable
{
    public const string Password = "pw";

    private LeafPair(Node hub, Node leaf, int leafPort)
    {
        Hub = hub;
        Leaf = leaf;
        LeafPort = leafPort;
    }

    public Node Hub { get; }

    public Node Leaf { get; private set; }

    public int LeafPort { get; }

    public static ConfigBuilder WithAccounts(ConfigBuilder config) =>
        config.Account("A", ("a", Password)).Account("B", ("b", Password));

    public static ConfigBuilder HubConfig(int leafPort) =>
        WithAccounts(new ConfigBuilder { Name = "hub", ClusterName = null }).LeafListen(leafPort).LeafUser("leafA", Password, "A");

    public static ConfigBuilder LeafConfig(int leafPort) =>
        WithAccounts(new ConfigBuilder { Name = "leaf", ClusterName = null }).LeafRemote("A", ConfigBuilder.LeafUrl(leafPort, "leafA", Password));

    public static async Task<LeafPair> StartAsync(NodeProgram hub, NodeProgram leaf, CancellationToken ct)
    {
        var leafPort = FreePort.Next();
        var hubNode = await Node.StartAsync(HubConfig(leafPort), program: hub, cancellationToken: ct);
        try
        {
            var leafNode = await Node.StartAsync(LeafConfig(leafPort), program: leaf, cancellationToken: ct);
            return new LeafPair(hubNode, leafNode, leafPort);
        }
        catch
        {
            await hubNode.DisposeAsync();
            throw;
        }
    }

    public Task<NatsConnection> ConnectAsync(Node node, string user, CancellationToken ct) => Clients.ConnectAsync(node, ct, user, Password);

    public async Task RestartLeafAsync(CancellationToken ct) => await Leaf.RestartAsync(ct);

    public async ValueTask DisposeAsync()
    {
        await Leaf.DisposeAsync();
        await Hub.DisposeAsync();
    }

    /// <summary>
    /// A message published on the hub reaches a subscriber on the leaf, and one published on the leaf
    /// reaches a subscriber on the hub (fresh subjects under <paramref name="prefix"/>).
    /// </summary>
    public static async Task AssertCrossesBothWaysAsync(NatsConnection onHub, NatsConnection onLeaf, string prefix, CancellationToken ct)
    {
        var down = $"{prefix}.down.{Guid.NewGuid():N}";
        var up = $"{prefix}.up.{Guid.NewGuid():N}";
        await using var subOnLeaf = await onLeaf.SubscribeCoreAsync<int>(down, cancellationToken: ct);
        await using var subOnHub = await onHub.SubscribeCoreAsync<int>(up, cancellationToken: ct);
        await Propagation.AwaitInterestAsync(onHub, onLeaf, ct, TimeSpan.FromSeconds(40));
        await Propagation.AwaitInterestAsync(onLeaf, onHub, ct, TimeSpan.FromSeconds(40));
        await onHub.PublishAsync(down, 1, cancellationToken: ct);
        await onLeaf.PublishAsync(up, 2, cancellationToken: ct);
        await Propagation.BarrierAsync(onHub, onLeaf, ct);
        await Propagation.BarrierAsync(onLeaf, onHub, ct);
        Assert.Equal([1], Clients.Drain(subOnLeaf).Select(m => m.Data));
        Assert.Equal([2], Clients.Drain(subOnHub).Select(m => m.Data));
    }
}
