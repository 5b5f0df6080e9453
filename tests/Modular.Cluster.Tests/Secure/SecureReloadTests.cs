using System.Net.Security;
using System.Security.Cryptography.X509Certificates;
using Modular.Testing;
using Modular.Testing.Secure;
using NATS.Client.Core;

namespace Modular.Cluster.Tests.Secure;

/// <summary>
/// Config reload (SIGHUP) of the security plugin tables on real <c>modular</c> processes, as a NATS
/// operator uses it: [cluster.tls] and [server.tls] certificates rotated (new connections handshake
/// with the new certificate, established ones keep theirs), a certificate from a CA the peer does not
/// trust and back, a reload naming a missing file refused; the [cluster.auth] route password and a
/// [server.auth] client password changed (old credentials refused from the next connection, a
/// connected client whose password changed closed with Authorization Violation).
/// </summary>
public sealed class SecureReloadTests : IDisposable
{
    /// <summary>bcrypt (cost 6) of <see cref="NewRoutePassword"/>, made with <c>modular passwd --cost 6</c>.</summary>
    private const string NewRouteHash = "$2a$06$wOayig9vj2bzCCbN21ozeOsUBVC7pjxZp.cODOteAibPHRZNlzg3.";
    private const string NewRoutePassword = "route-pw2";

    // Client users of [accounts.APP], bcrypt (cost 6) made with `modular passwd --cost 6`.
    private const string AlicePassword = "alice-pw";
    private const string AliceHash = "$2a$06$4wCTOfEYyHm7wUm8yJq8n.3pNsbGAVQ33lRa895hhmQc50mhJbKCm";
    private const string AliceNewPassword = "alice-pw2";
    private const string AliceNewHash = "$2a$06$exao2tPFFhh2KAc7J8wQ2Oori5k2GT9HSCU5aZ.sqGDGduG34soOK";
    private const string BobPassword = "bob-pw";
    private const string BobHash = "$2a$06$wqqRy.b3SwlU0sFQVS11nO9DXzV8fqdpM0Zy13MjPkx7.IcQE3cGe";

    private static readonly TimeSpan MeshTimeout = TimeSpan.FromSeconds(45);

    private readonly string _dir = Directory.CreateTempSubdirectory("modular-secure-reload-").FullName;
    private readonly DevCertificates _ca = DevCertificates.CreateAuthority("Reload CA");
    private readonly List<Node> _nodes = new();

