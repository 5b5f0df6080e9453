using System.Text.Json;
using Modular.Testing;

namespace Modular.Interop.Tests.Gateways;

/// <summary>/gatewayz has nats-server's shape: the same fields, the same maps keyed by cluster name.</summary>
public sealed class GatewayzInteropTests
{
    [Fact]
    public async Task Gatewayz_ModularBesideNatsServer_SameShapeAndBothSeeEachOther()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(90));
        var ct = timeout.Token;
        await using var super = await SuperCluster.StartAsync([NodeProgram.Modular], [NodeProgram.NatsServer210], SuperCluster.GatewayDialing.AOnly, cancellationToken: ct);
        await super.WaitGatewaysAsync(ct);
        var (modular, nats) = (super.A[0], super.B[0]);

        using var ours = await MonitorEndpoints.GetJsonAsync(modular, "/gatewayz", ct);
        using var theirs = await MonitorEndpoints.GetJsonAsync(nats, "/gatewayz", ct);
        Assert.Equal(Keys(theirs.RootElement), Keys(ours.RootElement));
        Assert.Equal("A", ours.RootElement.GetProperty("name").GetString());

        // A dialed B (configured); B dialed back implicitly: one outbound and one inbound each way.
        var outbound = ours.RootElement.GetProperty("outbound_gateways").GetProperty("B");
        Assert.True(outbound.GetProperty("configured").GetBoolean());
        var inbound = Assert.Single(ours.RootElement.GetProperty("inbound_gateways").GetProperty("B").EnumerateArray());
        Assert.False(inbound.GetProperty("configured").GetBoolean());
        var theirOutbound = theirs.RootElement.GetProperty("outbound_gateways").GetProperty("A");
        Assert.False(theirOutbound.GetProperty("configured").GetBoolean());

        // Every field of nats-server's connection block that Modular models is there.
        var theirConnection = Keys(theirOutbound.GetProperty("connection"));
        var ourConnection = Keys(outbound.GetProperty("connection"));
        var missing = new[] { "cid", "ip", "port", "start", "last_activity", "uptime", "idle", "pending_bytes", "in_msgs", "out_msgs", "in_bytes", "out_bytes", "subscriptions", "name" }
            .Where(key => theirConnection.Contains(key) && !ourConnection.Contains(key))
            .ToList();
        Assert.True(missing.Count == 0, $"missing in Modular's connection block: {string.Join(", ", missing)}");
        Assert.Equal(await MonitorEndpoints.ServerIdAsync(nats, ct), outbound.GetProperty("connection").GetProperty("name").GetString());
    }

    [Fact]
    public async Task Gatewayz_NoGatewayConfigured_EmptyMapsAsNatsServer()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        await using var node = await Node.StartAsync(new ConfigBuilder().Standalone() with { Monitor = true }, cancellationToken: timeout.Token);

        using var gatewayz = await MonitorEndpoints.GetJsonAsync(node, "/gatewayz", timeout.Token);

        Assert.Equal(["inbound_gateways", "now", "outbound_gateways", "server_id"], Keys(gatewayz.RootElement));
        Assert.Empty(gatewayz.RootElement.GetProperty("outbound_gateways").EnumerateObject());
    }

    private static SortedSet<string> Keys(JsonElement element) => new(element.EnumerateObject().Select(p => p.Name), StringComparer.Ordinal);
}
