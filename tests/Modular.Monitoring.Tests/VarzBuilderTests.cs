using System.Net;
using System.Text.Json;
using Modular.Core.Config;
using Modular.Monitoring;
using Modular.Monitoring.Models;

namespace Modular.Monitoring.Tests;

public class VarzBuilderTests
{
    private static readonly DateTime Now = FakeMonitoredServer.T0.AddSeconds(3723);

    private static Varz Build(FakeMonitoredServer server) =>
        VarzBuilder.Build(
            server,
            new IPEndPoint(IPAddress.Loopback, 8333),
            new Dictionary<string, long> { ["/varz"] = 3, ["/connz"] = 1 },
            new ProcessUsageSample(12.5, 123_456_789),
            Now);

    private static FakeMonitoredServer Server()
    {
        var server = new FakeMonitoredServer();
        server.Accounts.Clear();
        server.Accounts.Add(new MonitoredAccount("$G", 1, FakeMonitoredServer.Stats(4), FakeMonitoredServer.T0));
        server.Accounts.Add(new MonitoredAccount("A", 0, FakeMonitoredServer.Stats(6), FakeMonitoredServer.T0));
        server.Clients.Add(FakeMonitoredServer.Client(1));
        server.Clients.Add(FakeMonitoredServer.Client(2));
        server.Statistics.InMsgs = 11;
        server.Statistics.OutMsgs = 22;
        server.Statistics.InBytes = 333;
        server.Statistics.OutBytes = 444;
        server.Statistics.TotalConnections = 9;
        server.Statistics.SlowConsumersClients = 2;
        server.Statistics.SlowConsumersRoutes = 1;
        server.Statistics.StaleConnectionsClients = 4;
        server.Statistics.Stalls = 7;
        return server;
    }

    [Fact]
    public void Build_Identity_NatsFieldsAndValues()
    {
        JsonElement v = JsonAssert.Serialize(Build(Server()));
        Assert.Equal("NFAKESERVERID", v.GetProperty("server_id").GetString());
        Assert.Equal("fake-1", v.GetProperty("server_name").GetString());
        Assert.Equal("2.10.0", v.GetProperty("version").GetString());
        Assert.Equal(1, v.GetProperty("proto").GetInt32());
        Assert.StartsWith("modular/.NET ", v.GetProperty("go").GetString());
        Assert.Equal("0.0.0.0", v.GetProperty("host").GetString());
        Assert.Equal(4333, v.GetProperty("port").GetInt32());
        Assert.Equal("127.0.0.1", v.GetProperty("http_host").GetString());
        Assert.Equal(8333, v.GetProperty("http_port").GetInt32());
        Assert.Equal("", v.GetProperty("http_base_path").GetString());
        Assert.Equal(0, v.GetProperty("https_port").GetInt32());
        JsonAssert.Lacks(v, "git_commit", "auth_required", "tls_required", "max_subscriptions", "system_account");
    }

    [Fact]
    public void Build_Limits_FromOptionsInNatsUnits()
    {
        JsonElement v = JsonAssert.Serialize(Build(Server()));
        var defaults = new ServerOptions();
        Assert.Equal(defaults.MaxConnections, v.GetProperty("max_connections").GetInt32());
        Assert.Equal(120_000_000_000, v.GetProperty("ping_interval").GetInt64());
        Assert.Equal(2, v.GetProperty("ping_max").GetInt32());
        Assert.Equal("2", v.GetProperty("auth_timeout").GetRawText());
        Assert.Equal(4096, v.GetProperty("max_control_line").GetInt32());
        Assert.Equal(1048576, v.GetProperty("max_payload").GetInt32());
        Assert.Equal(67108864, v.GetProperty("max_pending").GetInt64());
        Assert.Equal("2", v.GetProperty("tls_timeout").GetRawText());
        Assert.Equal(10_000_000_000, v.GetProperty("write_deadline").GetInt64());
    }

    [Fact]
    public void Build_Runtime_TimesUptimeAndUsage()
    {
        JsonElement v = JsonAssert.Serialize(Build(Server()));
        Assert.Equal("2024-05-01T10:00:00Z", v.GetProperty("start").GetString());
        Assert.Equal("2024-05-01T11:02:03Z", v.GetProperty("now").GetString());
        Assert.Equal("1h2m3s", v.GetProperty("uptime").GetString());
        Assert.Equal(123_456_789, v.GetProperty("mem").GetInt64());
        Assert.Equal(Environment.ProcessorCount, v.GetProperty("cores").GetInt32());
        Assert.Equal("12.5", v.GetProperty("cpu").GetRawText());
        Assert.Equal("2024-05-01T10:00:00Z", v.GetProperty("config_load_time").GetString());
    }