    [Fact]
    public async Task ClusterTls_ReloadToANewCertificate_NewRouteHandshakesPresentIt_MissingFileRefusedAndOldKept()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(150));
        var ct = timeout.Token;
        var (specA, a, _, b) = await StartTlsPairAsync("rot", ct);
        using var probe = ProbeCertificate("rot-probe");
        var original = await TlsProbe.ServerCertificateAsync(a.Ports.Cluster!.Value, probe, ct);
        Assert.Equal("CN=rot-a", original.Subject);
        var peerOfA = (await MonitorEndpoints.RoutezAsync(a, cancellationToken: ct)).RemoteIds;

        // Same CA, another subject and serial, in other files: [cluster.tls] points at them.
        var rotated = _ca.WriteServer(_dir, "rot-a-rotated");
        var rotatedSpec = specA with { Tls = rotated };
        var outcome = await ReloadAsync(a, rotatedSpec.ToModularToml(), ct);
        Assert.Contains("plugin tables [cluster.tls] (route TLS)", outcome);

        // The established route keeps its TLS session (as nats-server): it is the same route.
        Assert.True(peerOfA.SetEquals((await MonitorEndpoints.RoutezAsync(a, cancellationToken: ct)).RemoteIds), a.Describe());

        // The next handshake on the route port presents the new certificate.
        var presented = await TlsProbe.ServerCertificateAsync(a.Ports.Cluster!.Value, probe, ct);
        Assert.Equal("CN=rot-a-rotated", presented.Subject);
        Assert.Equal(original.Issuer, presented.Issuer);
        Assert.NotEqual(original.SerialNumber, presented.SerialNumber);

        // New route connections (b starts again, both dial) handshake with it, verified by b: the cluster re-forms.
        await b.RestartAsync(ct);
        await TestCluster.WaitMeshAsync([a, b], MeshTimeout);
        await AssertMessagesCrossAsync(a, b, "rot.after", ct);

        // A reload naming a certificate file that does not exist is refused with one line naming
        // file:line:key; the server keeps running on the certificate it has.
        var missing = Path.Combine(_dir, "no-such-cert.pem");
        var badText = (rotatedSpec with { Tls = rotated with { Cert = missing } }).ToModularToml();
        var refused = await ReloadAsync(a, badText, ct);
        Assert.Contains($"Reload refused: {a.ConfigPath}:{LineOf(badText, "cert_file")}: cluster.tls.cert_file: cannot read {missing}: no such file", refused);
        Assert.Contains("still running on the previous configuration", refused);
        Assert.True(a.IsRunning, a.Describe());
        Assert.Equal("CN=rot-a-rotated", (await TlsProbe.ServerCertificateAsync(a.Ports.Cluster!.Value, probe, ct)).Subject);
        await b.RestartAsync(ct);
        await TestCluster.WaitMeshAsync([a, b], MeshTimeout);
    }

    [Fact]
    public async Task ClusterTls_ReloadToACertificateFromAnUntrustedCa_NewRoutesFailWithAClearLine_ReloadBackReforms()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(150));
        var ct = timeout.Token;
        var (specA, a, _, b) = await StartTlsPairAsync("ca", ct);
        using var otherCa = DevCertificates.CreateAuthority("Other CA");
        var foreign = otherCa.WriteServer(Path.Combine(_dir, "other-ca"), "ca-a-foreign");

        // a's certificate now comes from a CA b does not trust (a's own ca_file is unchanged).
        var foreignSpec = specA with { Tls = specA.Tls! with { Cert = foreign.Cert, Key = foreign.Key } };
        Assert.Contains("(route TLS)", await ReloadAsync(a, foreignSpec.ToModularToml(), ct));

        // New routes: b starts again; each of its handshakes with a rejects a's certificate.
        await b.RestartAsync(ct);
        await Wait.Until(
            () => b.OutputContains("its certificate (CN=ca-a-foreign) is not signed by a trusted CA"),
            TimeSpan.FromSeconds(30),
            "b to log that a's new certificate is not from a trusted CA\n" + b.Describe() + a.Describe());
        Assert.True(b.OutputContains("Route transport handshake error"), b.Describe());
        await Wait.Until(async () => ((await MonitorEndpoints.RoutezAsync(a, cancellationToken: ct)).RemoteIds).Count == 0 && ((await MonitorEndpoints.RoutezAsync(b, cancellationToken: ct)).RemoteIds).Count == 0, TimeSpan.FromSeconds(10), "no route between a and b\n" + a.Describe() + b.Describe());

        // Back to the certificate from the cluster's CA: the routes both keep dialing now form.
        Assert.Contains("(route TLS)", await ReloadAsync(a, specA.ToModularToml(), ct));
        await TestCluster.WaitMeshAsync([a, b], MeshTimeout);
        await AssertMessagesCrossAsync(a, b, "ca.back", ct);
    }

    [Fact]
    public async Task ClusterTls_RouteAddedByReload_IsCheckedAgainstItsHostName()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(120));
        var ct = timeout.Token;

        // Certificates that name only "localhost", no address: a dialer that checks the address it
        // connected to (127.0.0.1) instead of the route URL's host refuses them.
        var ports = new[] { NodePorts.Allocate(), NodePorts.Allocate() };
        var specs = ports.Select((p, i) => new ConfigBuilder
        {
            AdvertiseHost = "localhost",
            Name = $"hn{i + 1}",
            Ports = p,
            Tls = _ca.WriteServer(_dir, $"hn{i + 1}", dnsNames: ["localhost"], addresses: []),
        }).ToArray();
        var nodes = await StartAllAsync(specs, ct);

        var outcome = await ReloadAsync(nodes[0], (specs[0] with { Routes = [ConfigBuilder.RouteUrl(ports[1].Cluster, "localhost")] }).ToModularToml(), ct);
        Assert.Contains("cluster.routes (1 added, 0 removed)", outcome);
        await TestCluster.WaitMeshAsync(nodes, MeshTimeout);
        Assert.False(nodes[0].OutputContains("is not for \"127.0.0.1\""), nodes[0].Describe());
    }

    [Fact]
    public async Task ClientTls_ReloadToANewCertificate_NewClientsGetIt_ConnectedClientsKeepWorking()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(120));
        var ct = timeout.Token;
        var first = _ca.WriteServer(_dir, "ctls-first");
        var second = _ca.WriteServer(_dir, "ctls-second");
        var ports = NodePorts.Allocate();
        var node = await Node.StartAsync("ctlsr", ClientTlsToml("ctlsr", ports, first, handshakeFirst: false), NodeBackend.Process, directory: _dir, cancellationToken: ct);
        _nodes.Add(node);

        var seen = new List<string>();
        await using var before = await ConnectTlsAsync(node, first.Ca, seen, ct);
        Assert.Equal("CN=ctls-first", seen.Last());

        Assert.Contains("plugin tables [server.tls] (client TLS)", await ReloadAsync(node, ClientTlsToml("ctlsr", ports, second, handshakeFirst: false), ct));
        await using var after = await ConnectTlsAsync(node, second.Ca, seen, ct);
        Assert.Equal("CN=ctls-second", seen.Last());

        // The client connected before the reload keeps its TLS session and talks to the new one.
        await using var sub = await before.SubscribeCoreAsync<string>("ctls.reload", cancellationToken: ct);
        await before.PingAsync(ct);
        var received = await SecureClusterTests.PublishUntilReceivedAsync(after, sub, "ctls.reload", ct);
        Assert.Equal("ctls.reload", received.Subject);

        // When TLS starts cannot change while running: refused, the new certificate stays in use.
        var refused = await ReloadAsync(node, ClientTlsToml("ctlsr", ports, second, handshakeFirst: true), ct);
        Assert.Contains("Reload refused: [server.tls] whether the client handshake comes before INFO (or the table itself) cannot change without a restart", refused);
        await using var again = await ConnectTlsAsync(node, second.Ca, seen, ct);
        Assert.Equal("CN=ctls-second", seen.Last());
    }

    [Fact]
    public async Task ClusterAuth_ReloadedRoutePassword_OldPasswordRefusedOnTheNextConnection_NewOneAccepted()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(150));
        var ct = timeout.Token;
        var seedPorts = NodePorts.Allocate();
        var peerPorts = NodePorts.Allocate();
        var user = SecureClusterTests.RouteUser;
        var seedSpec = new ConfigBuilder { AdvertiseHost = "localhost", Name = "auth-seed", Ports = seedPorts, RouteAuth = (user, SecureClusterTests.RouteHash) };

        // Both require route authorization (with a hash, which a server can never send), so the only
        // way a route forms is the peer dialing the seed with the password of its route URL.
        var peerSpec = new ConfigBuilder
        {
            AdvertiseHost = "localhost",
            Name = "auth-peer", Ports = peerPorts, RouteAuth = (user, SecureClusterTests.RouteHash),
            Routes = [ConfigBuilder.RouteUrl(seedPorts.Cluster, "127.0.0.1", user, SecureClusterTests.RoutePassword)],
        };
        var nodes = await StartAllAsync([seedSpec, peerSpec], ct);
        var (seed, peer) = (nodes[0], nodes[1]);
        await TestCluster.WaitMeshAsync(nodes, MeshTimeout);
        var peerId = await MonitorEndpoints.ServerIdAsync(peer, ct);

        Assert.Contains("plugin tables [cluster.auth] (route authentication)", await ReloadAsync(seed, (seedSpec with { RouteAuth = (user, NewRouteHash) }).ToModularToml(), ct));

        // The established route was authorized when it connected: it stays.
        Assert.Contains(peerId, (await MonitorEndpoints.RoutezAsync(seed, cancellationToken: ct)).RemoteIds);

        // The peer's next connection with the old password: its route is removed, then added again.
        Assert.Contains("cluster.routes (0 added, 1 removed)", await ReloadAsync(peer, (peerSpec with { Routes = [] }).ToModularToml(), ct));
        await Wait.Until(async () => ((await MonitorEndpoints.RoutezAsync(seed, cancellationToken: ct)).RemoteIds).Count == 0, TimeSpan.FromSeconds(10), "the seed without routes\n" + seed.Describe());
        var failuresBefore = seed.OutputLines.Count(IsRouteAuthFailure);
        Assert.Contains("cluster.routes (1 added, 0 removed)", await ReloadAsync(peer, peerSpec.ToModularToml(), ct));
        await Wait.Until(
            () => seed.OutputLines.Count(IsRouteAuthFailure) > failuresBefore,
            TimeSpan.FromSeconds(20),
            "the seed to refuse the old route password\n" + seed.Describe() + peer.Describe());
        await Wait.Until(
            () => peer.OutputContains("Route Error 'Authorization Violation'"),
            TimeSpan.FromSeconds(10),
            "the peer to see its route refused\n" + peer.Describe());

        // The dialer registers a route when the seed's INFO arrives, before the seed's verdict on its
        // CONNECT (as nats-server), so only the seed says for certain: no route forms over its redials.
        var watch = System.Diagnostics.Stopwatch.StartNew();
        while (watch.Elapsed < TimeSpan.FromSeconds(3))
        {
            Assert.Empty((await MonitorEndpoints.RoutezAsync(seed, cancellationToken: ct)).RemoteIds);
            await Task.Delay(250, ct);
        }

        // With the new password in its route URL the peer is accepted.
        var newUrl = ConfigBuilder.RouteUrl(seedPorts.Cluster, "127.0.0.1", user, NewRoutePassword);
        Assert.Contains("cluster.routes (1 added, 1 removed)", await ReloadAsync(peer, (peerSpec with { Routes = [newUrl] }).ToModularToml(), ct));
        await TestCluster.WaitMeshAsync(nodes, MeshTimeout);
        await AssertMessagesCrossAsync(seed, peer, "auth.after", ct);
        foreach (var node in nodes)
        {
            Assert.False(node.OutputContains(NewRoutePassword) || node.OutputContains(SecureClusterTests.RoutePassword), "a log line shows a route password\n" + node.Describe());
        }

        static bool IsRouteAuthFailure(string line) =>
            line.Contains($"Route authentication failed for user \"{SecureClusterTests.RouteUser}\"", StringComparison.Ordinal) && line.Contains("wrong password", StringComparison.Ordinal);
    }

    [Fact]
    public async Task ServerAuth_ReloadedClientPassword_ClosesThatClient_NewPasswordWorks_OthersStay()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(120));
        var ct = timeout.Token;
        var ports = NodePorts.Allocate();
        var node = await Node.StartAsync("cauth", ClientAuthToml(ports, AliceHash), NodeBackend.Process, directory: _dir, cancellationToken: ct);
        _nodes.Add(node);

        await using var alice = await RawClientAsync(node, "alice", AlicePassword, ct);
        await using var bob = await ConnectAsync(node, "bob", BobPassword, ct);

        var outcome = await ReloadAsync(node, ClientAuthToml(ports, AliceNewHash), ct);
        Assert.Contains("plugin tables [server.auth] (client authentication (1 client(s) no longer authorized were closed))", outcome);

        // alice's connection, authorized with the old password, is closed as nats-server closes it.
        await alice.WaitForLineAsync("^-ERR 'Authorization Violation'$", TimeSpan.FromSeconds(10), ct);
        Assert.True(await alice.WaitForCloseAsync(TimeSpan.FromSeconds(10), ct), "alice still connected: " + alice.Transcript);

        // bob's password did not change: still connected.
        await bob.PingAsync(ct);
        Assert.Equal(NatsConnectionState.Open, bob.ConnectionState);

        // The old password is refused, the new one works.
        await using (var old = await RawConnection.ConnectAsync(ports.Client, "alice, old password", cancellationToken: ct))
        {
            await old.ExpectLineAsync("^INFO ", cancellationToken: ct);
            await old.SendAsync(ConnectLine("alice", AlicePassword), ct);
            await old.WaitForLineAsync("^-ERR 'Authorization Violation'$", TimeSpan.FromSeconds(10), ct);
        }

        await using var renewed = await ConnectAsync(node, "alice", AliceNewPassword, ct);
        await using var sub = await bob.SubscribeCoreAsync<string>("cauth.after", cancellationToken: ct);
        await bob.PingAsync(ct);
        Assert.Equal("cauth.after", (await SecureClusterTests.PublishUntilReceivedAsync(renewed, sub, "cauth.after", ct)).Subject);
        Assert.False(node.OutputContains(AliceNewPassword) || node.OutputContains(AlicePassword), "a log line shows a client password\n" + node.Describe());
    }

    /// <summary>
    /// Rewrites the node's config, sends SIGHUP and returns the log line with the outcome: "Reloaded FILE: ..."
    /// or "Reload refused: ...".
    /// </summary>
    private static async Task<string> ReloadAsync(Node node, string configText, CancellationToken cancellationToken)
    {
        bool IsOutcome(string line) =>
            line.Contains("Reload refused", StringComparison.Ordinal)
            || (line.Contains("Reloaded ", StringComparison.Ordinal) && line.Contains(node.ConfigPath, StringComparison.Ordinal));

        var before = node.OutputLines.Count(IsOutcome);
        await node.ReloadAsync(configText, cancellationToken);
        string? outcome = null;
        await Wait.Until(
            () => (outcome = node.OutputLines.Where(IsOutcome).Skip(before).FirstOrDefault()) is not null,
            TimeSpan.FromSeconds(20),
            $"{node.Name} to log the outcome of the reload\n{node.Describe()}");
        return outcome!;
    }

    /// <summary>Two nodes with mutually verified TLS routes (certificates CN=PREFIX-a, CN=PREFIX-b from the test CA), meshed.</summary>
    private async Task<(ConfigBuilder SpecA, Node A, ConfigBuilder SpecB, Node B)> StartTlsPairAsync(string prefix, CancellationToken cancellationToken)
    {
        var pa = NodePorts.Allocate();
        var pb = NodePorts.Allocate();
        var specA = new ConfigBuilder { AdvertiseHost = "localhost", Name = prefix + "-a", Ports = pa, Routes = [ConfigBuilder.RouteUrl(pb.Cluster, "localhost")], Tls = _ca.WriteServer(_dir, prefix + "-a") };
        var specB = new ConfigBuilder { AdvertiseHost = "localhost", Name = prefix + "-b", Ports = pb, Routes = [ConfigBuilder.RouteUrl(pa.Cluster, "localhost")], Tls = _ca.WriteServer(_dir, prefix + "-b") };
        var nodes = await StartAllAsync([specA, specB], cancellationToken);
        await TestCluster.WaitMeshAsync(nodes, MeshTimeout);
        return (specA, nodes[0], specB, nodes[1]);
    }

    private async Task<Node[]> StartAllAsync(IReadOnlyList<ConfigBuilder> specs, CancellationToken cancellationToken)
    {
        var starts = specs.Select(s => Node.StartAsync(s, NodeBackend.Process, directory: _dir, cancellationToken: cancellationToken)).ToArray();
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

    /// <summary>A client certificate from the test CA, for handshakes with a route port that verifies its peers.</summary>
    private X509Certificate2 ProbeCertificate(string name)
    {
        var (cert, key) = _ca.Issue(name);
        return X509Certificate2.CreateFromPem(cert, key);
    }

    private static async Task AssertMessagesCrossAsync(Node from, Node to, string subject, CancellationToken cancellationToken)
    {
        await using var subscriber = await SecureClusterTests.ConnectAsync(to, cancellationToken);
        await using var publisher = await SecureClusterTests.ConnectAsync(from, cancellationToken);
        await using var sub = await subscriber.SubscribeCoreAsync<string>(subject, cancellationToken: cancellationToken);
        await subscriber.PingAsync(cancellationToken);
        Assert.Equal(subject, (await SecureClusterTests.PublishUntilReceivedAsync(publisher, sub, subject, cancellationToken)).Subject);
    }

    /// <summary>A NATS.Net client over TLS that trusts <paramref name="caFile"/>; the subject of each certificate the server presents is added to <paramref name="seen"/>.</summary>
    private static Task<NatsConnection> ConnectTlsAsync(Node node, string caFile, List<string> seen, CancellationToken cancellationToken)
    {
        var tls = new NatsTlsOpts
        {
            Mode = TlsMode.Require,
            CaFile = caFile,

            // NATS.Net calls this last, after it set up the CA check: keep that check, note the certificate.
            ConfigureClientAuthentication = options =>
            {
                var check = options.RemoteCertificateValidationCallback;
                options.RemoteCertificateValidationCallback = (sender, certificate, chain, errors) =>
                {
                    lock (seen)
                    {
                        seen.Add(certificate?.Subject ?? "(none)");
                    }

                    return check?.Invoke(sender, certificate, chain, errors) ?? errors == SslPolicyErrors.None;
                };
                return ValueTask.CompletedTask;
            },
        };
        return SecureClusterTests.ConnectAsync(node, cancellationToken, tls);
    }

    private static async Task<NatsConnection> ConnectAsync(Node node, string user, string password, CancellationToken cancellationToken)
    {
        var connection = new NatsConnection(NatsOpts.Default with
        {
            Url = node.ClientUrl,
            ConnectTimeout = TimeSpan.FromSeconds(10),
            MaxReconnectRetry = 0,
            AuthOpts = NatsAuthOpts.Default with { Username = user, Password = password },
        });
        await connection.ConnectAsync().AsTask().WaitAsync(cancellationToken);
        return connection;
    }

    private static async Task<RawConnection> RawClientAsync(Node node, string user, string password, CancellationToken cancellationToken)
    {
        var raw = await RawConnection.ConnectAsync(node.Ports.Client, "raw client " + user, cancellationToken: cancellationToken);
        try
        {
            raw.AnswerPings = true;
            await raw.ExpectLineAsync("^INFO ", cancellationToken: cancellationToken);
            await raw.SendAsync(ConnectLine(user, password), cancellationToken);
            await raw.WaitForLineAsync("^PONG$", cancellationToken: cancellationToken);
            return raw;
        }
        catch
        {
            await raw.DisposeAsync();
            throw;
        }
    }

    private static string ConnectLine(string user, string password) =>
        $"CONNECT {{\"verbose\":false,\"pedantic\":false,\"user\":\"{user}\",\"pass\":\"{password}\"}}\r\nPING\r\n";

    private static string ClientTlsToml(string name, NodePorts ports, TlsFiles files, bool handshakeFirst) => $"""
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

    private static string ClientAuthToml(NodePorts ports, string aliceHash) => $$"""
        plugins = ["bcrypt"]

        [server]
        name = "cauth"
        listen = "127.0.0.1:{{ports.Client}}"

        [accounts.APP]
        users = [ { user = "alice", password = "{{aliceHash}}" }, { user = "bob", password = "{{BobHash}}" } ]

        [server.auth]
        use = "bcrypt"

        [monitor]
        listen = "127.0.0.1:{{ports.Monitor}}"
        """;

    /// <summary>The 1-based line of <paramref name="text"/> that starts with <paramref name="key"/>.</summary>
    private static int LineOf(string text, string key) =>
        text.Split('\n').Select((line, i) => (line, i)).First(p => p.line.StartsWith(key, StringComparison.Ordinal)).i + 1;

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
