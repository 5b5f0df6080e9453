using Modular.Plugins.Tests.Harness;

namespace Modular.Plugins.Tests.Cluster;

/// <summary>examples/CustomAuthPlugin deciding real client and route CONNECTs of a running cluster.</summary>
public sealed class CustomAuthClusterTests : IAsyncLifetime
{
    private readonly Scratch _scratch = new();
    private readonly List<Node> _servers = new();

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync()
    {
        foreach (var server in _servers)
        {
            await server.DisposeAsync();
        }

        _scratch.Dispose();
    }

    [Fact]
    public async Task UsersFileAuth_ClientsAndRoutes_RightCredentialsAcceptedWrongOnesGetAuthorizationViolation()
    {
        _scratch.Write("users.txt", "alice wonderland\n");
        _scratch.Write("routes.txt", "route s3cret\n");
        // The hub checks clients and routes against the users files.
        var hub = await StartAsync("hub", routes: "", auth: """
            [server.auth]
            use = "users-file"
            users_file = "users.txt"

            [cluster.auth]
            use = "users-file"
            users_file = "routes.txt"
            """);

        // n1 dials with the credentials its plugin hands out; n2 with the ones in its route URL.
        var hubCluster = hub.ClusterPort ?? throw new InvalidOperationException("the hub has no cluster listener");
        var hubClient = hub.ClientPort;
        var n1 = await StartAsync("n1", routes: $"\"nats-route://127.0.0.1:{hubCluster}\"", auth: """
            [cluster.auth]
            use = "users-file"
            users_file = "routes.txt"
            user = "route"
            password = "s3cret"
            """);
        var n2 = await StartAsync("n2", routes: $"\"nats-route://route:s3cret@127.0.0.1:{hubCluster}\"", auth: "");
        var expected = new HashSet<string> { await MonitorEndpoints.ServerIdAsync(n1), await MonitorEndpoints.ServerIdAsync(n2) };
        await Wait.Until(async () => (await MonitorEndpoints.RoutezAsync(hub)).RemoteIds.SetEquals(expected), TimeSpan.FromSeconds(20), "the hub to accept both routes");

        // A route CONNECT with a wrong password, by hand.
        await using (var route = await RawConnection.ConnectAsync(hubCluster, "route intruder"))
        {
            Assert.StartsWith("INFO ", await route.ReadLineAsync(), StringComparison.Ordinal);
            await route.SendAsync("CONNECT {\"verbose\":false,\"pedantic\":false,\"user\":\"route\",\"pass\":\"wrong\",\"name\":\"intruder\",\"cluster\":\"auth\",\"lnoc\":true}\r\n");
            Assert.Equal("-ERR 'Authorization Violation'", (await route.WaitForLineAsync(@"^(?:-ERR|\+OK|PONG).*")).Match.Value);
            Assert.Null(await route.ReadLineAsync());
        }

        // Clients: right password in, wrong password and no credentials out.
        Assert.Equal("+OK", await ClientConnectAsync(hubClient, "\"user\":\"alice\",\"pass\":\"wonderland\","));
        Assert.Equal("-ERR 'Authorization Violation'", await ClientConnectAsync(hubClient, "\"user\":\"alice\",\"pass\":\"nope\","));
        Assert.Equal("-ERR 'Authorization Violation'", await ClientConnectAsync(hubClient, ""));
        Assert.Equal(expected, (await MonitorEndpoints.RoutezAsync(hub)).RemoteIds);
    }

    private static async Task<string> ClientConnectAsync(int port, string credentials)
    {
        await using var client = await RawConnection.ConnectAsync(port, "client on the hub");
        var info = await client.ReadLineAsync();
        Assert.Contains("\"auth_required\":true", info, StringComparison.Ordinal);
        await client.SendAsync("CONNECT {\"verbose\":true,\"pedantic\":false," + credentials + "\"lang\":\"raw\",\"version\":\"0\",\"protocol\":1}\r\nPING\r\n");
        return (await client.WaitForLineAsync(@"^(?:\+OK|-ERR).*")).Match.Value;
    }

    private async Task<Node> StartAsync(string name, string routes, string auth)
    {
        var config = $"""
            plugins = [{PluginFolders.Toml(PluginFolders.CustomAuth)}]

            [server]
            name = "{name}"
            listen = "127.0.0.1:0"

            [monitor]
            listen = "127.0.0.1:0"

            [cluster]
            name = "auth"
            listen = "127.0.0.1:0"
            routes = [{routes}]
            pool_size = -1

            {auth}
            """;
        var server = await Node.StartAsync(name, config, directory: _scratch.Folder);
        _servers.Add(server);
        return server;
    }
}
