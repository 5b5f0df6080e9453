using System.Text.Json;
using Modular.Monitoring;
using Modular.Monitoring.Models;

namespace Modular.Monitoring.Tests;

public class ConnzBuilderTests
{
    private static readonly DateTime Now = FakeMonitoredServer.T0.AddHours(2);

    private static Connz Build(FakeMonitoredServer server, string query) =>
        ConnzBuilder.Build(server, ConnzOptions.Parse(QueryString.Parse(query)), Now);

    [Fact]
    public void Build_OneClient_NatsFieldNamesAndValues()
    {
        var server = new FakeMonitoredServer();
        server.Clients.Add(FakeMonitoredServer.Client(
            3, inMsgs: 10, outMsgs: 20, inBytes: 100, outBytes: 200, pending: 7, rtt: TimeSpan.FromTicks(12_340),
            start: Now.AddSeconds(-3723), last: Now.AddSeconds(-45), subs: [("foo", null), ("bar.*", "q")]));

        JsonElement json = JsonAssert.Serialize(Build(server, ""));

        JsonAssert.HasExactly(json, "server_id", "now", "num_connections", "total", "offset", "limit", "connections");
        Assert.Equal("NFAKESERVERID", json.GetProperty("server_id").GetString());
        Assert.Equal("2024-05-01T12:00:00Z", json.GetProperty("now").GetString());
        Assert.Equal(1, json.GetProperty("num_connections").GetInt32());
        Assert.Equal(1, json.GetProperty("total").GetInt32());
        Assert.Equal(0, json.GetProperty("offset").GetInt32());
        Assert.Equal(1024, json.GetProperty("limit").GetInt32());

        JsonElement c = json.GetProperty("connections")[0];
        JsonAssert.HasExactly(c, "cid", "kind", "type", "ip", "port", "start", "last_activity", "rtt", "uptime", "idle",
            "pending_bytes", "in_msgs", "out_msgs", "in_bytes", "out_bytes", "subscriptions", "name", "lang", "version");
        Assert.Equal(3UL, c.GetProperty("cid").GetUInt64());
        Assert.Equal("Client", c.GetProperty("kind").GetString());
        Assert.Equal("nats", c.GetProperty("type").GetString());
        Assert.Equal("10.0.0.3", c.GetProperty("ip").GetString());
        Assert.Equal(50003, c.GetProperty("port").GetInt32());
        Assert.Equal("2024-05-01T10:57:57Z", c.GetProperty("start").GetString());
        Assert.Equal("2024-05-01T11:59:15Z", c.GetProperty("last_activity").GetString());
        Assert.Equal("1.234ms", c.GetProperty("rtt").GetString());
        Assert.Equal("1h2m3s", c.GetProperty("uptime").GetString());
        Assert.Equal("45s", c.GetProperty("idle").GetString());
        Assert.Equal(7, c.GetProperty("pending_bytes").GetInt64());
        Assert.Equal(10, c.GetProperty("in_msgs").GetInt64());
        Assert.Equal(20, c.GetProperty("out_msgs").GetInt64());
        Assert.Equal(100, c.GetProperty("in_bytes").GetInt64());
        Assert.Equal(200, c.GetProperty("out_bytes").GetInt64());
        Assert.Equal(2, c.GetProperty("subscriptions").GetInt32());
        Assert.Equal("client-3", c.GetProperty("name").GetString());
        Assert.Equal("go", c.GetProperty("lang").GetString());
        Assert.Equal("1.30.0", c.GetProperty("version").GetString());
    }

    [Fact]
    public void Build_NoClients_EmptyArray()
    {
        JsonElement json = JsonAssert.Serialize(Build(new FakeMonitoredServer(), ""));
        Assert.Equal(JsonValueKind.Array, json.GetProperty("connections").ValueKind);
        Assert.Equal(0, json.GetProperty("connections").GetArrayLength());
    }

    [Fact]
    public void Build_UnmeasuredRtt_ZeroSeconds()
    {
        var server = new FakeMonitoredServer();
        server.Clients.Add(FakeMonitoredServer.Client(1));
        Assert.Equal("0s", Build(server, "").Connections[0].Rtt);
    }

    [Fact]
    public void Build_SubMillisecondRtt_TruncatedToMicroseconds()
    {
        var server = new FakeMonitoredServer();
        server.Clients.Add(FakeMonitoredServer.Client(1, rtt: TimeSpan.FromTicks(1_234)));
        Assert.Equal("123µs", Build(server, "").Connections[0].Rtt);
    }

    [Fact]
    public void Build_SubsTrue_SubjectList()
    {
        var server = new FakeMonitoredServer();
        server.Clients.Add(FakeMonitoredServer.Client(1, subs: [("foo", null), ("bar", "q")]));
        JsonElement c = JsonAssert.Serialize(Build(server, "subs=1")).GetProperty("connections")[0];
        Assert.Equal(new[] { "foo", "bar" }, c.GetProperty("subscriptions_list").EnumerateArray().Select(e => e.GetString()));
        JsonAssert.Lacks(c, "subscriptions_list_detail");
    }

