using System.Text.Json;
using Modular.Monitoring;

namespace Modular.Monitoring.Tests;

public class AccountzBuilderTests
{
    private static readonly DateTime Now = FakeMonitoredServer.T0.AddMinutes(5);

    private static FakeMonitoredServer Server()
    {
        var server = new FakeMonitoredServer();
        server.Accounts.Clear();
        server.Accounts.Add(new MonitoredAccount("$G", 2, FakeMonitoredServer.Stats(3), FakeMonitoredServer.T0));
        server.Accounts.Add(new MonitoredAccount("ORDERS", 4, FakeMonitoredServer.Stats(7, cache: 2, inserts: 9, removes: 2, matches: 8, hits: 2, maxFanout: 3, avgFanout: 1.5), FakeMonitoredServer.T0));
        return server;
    }

    [Fact]
    public void Build_NoAccount_NamesList()
    {
        JsonElement json = JsonAssert.Serialize(AccountzBuilder.Build(Server(), "", Now));
        JsonAssert.HasExactly(json, "server_id", "now", "accounts");
        Assert.Equal(new[] { "$G", "ORDERS" }, json.GetProperty("accounts").EnumerateArray().Select(e => e.GetString()));
    }

    [Fact]
    public void Build_KnownAccount_Detail()
    {
        JsonElement json = JsonAssert.Serialize(AccountzBuilder.Build(Server(), "ORDERS", Now));
        JsonAssert.HasExactly(json, "server_id", "now", "account_detail");
        JsonElement d = json.GetProperty("account_detail");
        JsonAssert.HasExactly(d, "account_name", "update_time", "expired", "complete", "jetstream_enabled",
            "leafnode_connections", "client_connections", "subscriptions", "sublist_stats");
        Assert.Equal("ORDERS", d.GetProperty("account_name").GetString());
        Assert.Equal("2024-05-01T10:00:00Z", d.GetProperty("update_time").GetString());
        Assert.False(d.GetProperty("expired").GetBoolean());
        Assert.True(d.GetProperty("complete").GetBoolean());
        Assert.False(d.GetProperty("jetstream_enabled").GetBoolean());
        Assert.Equal(0, d.GetProperty("leafnode_connections").GetInt32());
        Assert.Equal(4, d.GetProperty("client_connections").GetInt32());
        Assert.Equal(7, d.GetProperty("subscriptions").GetInt64());

        JsonElement s = d.GetProperty("sublist_stats");
        JsonAssert.HasExactly(s, "num_subscriptions", "num_cache", "num_inserts", "num_removes", "num_matches",
            "cache_hit_rate", "max_fanout", "avg_fanout");
        Assert.Equal(7, s.GetProperty("num_subscriptions").GetInt64());
        Assert.Equal(0.25, s.GetProperty("cache_hit_rate").GetDouble());
        Assert.Equal(1.5, s.GetProperty("avg_fanout").GetDouble());
    }

    [Fact]
    public void Build_UnknownAccount_BadRequestAsNats() =>
        Assert.Equal("Account NOPE does not exist",
            Assert.Throws<MonitorBadRequestException>(() => AccountzBuilder.Build(Server(), "NOPE", Now)).Message);
}
