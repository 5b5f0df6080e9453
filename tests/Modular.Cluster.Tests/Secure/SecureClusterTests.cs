using System.Diagnostics;
using Modular.Testing;
using Modular.Testing.Secure;
using NATS.Client.Core;

namespace Modular.Cluster.Tests.Secure;

/// <summary>
/// Clusters of real <c>modular</c> processes with the bundled tls and bcrypt plugins: routes over TLS
/// with mutual verification, route authorization with bcrypt-hashed and plain passwords, and the
/// config check for a hash pasted into a route URL.
/// </summary>
public sealed class SecureClusterTests : IDisposable
{
    /// <summary>bcrypt (cost 6, to keep the tests quick) of <see cref="RoutePassword"/>, made with <c>modular passwd --cost 6</c>.</summary>
    internal const string RouteHash = "$2a$06$9gHufZjKgzo907DhZgQE4O.uhwJJXl.IdQLayt6y.btLCPOBsxjni";
    internal const string RoutePassword = "route-pw";
    internal const string RouteUser = "ruser";

    private readonly string _dir = Directory.CreateTempSubdirectory("modular-secure-cluster-").FullName;
    private readonly DevCertificates _ca = DevCertificates.CreateAuthority("Cluster CA");
    private readonly List<Node> _nodes = new();