    [Fact]
    public void Build_SubsDetail_DetailObjects()
    {
        var server = new FakeMonitoredServer();
        server.Clients.Add(FakeMonitoredServer.Client(4, subs: [("foo", null), ("bar", "q")]));
        JsonElement c = JsonAssert.Serialize(Build(server, "subs=detail")).GetProperty("connections")[0];
        JsonAssert.Lacks(c, "subscriptions_list");
        JsonElement plain = c.GetProperty("subscriptions_list_detail")[0];
        JsonAssert.HasExactly(plain, "account", "subject", "sid", "msgs", "cid");
        Assert.Equal("$G", plain.GetProperty("account").GetString());
        Assert.Equal("foo", plain.GetProperty("subject").GetString());
        Assert.Equal("1", plain.GetProperty("sid").GetString());
        Assert.Equal(4UL, plain.GetProperty("cid").GetUInt64());
        Assert.Equal("q", c.GetProperty("subscriptions_list_detail")[1].GetProperty("qgroup").GetString());
    }

    [Fact]
    public void Build_NoSubscriptions_ListOmittedEvenWhenAsked()
    {
        var server = new FakeMonitoredServer();
        server.Clients.Add(FakeMonitoredServer.Client(1));
        JsonAssert.Lacks(JsonAssert.Serialize(Build(server, "subs=1")).GetProperty("connections")[0], "subscriptions_list");
    }

    [Fact]
    public void Build_Auth_UserAndNonGlobalAccount()
    {
        var server = new FakeMonitoredServer();
        server.Accounts.Add(new MonitoredAccount("ORDERS", 1, default, FakeMonitoredServer.T0));
        server.Clients.Add(FakeMonitoredServer.Client(1, account: "ORDERS", user: "alice"));
        server.Clients.Add(FakeMonitoredServer.Client(2, user: "bob"));

        JsonElement conns = JsonAssert.Serialize(Build(server, "auth=true")).GetProperty("connections");
        Assert.Equal("alice", conns[0].GetProperty("authorized_user").GetString());
        Assert.Equal("ORDERS", conns[0].GetProperty("account").GetString());
        Assert.Equal("bob", conns[1].GetProperty("authorized_user").GetString());
        JsonAssert.Lacks(conns[1], "account");

        JsonAssert.Lacks(JsonAssert.Serialize(Build(server, "")).GetProperty("connections")[0], "authorized_user", "account");
    }

    [Fact]
    public void Build_Paging_OffsetAndLimit()
    {
        var server = new FakeMonitoredServer();
        for (ulong i = 1; i <= 5; i++)
        {
            server.Clients.Add(FakeMonitoredServer.Client(i));
        }

        Connz page = Build(server, "offset=1&limit=2");
        Assert.Equal(new ulong[] { 2, 3 }, page.Connections.Select(c => c.Cid));
        Assert.Equal(2, page.NumConnections);
        Assert.Equal(5, page.Total);
        Assert.Equal(1, page.Offset);
        Assert.Equal(2, page.Limit);

        Connz beyond = Build(server, "offset=10");
        Assert.Empty(beyond.Connections);
        Assert.Equal(5, beyond.Total);
    }

    [Fact]
    public void Build_DefaultSort_AscendingCid()
    {
        var server = new FakeMonitoredServer();
        server.Clients.Add(FakeMonitoredServer.Client(3));
        server.Clients.Add(FakeMonitoredServer.Client(1));
        server.Clients.Add(FakeMonitoredServer.Client(2));
        Assert.Equal(new ulong[] { 1, 2, 3 }, Build(server, "").Connections.Select(c => c.Cid));
    }

    [Theory]
    [InlineData("msgs_to", new ulong[] { 2, 3, 1 })]
    [InlineData("msgs_from", new ulong[] { 1, 3, 2 })]
    [InlineData("bytes_to", new ulong[] { 3, 1, 2 })]
    [InlineData("subs", new ulong[] { 2, 1, 3 })]
    [InlineData("pending", new ulong[] { 3, 2, 1 })]
    public void Build_SortByCounter_Descending(string sort, ulong[] expected)
    {
        var server = new FakeMonitoredServer();
        server.Clients.Add(FakeMonitoredServer.Client(1, inMsgs: 30, outMsgs: 1, outBytes: 50, pending: 1, subs: [("a", null)]));
        server.Clients.Add(FakeMonitoredServer.Client(2, inMsgs: 10, outMsgs: 9, outBytes: 10, pending: 2, subs: [("a", null), ("b", null)]));
        server.Clients.Add(FakeMonitoredServer.Client(3, inMsgs: 20, outMsgs: 5, outBytes: 90, pending: 3));
        Assert.Equal(expected, Build(server, "sort=" + sort).Connections.Select(c => c.Cid));
    }

