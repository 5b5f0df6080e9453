using System.Text.Json;
using Modular.Testing;

namespace Modular.Interop.Tests.Leafnodes;

/// <summary>/leafz and the /varz leaf figures have nats-server's shape, from both ends of a leaf connection.</summary>
public sealed class LeafzInteropTests
{
    [Fact]
    public async Task Leafz_ModularHubAndNatsServerLeaf_SameShapeEachSeesTheOther()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        var ct = timeout.Token;
        await using var pair = await LeafPair.StartAsync(NodeProgram.Modular, NodeProgram.NatsServer210, ct);
        await using var onHub = await pair.ConnectAsync(pair.Hub, "a", ct);
        await using var onLeaf = await pair.ConnectAsync(pair.Leaf, "a", ct);
        await using var sub = await onLeaf.SubscribeCoreAsync<int>("leafz.probe", cancellationToken: ct);
        await Propagation.AwaitInterestAsync(onHub, onLeaf, ct, TimeSpan.FromSeconds(30));

        using var ours = await MonitorEndpoints.GetJsonAsync(pair.Hub, "/leafz?subs=1", ct);
        using var theirs = await MonitorEndpoints.GetJsonAsync(pair.Leaf, "/leafz?subs=1", ct);
        Assert.Equal(Keys(theirs.RootElement), Keys(ours.RootElement));
        Assert.Equal(1, ours.RootElement.GetProperty("leafnodes").GetInt32());
        var hubSide = ours.RootElement.GetProperty("leafs")[0];
        var leafSide = theirs.RootElement.GetProperty("leafs")[0];

        // Every field we write is one nats-server writes (it adds compression, and omits nothing we have).
        Assert.Empty(Keys(hubSide).Except(Keys(leafSide).Append("rtt")));
        Assert.Equal("leaf", hubSide.GetProperty("name").GetString());
        Assert.False(hubSide.GetProperty("is_spoke").GetBoolean());
        Assert.True(leafSide.GetProperty("is_spoke").GetBoolean());
        Assert.Equal("A", hubSide.GetProperty("account").GetString());
        Assert.Equal("hub", leafSide.GetProperty("name").GetString());
        Assert.Contains("leafz.probe", hubSide.GetProperty("subscriptions_list").EnumerateArray().Select(e => e.GetString()));
        Assert.True(hubSide.GetProperty("out_msgs").GetInt64() > 0, "the probes went out on the leaf connection");

        using var varz = await MonitorEndpoints.GetJsonAsync(pair.Hub, "/varz", ct);
        Assert.Equal(1, varz.RootElement.GetProperty("leafnodes").GetInt32());
        Assert.Equal(pair.LeafPort, varz.RootElement.GetProperty("leaf").GetProperty("port").GetInt32());
    }

    [Fact]
    public async Task ClusterCheck_LeafRemoteNotConnected_ReportedConnectedOneListed()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        var ct = timeout.Token;
        await using var pair = await LeafPair.StartAsync(NodeProgram.Modular, NodeProgram.Modular, ct);
        await using (var onHub = await pair.ConnectAsync(pair.Hub, "a", ct))
        {
            await using var onLeaf = await pair.ConnectAsync(pair.Leaf, "a", ct);
            await Propagation.AwaitInterestAsync(onHub, onLeaf, ct, TimeSpan.FromSeconds(30));
        }

        // A second leaf whose hub is not there.
        await using var lonely = await Node.StartAsync(
            LeafPair.WithAccounts(new ConfigBuilder { Name = "lonely", ClusterName = null }).LeafRemote("A", ConfigBuilder.LeafUrl(FreePort.Next())), cancellationToken: ct);

        var connected = await ModularCli.RunAsync(TimeSpan.FromSeconds(30), "cluster", "check", "--monitor", pair.Hub.MonitorUrl);
        Assert.Contains("hub: hub of leaf node leaf (account A)", connected.StdOut + connected.StdErr, StringComparison.Ordinal);
        Assert.DoesNotContain("leaf remote(s) connected", connected.StdOut + connected.StdErr, StringComparison.Ordinal);

        var missing = await ModularCli.RunAsync(TimeSpan.FromSeconds(30), "cluster", "check", "--monitor", lonely.MonitorUrl);
        Assert.Contains("0 of its 1 leaf remote(s) connected", missing.StdOut + missing.StdErr, StringComparison.Ordinal);
        Assert.NotEqual(0, missing.ExitCode);
    }

    private static List<string> Keys(JsonElement element) => element.EnumerateObject().Select(p => p.Name).Order(StringComparer.Ordinal).ToList();
}