    [Fact]
    public void Build_Counters_FromStatisticsAndAccounts()
    {
        JsonElement v = JsonAssert.Serialize(Build(Server()));
        Assert.Equal(2, v.GetProperty("connections").GetInt32());
        Assert.Equal(9, v.GetProperty("total_connections").GetInt64());
        Assert.Equal(0, v.GetProperty("routes").GetInt32());
        Assert.Equal(0, v.GetProperty("remotes").GetInt32());
        Assert.Equal(0, v.GetProperty("leafnodes").GetInt32());
        Assert.Equal(11, v.GetProperty("in_msgs").GetInt64());
        Assert.Equal(22, v.GetProperty("out_msgs").GetInt64());
        Assert.Equal(333, v.GetProperty("in_bytes").GetInt64());
        Assert.Equal(444, v.GetProperty("out_bytes").GetInt64());
        Assert.Equal(3, v.GetProperty("slow_consumers").GetInt64());
        Assert.Equal(4, v.GetProperty("stale_connections").GetInt64());
        Assert.Equal(7, v.GetProperty("stalled_clients").GetInt64());
        Assert.Equal(10, v.GetProperty("subscriptions").GetInt64());

        JsonElement slow = v.GetProperty("slow_consumer_stats");
        JsonAssert.HasExactly(slow, "clients", "routes", "gateways", "leafs");
        Assert.Equal(2, slow.GetProperty("clients").GetInt64());
        Assert.Equal(1, slow.GetProperty("routes").GetInt64());
        JsonAssert.HasExactly(v.GetProperty("stale_connection_stats"), "clients", "routes", "gateways", "leafs");
        Assert.Equal(4, v.GetProperty("stale_connection_stats").GetProperty("clients").GetInt64());

        JsonElement req = v.GetProperty("http_req_stats");
        JsonAssert.HasExactly(req, "/connz", "/varz");
        Assert.Equal(3, req.GetProperty("/varz").GetInt64());
    }

    [Fact]
    public void Build_NoCluster_EmptyClusterAndOtherBlocks()
    {
        JsonElement v = JsonAssert.Serialize(Build(Server()));
        foreach (string block in new[] { "cluster", "gateway", "leaf", "mqtt", "websocket", "jetstream" })
        {
            Assert.Equal(JsonValueKind.Object, v.GetProperty(block).ValueKind);
            Assert.Empty(v.GetProperty(block).EnumerateObject());
        }
    }

    [Fact]
    public void Build_Cluster_BlockFromOptions()
    {
        FakeMonitoredServer server = Server();
        server.Options.Cluster = new ClusterOptions
        {
            Name = "my-cluster",
            Host = "0.0.0.0",
            Port = 6222,
            PoolSize = 3,
            Routes = { new Uri("nats-route://user:pw@server1:6222"), new Uri("nats-route://server2:7222") },
        };
        server.ClusterEndPoint = new IPEndPoint(IPAddress.Any, 6333);
        server.RouteCount = 6;
        server.RemoteCount = 2;

        JsonElement v = JsonAssert.Serialize(Build(server));
        JsonElement c = v.GetProperty("cluster");
        Assert.Equal("my-cluster", c.GetProperty("name").GetString());
        Assert.Equal("0.0.0.0", c.GetProperty("addr").GetString());
        Assert.Equal(6333, c.GetProperty("cluster_port").GetInt32());
        Assert.Equal(new[] { "server1:6222", "server2:7222" }, c.GetProperty("urls").EnumerateArray().Select(e => e.GetString()));
        Assert.Equal(3, c.GetProperty("pool_size").GetInt32());
        JsonAssert.Lacks(c, "tls_required");
        Assert.Equal(6, v.GetProperty("routes").GetInt32());
        Assert.Equal(2, v.GetProperty("remotes").GetInt32());
    }

    [Fact]
    public void Build_AuthRequired_Shown()
    {
        FakeMonitoredServer server = Server();
        server.AuthRequired = true;
        Assert.True(JsonAssert.Serialize(Build(server)).GetProperty("auth_required").GetBoolean());
    }

    [Fact]
    public void Serialize_Varz_TwoSpaceIndentAndLf()
    {
        string text = JsonAssert.Text(Build(Server()));
        Assert.StartsWith("{\n  \"server_id\": \"NFAKESERVERID\",\n", text);
        Assert.DoesNotContain("\r", text);
        Assert.Contains("\n  \"cluster\": {},\n", text);
    }
}
