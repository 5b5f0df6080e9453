using System.Text.Json;
using NATS.Client.Core;
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
    public async Task Gatewayz_AccountsAndFilters_SameShapeAndCountsAsNatsServer()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(90));
        var ct = timeout.Token;
        await using var super = await SuperCluster.StartAsync([NodeProgram.Modular], [NodeProgram.NatsServer210], SuperCluster.GatewayDialing.Both, cancellationToken: ct);
        await super.WaitGatewaysAsync(ct);
        var (modular, nats) = (super.A[0], super.B[0]);

        // The same interest on each side: each server's outbound connection holds the other's.
        var subject = "acc." + Guid.NewGuid().ToString("N");
        await using var onA = await Clients.ConnectAsync(modular, ct);
        await using var onB = await Clients.ConnectAsync(nats, ct);
        await using var plainA = await onA.SubscribeCoreAsync<int>(subject, cancellationToken: ct);
        await using var queueA = await onA.SubscribeCoreAsync<int>(subject + ".q", queueGroup: "workers", cancellationToken: ct);
        await using var plainB = await onB.SubscribeCoreAsync<int>(subject, cancellationToken: ct);
        await using var queueB = await onB.SubscribeCoreAsync<int>(subject + ".q", queueGroup: "workers", cancellationToken: ct);
        await Propagation.AwaitInterestAsync(onA, onB, ct);
        await Propagation.AwaitInterestAsync(onB, onA, ct);

        JsonElement Account(JsonDocument gatewayz, string direction, string cluster)
        {
            var remote = gatewayz.RootElement.GetProperty(direction).GetProperty(cluster);
            remote = remote.ValueKind == JsonValueKind.Array ? remote[0] : remote;
            return remote.GetProperty("accounts").EnumerateArray().Single(a => a.GetProperty("name").GetString() == "$G");
        }

        const string query = "/gatewayz?acc_name=$G&subs=1";
        JsonDocument? ours = null;
        JsonDocument? theirs = null;
        try
        {
            await Wait.Until(
                async () =>
                {
                    ours?.Dispose();
                    theirs?.Dispose();
                    ours = await MonitorEndpoints.GetJsonAsync(modular, query, ct);
                    theirs = await MonitorEndpoints.GetJsonAsync(nats, query, ct);
                    return Account(ours, "outbound_gateways", "B").GetProperty("subscriptions_list").GetArrayLength() >= 2
                        && Account(theirs, "outbound_gateways", "A").GetProperty("subscriptions_list").GetArrayLength() >= 2;
                },
                TimeSpan.FromSeconds(20),
                "each side's /gatewayz to list the other's two subscriptions in $G");
            var ourOut = Account(ours!, "outbound_gateways", "B");
            var theirOut = Account(theirs!, "outbound_gateways", "A");
            Assert.Equal(Keys(theirOut), Keys(ourOut));
            Assert.Equal("Interest-Only", ourOut.GetProperty("interest_mode").GetString());
            Assert.Equal(theirOut.GetProperty("interest_only_threshold").GetInt32(), ourOut.GetProperty("interest_only_threshold").GetInt32());
            // The probes of the interest checks may linger a moment: only this test's subjects are compared.
            Assert.Equal(Subjects(ourOut).Count, ourOut.GetProperty("num_subs").GetInt32());
            Assert.Equal(1, ourOut.GetProperty("num_queue_subs").GetInt32());
            Assert.Equal([subject, subject + ".q"], Subjects(ourOut).Where(s => s.StartsWith(subject, StringComparison.Ordinal)));
            Assert.Equal(Subjects(theirOut).Where(s => s.StartsWith(subject, StringComparison.Ordinal)), Subjects(ourOut).Where(s => s.StartsWith(subject, StringComparison.Ordinal)));
            var ourIn = Account(ours!, "inbound_gateways", "B");
            var theirIn = Account(theirs!, "inbound_gateways", "A");
            Assert.Equal(Keys(theirIn), Keys(ourIn));

            // acc_name keeps one account, on every connection.
            var ourAccounts = ours!.RootElement.GetProperty("outbound_gateways").GetProperty("B").GetProperty("accounts");
            Assert.Equal(1, ourAccounts.GetArrayLength());
        }
        finally
        {
            ours?.Dispose();
            theirs?.Dispose();
        }

        // accs=1 lists the accounts without subscriptions.
        using (var all = await MonitorEndpoints.GetJsonAsync(modular, "/gatewayz?accs=1", ct))
        {
            var account = Account(all, "outbound_gateways", "B");
            Assert.False(account.TryGetProperty("subscriptions_list", out _));
            Assert.True(account.GetProperty("num_subs").GetInt32() >= 2);
        }

        // gw_name keeps one cluster; an unknown one gives a null outbound map and an empty inbound one.
        using (var unknownOurs = await MonitorEndpoints.GetJsonAsync(modular, "/gatewayz?gw_name=nope", ct))
        using (var unknownTheirs = await MonitorEndpoints.GetJsonAsync(nats, "/gatewayz?gw_name=nope", ct))
        {
            Assert.Equal(unknownTheirs.RootElement.GetProperty("outbound_gateways").ValueKind, unknownOurs.RootElement.GetProperty("outbound_gateways").ValueKind);
            Assert.Equal(JsonValueKind.Null, unknownOurs.RootElement.GetProperty("outbound_gateways").ValueKind);
            Assert.Empty(unknownOurs.RootElement.GetProperty("inbound_gateways").EnumerateObject());
        }

        using (var named = await MonitorEndpoints.GetJsonAsync(modular, "/gatewayz?gw_name=B", ct))
        {
            Assert.Equal(["B"], named.RootElement.GetProperty("outbound_gateways").EnumerateObject().Select(p => p.Name));
            Assert.False(named.RootElement.GetProperty("outbound_gateways").GetProperty("B").TryGetProperty("accounts", out _));
        }

        // /varz: the gateway block has nats-server's fields, the configured clusters with their URLs.
        using var ourVarz = await MonitorEndpoints.GetJsonAsync(modular, "/varz", ct);
        using var theirVarz = await MonitorEndpoints.GetJsonAsync(nats, "/varz", ct);
        var ourGateway = ourVarz.RootElement.GetProperty("gateway");
        var theirGateway = theirVarz.RootElement.GetProperty("gateway");
        Assert.Equal(Keys(theirGateway), Keys(ourGateway));
        Assert.Equal("A", ourGateway.GetProperty("name").GetString());
        Assert.Equal(theirGateway.GetProperty("auth_timeout").GetDouble(), ourGateway.GetProperty("auth_timeout").GetDouble());
        var ourRemote = Assert.Single(ourGateway.GetProperty("gateways").EnumerateArray());
        var theirRemote = Assert.Single(theirGateway.GetProperty("gateways").EnumerateArray());
        Assert.Equal(Keys(theirRemote), Keys(ourRemote));
        Assert.Equal("B", ourRemote.GetProperty("name").GetString());
        Assert.Equal($"127.0.0.1:{nats.Config.GatewayPort}", Assert.Single(ourRemote.GetProperty("urls").EnumerateArray()).GetString());
    }

    private static SortedSet<string> Subjects(JsonElement account) =>
        new(account.GetProperty("subscriptions_list").EnumerateArray().Select(s => s.GetString()!), StringComparer.Ordinal);

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