    [Fact]
    public void Build_SortByIdle_LongestIdleFirst()
    {
        var server = new FakeMonitoredServer();
        server.Clients.Add(FakeMonitoredServer.Client(1, last: Now.AddSeconds(-5)));
        server.Clients.Add(FakeMonitoredServer.Client(2, last: Now.AddSeconds(-50)));
        Assert.Equal(new ulong[] { 2, 1 }, Build(server, "sort=idle").Connections.Select(c => c.Cid));
        Assert.Equal(new ulong[] { 1, 2 }, Build(server, "sort=last").Connections.Select(c => c.Cid));
    }

    [Fact]
    public void Build_SortByUptime_ShortestFirst()
    {
        var server = new FakeMonitoredServer();
        server.Clients.Add(FakeMonitoredServer.Client(1, start: Now.AddHours(-1)));
        server.Clients.Add(FakeMonitoredServer.Client(2, start: Now.AddMinutes(-1)));
        Assert.Equal(new ulong[] { 2, 1 }, Build(server, "sort=uptime").Connections.Select(c => c.Cid));
    }

    [Fact]
    public void Build_ClosedState_StopAndReason()
    {
        var server = new FakeMonitoredServer();
        server.Clients.Add(FakeMonitoredServer.Client(1));
        server.Closed.Add(FakeMonitoredServer.Client(
            9, start: Now.AddMinutes(-10), last: Now.AddMinutes(-6), stop: Now.AddMinutes(-5), reason: "Slow Consumer (Pending Bytes)"));

        Connz closed = Build(server, "state=closed");
        Assert.Equal(1, closed.Total);
        JsonElement c = JsonAssert.Serialize(closed).GetProperty("connections")[0];
        Assert.Equal(9UL, c.GetProperty("cid").GetUInt64());
        Assert.Equal("2024-05-01T11:55:00Z", c.GetProperty("stop").GetString());
        Assert.Equal("Slow Consumer (Pending Bytes)", c.GetProperty("reason").GetString());
        Assert.Equal("5m0s", c.GetProperty("uptime").GetString());
        Assert.Equal("1m0s", c.GetProperty("idle").GetString());

        JsonAssert.Lacks(JsonAssert.Serialize(Build(server, "")).GetProperty("connections")[0], "stop", "reason");
        Assert.Equal(2, Build(server, "state=any").Total);
    }

    [Fact]
    public void Build_SortByStop_MostRecentFirst()
    {
        var server = new FakeMonitoredServer();
        server.Closed.Add(FakeMonitoredServer.Client(1, stop: Now.AddMinutes(-9), reason: "Client Closed"));
        server.Closed.Add(FakeMonitoredServer.Client(2, stop: Now.AddMinutes(-1), reason: "Authentication Timeout"));
        Assert.Equal(new ulong[] { 2, 1 }, Build(server, "state=closed&sort=stop").Connections.Select(c => c.Cid));
        Assert.Equal(new ulong[] { 2, 1 }, Build(server, "state=closed&sort=reason").Connections.Select(c => c.Cid));
    }

    [Fact]
    public void Build_Cid_OnlyThatConnectionLimitOne()
    {
        var server = new FakeMonitoredServer();
        server.Clients.Add(FakeMonitoredServer.Client(1));
        server.Clients.Add(FakeMonitoredServer.Client(2));
        Connz connz = Build(server, "cid=2");
        Assert.Equal(2UL, Assert.Single(connz.Connections).Cid);
        Assert.Equal(1, connz.Limit);
        Assert.Empty(Build(server, "cid=77").Connections);
    }

    [Fact]
    public void Build_AccountFilter_OnlyThatAccount()
    {
        var server = new FakeMonitoredServer();
        server.Accounts.Add(new MonitoredAccount("A", 1, default, FakeMonitoredServer.T0));
        server.Clients.Add(FakeMonitoredServer.Client(1, account: "A"));
        server.Clients.Add(FakeMonitoredServer.Client(2));

        Connz connz = Build(server, "acc=A");
        Assert.Equal(1UL, Assert.Single(connz.Connections).Cid);
        Assert.Equal(1, connz.Total);

        Connz unknown = Build(server, "acc=NOPE");
        Assert.Empty(unknown.Connections);
        Assert.Equal(0, unknown.Total);
    }

    [Fact]
    public void Build_UserFilter_OnlyThatUser()
    {
        var server = new FakeMonitoredServer();
        server.Clients.Add(FakeMonitoredServer.Client(1, user: "alice"));
        server.Clients.Add(FakeMonitoredServer.Client(2, user: "bob"));
        Assert.Equal(2UL, Assert.Single(Build(server, "user=bob").Connections).Cid);
    }

    [Fact]
    public void ToConnInfo_Ipv4MappedAddress_DottedForm()
    {
        var snapshot = FakeMonitoredServer.Client(1) with
        {
            RemoteEndPoint = new System.Net.IPEndPoint(System.Net.IPAddress.Parse("::ffff:192.168.1.9"), 1234),
        };
        Assert.Equal("192.168.1.9", ConnzBuilder.ToConnInfo(snapshot, new ConnzOptions(), Now).Ip);
    }
}
