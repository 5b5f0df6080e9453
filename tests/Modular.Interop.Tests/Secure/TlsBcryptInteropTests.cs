using Modular.Testing;
using Modular.Testing.Secure;
using NATS.Client.Core;

namespace Modular.Interop.Tests.Secure;

/// <summary>
/// modular, nats-server 2.9 and nats-server 2.10 in one full mesh whose routes use TLS with mutual
/// verification against one CA and bcrypt route authorization (each server stores only the hash; the
/// route URLs carry the plain password), checked with messages in both directions.
/// </summary>
public sealed class TlsBcryptInteropTests : IDisposable
{
    /// <summary>bcrypt (cost 6) of <see cref="RoutePassword"/>, from <c>modular passwd --cost 6</c>.</summary>
    private const string RouteHash = "$2a$06$9gHufZjKgzo907DhZgQE4O.uhwJJXl.IdQLayt6y.btLCPOBsxjni";
    private const string RoutePassword = "route-pw";
    private const string RouteUser = "ruser";

    private readonly string _dir = Directory.CreateTempSubdirectory("modular-tls-interop-").FullName;
    private readonly DevCertificates _ca = DevCertificates.CreateAuthority("Interop CA");
    private readonly List<Node> _nodes = new();

    [Fact]
    public async Task MixedTrio_TlsVerifyAndBcryptRoutes_MeshFormsAndMessagesFlowBothWays()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(120));
        var ct = timeout.Token;
        NodeProgram[] programs = [NodeProgram.Modular, NodeProgram.NatsServer29, NodeProgram.NatsServer210];
        var ports = programs.Select(_ => NodePorts.Allocate()).ToArray();
        var specs = programs.Select((_, i) => new ConfigBuilder
        {
            AdvertiseHost = "localhost",
            Name = new[] { "modular", "nats29", "nats210" }[i],
            Ports = ports[i],
            Routes = ports.Where((_, j) => j != i).Select(o => ConfigBuilder.RouteUrl(o.Cluster, "localhost", RouteUser, RoutePassword)).ToArray(),
            Tls = _ca.WriteServer(_dir, $"node{i}"),
            RouteAuth = (RouteUser, RouteHash),
        }).ToArray();

        var starts = specs.Select((s, i) => Node.StartAsync(s, NodeBackend.Process, programs[i], _dir, ct)).ToArray();
        try
        {
            await Task.WhenAll(starts);
        }
        finally
        {
            _nodes.AddRange(starts.Where(s => s.IsCompletedSuccessfully).Select(s => s.Result));
        }

        var nodes = starts.Select(s => s.Result).ToArray();
        await TestCluster.WaitMeshAsync(nodes, TimeSpan.FromSeconds(60));

        var connections = new List<NatsConnection>();
        try
        {
            foreach (var node in nodes)
            {
                var connection = new NatsConnection(NatsOpts.Default with { Url = node.ClientUrl, MaxReconnectRetry = 0, ConnectTimeout = TimeSpan.FromSeconds(10) });
                await connection.ConnectAsync().AsTask().WaitAsync(ct);
                connections.Add(connection);
            }

            // Each server publishes to a subscriber on each other server: modular → nats and nats → modular.
            for (var from = 0; from < nodes.Length; from++)
            {
                for (var to = 0; to < nodes.Length; to++)
                {
                    if (from == to)
                    {
                        continue;
                    }

                    var subject = $"interop.{nodes[from].Name}.to.{nodes[to].Name}";
                    await using var sub = await connections[to].SubscribeCoreAsync<string>(subject, cancellationToken: ct);
                    await connections[to].PingAsync(ct);
                    var message = await PublishUntilReceivedAsync(connections[from], sub, subject, ct);
                    Assert.Equal(subject, message.Subject);
                }
            }
        }
        finally
        {
            foreach (var connection in connections)
            {
                await connection.DisposeAsync();
            }
        }

        Assert.True(nodes[0].OutputContains("TLS for [cluster.tls]"), nodes[0].Describe());
        Assert.False(nodes[0].OutputContains("handshake error"), nodes[0].Describe());
    }

    private static async Task<NatsMsg<string>> PublishUntilReceivedAsync(NatsConnection publisher, INatsSub<string> sub, string subject, CancellationToken cancellationToken)
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