    [Fact]
    public async Task TlsVerifyAndBcryptRouteAuth_ThreeNodes_FormMeshAndPassMessages()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(90));
        var ports = Enumerable.Range(0, 3).Select(_ => NodePorts.Allocate()).ToArray();
        var specs = ports.Select((p, i) => new ConfigBuilder
        {
            AdvertiseHost = "localhost",
            Name = $"s{i + 1}",
            Ports = p,
            Routes = ports.Where((_, j) => j != i).Select(o => ConfigBuilder.RouteUrl(o.Cluster, "localhost", RouteUser, RoutePassword)).ToArray(),
            Tls = _ca.WriteServer(_dir, $"s{i + 1}"),
            RouteAuth = (RouteUser, RouteHash),
        }).ToArray();

        var nodes = await StartAllAsync(specs, timeout.Token);
        await TestCluster.WaitMeshAsync(nodes, TimeSpan.FromSeconds(45));

        await using var subscriber = await ConnectAsync(nodes[2], timeout.Token);
        await using var publisher = await ConnectAsync(nodes[0], timeout.Token);
        await using var sub = await subscriber.SubscribeCoreAsync<string>("secure.>", cancellationToken: timeout.Token);
        await subscriber.PingAsync(timeout.Token);
        var received = await PublishUntilReceivedAsync(publisher, sub, "secure.hello", timeout.Token);

        Assert.Equal("secure.hello", received.Subject);
        foreach (var node in nodes)
        {
            Assert.True(node.OutputContains("TLS for [cluster.tls]: certificate CN="), node.Describe());
            Assert.False(node.OutputContains(RoutePassword), "a log line shows the route password\n" + node.Describe());

            // /varz asks the route wrapper whether it is TLS (not the table's name).
            using var varz = await MonitorEndpoints.GetJsonAsync(node, "/varz", timeout.Token);
            var cluster = varz.RootElement.GetProperty("cluster");
            Assert.True(cluster.GetProperty("tls_required").GetBoolean());
            Assert.True(cluster.GetProperty("tls_verify").GetBoolean());
        }
    }

    [Fact]
    public async Task Tls_ServerWithCertificateFromAnotherCa_RejectedOnBothSidesWithClearLogLine()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        using var otherCa = DevCertificates.CreateAuthority("Intruder CA");
        var p1 = NodePorts.Allocate();
        var p2 = NodePorts.Allocate();
        var good = new ConfigBuilder
        {
            AdvertiseHost = "localhost",
            Name = "good", Ports = p1, Routes = [ConfigBuilder.RouteUrl(p2.Cluster, "localhost")], Tls = _ca.WriteServer(_dir, "good"),
        };
        var intruder = new ConfigBuilder
        {
            AdvertiseHost = "localhost",
            Name = "intruder", Ports = p2, Routes = [ConfigBuilder.RouteUrl(p1.Cluster, "localhost")], Tls = otherCa.WriteServer(Path.Combine(_dir, "intruder"), "intruder"),
        };

        var nodes = await StartAllAsync([good, intruder], timeout.Token);
        await Wait.Until(
            () => nodes.All(n => n.OutputContains("is not signed by a trusted CA")),
            TimeSpan.FromSeconds(30),
            "both servers to log that the other's certificate is not from a trusted CA\n" + string.Join("\n", nodes.Select(n => n.Describe())));

        Assert.True(nodes[0].OutputContains("its certificate (CN=intruder) is not signed by a trusted CA"), nodes[0].Describe());
        Assert.True(nodes[1].OutputContains("its certificate (CN=good) is not signed by a trusted CA"), nodes[1].Describe());
        foreach (var node in nodes)
        {
            Assert.Empty((await MonitorEndpoints.RoutezAsync(node, cancellationToken: timeout.Token)).RemoteIds);
        }
    }

    [Fact]
    public async Task BcryptRouteAuth_WrongRoutePassword_RefusedAndLoggedWithoutTheSecret()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        var p1 = NodePorts.Allocate();
        var p2 = NodePorts.Allocate();
        var seed = new ConfigBuilder { AdvertiseHost = "localhost", Name = "seed", Ports = p1, RouteAuth = (RouteUser, RouteHash) };
        var wrong = new ConfigBuilder
        {
            AdvertiseHost = "localhost",
            Name = "wrong", Ports = p2, RouteAuth = (RouteUser, RouteHash),
            Routes = [ConfigBuilder.RouteUrl(p1.Cluster, "127.0.0.1", RouteUser, "not-the-password")],
        };

        var nodes = await StartAllAsync([seed, wrong], timeout.Token);
        await Wait.Until(() => nodes[0].OutputContains("Route authentication failed for user \"ruser\""), TimeSpan.FromSeconds(20), "the refusal in the seed's log\n" + nodes[0].Describe());

        Assert.True(nodes[0].OutputContains("wrong password"), nodes[0].Describe());
        Assert.False(nodes[0].OutputContains("not-the-password"), nodes[0].Describe());
        Assert.Empty((await MonitorEndpoints.RoutezAsync(nodes[0], cancellationToken: timeout.Token)).RemoteIds);

        // Not the dialer's /routez: it registers the route when the seed's INFO arrives, before the
        // seed's verdict on its CONNECT (as nats-server), so a poll can catch one about to be refused.
        await Wait.Until(() => nodes[1].OutputContains("Route Error 'Authorization Violation'"), TimeSpan.FromSeconds(10), "the refusal in the dialer's log\n" + nodes[1].Describe());
    }

    [Fact]
    public async Task BcryptRouteAuth_PlainPassword_FormsRouteWithAWarning()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        var p1 = NodePorts.Allocate();
        var p2 = NodePorts.Allocate();
        var seed = new ConfigBuilder { AdvertiseHost = "localhost", Name = "plain1", Ports = p1, RouteAuth = (RouteUser, RoutePassword) };
        var joiner = new ConfigBuilder
        {
            AdvertiseHost = "localhost",
            Name = "plain2", Ports = p2, RouteAuth = (RouteUser, RoutePassword),
            Routes = [ConfigBuilder.RouteUrl(p1.Cluster, "127.0.0.1", RouteUser, RoutePassword)],
        };

        var nodes = await StartAllAsync([seed, joiner], timeout.Token);
        await TestCluster.WaitMeshAsync(nodes, TimeSpan.FromSeconds(30));

        Assert.True(nodes[0].OutputContains("password is plain text"), nodes[0].Describe());
    }

    [Fact]
    public async Task Check_BcryptHashInRouteUrl_FailsSayingWhy()
    {
        var config = Path.Combine(_dir, "hash-in-url.toml");
        await File.WriteAllTextAsync(config, $"""
            plugins = ["bcrypt"]

            [cluster]
            listen = "127.0.0.1:16222"
            routes = ["nats-route://{RouteUser}:{RouteHash}@n2.example:6222"]

            [cluster.auth]
            use = "bcrypt"
            user = "{RouteUser}"
            password = "{RouteHash}"
            """);

        var (exitCode, _, stderr) = await RunModularAsync(["check", "-c", config], stdin: null);

        Assert.Equal(2, exitCode);
        Assert.Contains("hash-in-url.toml:5: cluster.routes", stderr);
        Assert.Contains("is a bcrypt hash", stderr);
    }

    [Fact]
    public async Task Passwd_ReadsStdinAndPrintsABcryptHashOfTheCost()
    {
        var (exitCode, stdout, _) = await RunModularAsync(["passwd", "--cost", "5"], stdin: "route-pw\n");
        var (badCost, _, badStderr) = await RunModularAsync(["passwd", "--cost", "3"], stdin: "x\n");

        Assert.Equal(0, exitCode);
        Assert.Matches(@"^\$2a\$05\$[./A-Za-z0-9]{53}$", stdout.Trim());
        Assert.Equal(2, badCost);
        Assert.Contains("--cost must be", badStderr);
    }

    [Fact]
    public async Task ClientTls_InfoInPlaintextThenUpgrade_NatsClientPublishesAndReceives()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        var (node, files) = await StartClientTlsNodeAsync("ctls", handshakeFirst: false, timeout.Token);

        await using (var raw = await RawConnection.ConnectAsync(node.Ports.Client, "plain", cancellationToken: timeout.Token))
        {
            var info = await raw.ReadLineAsync(cancellationToken: timeout.Token);
            Assert.Contains("\"tls_required\":true", info);
        }

        await using var client = await ConnectAsync(node, timeout.Token, tls: new NatsTlsOpts { Mode = TlsMode.Require, CaFile = files.Ca });
        await using var sub = await client.SubscribeCoreAsync<string>("client.tls", cancellationToken: timeout.Token);
        await client.PingAsync(timeout.Token);
        var received = await PublishUntilReceivedAsync(client, sub, "client.tls", timeout.Token);
        Assert.Equal("client.tls", received.Subject);
    }

    [Fact]
    public async Task ClientTls_HandshakeFirst_NatsClientWithTlsFirstConnects()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        var (node, files) = await StartClientTlsNodeAsync("ctlsfirst", handshakeFirst: true, timeout.Token);

        await using var client = await ConnectAsync(node, timeout.Token, tls: new NatsTlsOpts { Mode = TlsMode.Implicit, CaFile = files.Ca });
        await using var sub = await client.SubscribeCoreAsync<string>("client.first", cancellationToken: timeout.Token);
        await client.PingAsync(timeout.Token);
        var received = await PublishUntilReceivedAsync(client, sub, "client.first", timeout.Token);
        Assert.Equal("client.first", received.Subject);
    }

    private async Task<(Node Node, TlsFiles Files)> StartClientTlsNodeAsync(string name, bool handshakeFirst, CancellationToken cancellationToken)
    {
        var files = _ca.WriteServer(_dir, name);
        var ports = NodePorts.Allocate();
        var toml = $"""
            plugins = ["tls"]

            [server]
            name = "{name}"
            listen = "127.0.0.1:{ports.Client}"

            [server.tls]
            use = "tls"
            cert_file = "{files.Cert}"
            key_file = "{files.Key}"
            timeout = "5s"
            handshake_first = {(handshakeFirst ? "true" : "false")}

            [monitor]
            listen = "127.0.0.1:{ports.Monitor}"
            """;
        var node = await Node.StartAsync(name, toml, NodeBackend.InProcess, directory: _dir, cancellationToken: cancellationToken);
        _nodes.Add(node);
        return (node, files);
    }

    private async Task<Node[]> StartAllAsync(IReadOnlyList<ConfigBuilder> specs, CancellationToken cancellationToken)
    {
        var starts = specs.Select(s => Node.StartAsync(s, NodeBackend.InProcess, directory: _dir, cancellationToken: cancellationToken)).ToArray();
        try
        {
            await Task.WhenAll(starts);
        }
        finally
        {
            _nodes.AddRange(starts.Where(s => s.IsCompletedSuccessfully).Select(s => s.Result));
        }

        return starts.Select(s => s.Result).ToArray();
    }

    internal static async Task<NatsConnection> ConnectAsync(Node node, CancellationToken cancellationToken, NatsTlsOpts? tls = null)
    {
        var opts = NatsOpts.Default with
        {
            Url = tls is null ? node.ClientUrl : $"tls://localhost:{node.Ports.Client}",
            ConnectTimeout = TimeSpan.FromSeconds(10),
            MaxReconnectRetry = 0,
            RetryOnInitialConnect = false,
            TlsOpts = tls ?? NatsTlsOpts.Default,
        };
        var connection = new NatsConnection(opts);
        await connection.ConnectAsync().AsTask().WaitAsync(cancellationToken);
        return connection;
    }

    /// <summary>Publishes every 200 ms until the subscription gets a message (interest crosses routes asynchronously).</summary>
    internal static async Task<NatsMsg<string>> PublishUntilReceivedAsync(NatsConnection publisher, INatsSub<string> sub, string subject, CancellationToken cancellationToken)
    {
        while (true)
        {
            await publisher.PublishAsync(subject, "hello", cancellationToken: cancellationToken);
            using var wait = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            wait.CancelAfter(TimeSpan.FromMilliseconds(200));
            try
            {
                return await sub.Msgs.ReadAsync(wait.Token);
            }
            catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
            {
            }
        }
    }

    private static async Task<(int ExitCode, string Stdout, string Stderr)> RunModularAsync(string[] arguments, string? stdin)
    {
        var result = await ModularCli.RunAsync(arguments, workingDirectory: null, TimeSpan.FromSeconds(30), stdin);
        return (result.ExitCode, result.StdOut, result.StdErr);
    }

    public void Dispose()
    {
        Task.WhenAll(_nodes.Select(n => n.DisposeAsync().AsTask())).GetAwaiter().GetResult();
        _ca.Dispose();
        try
        {
            Directory.Delete(_dir, recursive: true);
        }
        catch (IOException)
        {
        }
    }
}
