using Modular.Testing;
using NATS.Client.Core;
using static Modular.Testing.ClientInfoReader;

namespace Modular.Cluster.Tests.Operations;

/// <summary>
/// Client INFO connect_urls (protocol.md §1.3, §9): every server lists its own client URL and those of
/// its route peers, so a client given one seed learns the cluster; a server entering lame duck mode
/// leaves the other servers' lists at once (an async INFO to their clients), and is listed again when
/// it comes back.
/// </summary>
public sealed class ConnectUrlsTests
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(90);
    private static readonly TimeSpan InfoTimeout = TimeSpan.FromSeconds(15);

    [Fact]
    public async Task ThreeNodes_EveryClientInfoListsAllThree_NatsNetLearnsThemFromOneSeed()
    {
        using var timeout = new CancellationTokenSource(Timeout);
        var ct = timeout.Token;
        await using var cluster = await TestCluster.StartFormedAsync(new ClusterSpec { Size = 3, NamePrefix = "curls" }, ct);
        var all = cluster.Nodes.Select(n => ClientUrl(n.ClientPort)).Order(StringComparer.Ordinal).ToList();

        foreach (var node in cluster.Nodes)
        {
            await using var raw = await RawConnection.ConnectAsync(node.ClientPort, $"raw client on {node.Name}", cancellationToken: ct);
            var urls = ConnectUrls(await ReadInfoAsync(raw, ct));
            Assert.True(all.SequenceEqual(urls.Order(StringComparer.Ordinal)), $"{node.Name}: connect_urls [{string.Join(", ", urls)}], expected [{string.Join(", ", all)}]");
            Assert.True(urls[0] == ClientUrl(node.ClientPort), $"{node.Name}: its own URL comes first, as nats-server lists it: [{string.Join(", ", urls)}]");
        }

        // NATS.Net, given only n1, knows all three servers.
        await using var client = new NatsConnection(NatsOpts.Default with { Url = $"nats://127.0.0.1:{cluster[0].ClientPort}", Name = "one-seed" });
        await client.ConnectAsync();
        var learned = (client.ServerInfo?.ClientConnectUrls ?? []).Select(StripScheme).Order(StringComparer.Ordinal).ToList();
        Assert.True(all.SequenceEqual(learned), $"NATS.Net ServerInfo.ClientConnectUrls [{string.Join(", ", learned)}]");
    }

    [Fact]
    public async Task LameDuckServer_LeavesTheOthersConnectUrls_InAnAsyncInfo_AndReturnsWhenRestarted()
    {
        using var timeout = new CancellationTokenSource(Timeout);
        var ct = timeout.Token;
        await using var cluster = await TestCluster.StartAsync(
            new ClusterSpec { Size = 3, NamePrefix = "ldurls", Backend = NodeBackend.Process, AdjustNode = (_, node) => node with { ExtraServerConfig = "lame_duck_duration = \"4s\"\nlame_duck_grace_period = \"3s\"" } },
            ct);
        var nodes = cluster.Nodes;
        try
        {
            await cluster.WaitFormedAsync(timeout: TimeSpan.FromSeconds(30));
            var (n1, n2, n3) = (nodes[0], nodes[1], nodes[2]);
            var url1 = ClientUrl(n1.ClientPort);
            var url2 = ClientUrl(n2.ClientPort);
            var url3 = ClientUrl(n3.ClientPort);

            // Protocol-1 clients past their first PONG take async INFO; the one on n1 also keeps n1 in lame duck mode for the duration.
            var (onN1, _) = await ConnectAsyncInfoClientAsync(n1.ClientPort, ct);
            await using var closeOnN1 = onN1;
            var (onN2, firstOnN2) = await ConnectAsyncInfoClientAsync(n2.ClientPort, ct);
            await using var closeOnN2 = onN2;
            var (onN3, _) = await ConnectAsyncInfoClientAsync(n3.ClientPort, ct);
            await using var closeOnN3 = onN3;
            Assert.Equal(Sorted(url1, url2, url3), SortedConnectUrls(firstOnN2));

            n1.Signal(Signals.LameDuck);

            // n1's own client: told to move, and only where to.
            var ldm = await WaitForInfoAsync(onN1, IsLameDuck, "with ldm", InfoTimeout, ct);
            Assert.Equal(Sorted(url2, url3), SortedConnectUrls(ldm));

            // The other servers' clients: n1 is gone from the list, and nobody tells them to move.
            foreach (var raw in new[] { onN2, onN3 })
            {
                var update = await WaitForInfoAsync(raw, _ => true, "(any)", InfoTimeout, ct);
                Assert.False(IsLameDuck(update), $"{raw.Label} was told ldm: {update}");
                Assert.Equal(Sorted(url2, url3), SortedConnectUrls(update));
            }

            Assert.Equal(0, await n1.WaitExitAsync(TimeSpan.FromSeconds(20)));

            // n1's routes closing changed nothing more (its URL had already gone): the next INFO is about n1's return.
            await n1.RestartAsync(ct);
            foreach (var raw in new[] { onN2, onN3 })
            {
                var back = await WaitForInfoAsync(raw, _ => true, "(any)", InfoTimeout, ct);
                Assert.Equal(Sorted(url1, url2, url3), SortedConnectUrls(back));
            }
        }
        finally
        {
            foreach (var node in nodes)
            {
                await node.DisposeAsync();
            }
        }
    }

    [Fact]
    public async Task NoAdvertise_ServerListsNoUrls_AndDoesNotSendItsOwnToPeers()
    {
        using var timeout = new CancellationTokenSource(Timeout);
        var ct = timeout.Token;
        // Only n1 says no_advertise: it lists nobody, and n2 learns no URL from n1's route INFO (so lists nothing either).
        await using var cluster = await TestCluster.StartFormedAsync(
            new ClusterSpec { Size = 2, NamePrefix = "noadv", AdjustNode = (i, node) => i == 0 ? node with { ExtraClusterConfig = "no_advertise = true" } : node },
            ct);

        foreach (var node in cluster.Nodes)
        {
            await using var raw = await RawConnection.ConnectAsync(node.ClientPort, $"raw client on {node.Name}", cancellationToken: ct);
            var info = await ReadInfoAsync(raw, ct);
            Assert.False(info.TryGetProperty("connect_urls", out _), $"{node.Name} lists connect_urls: {info}");
        }
    }

    private static string ClientUrl(int port) => $"127.0.0.1:{port}";

    private static IReadOnlyList<string> Sorted(params string[] urls) => urls.Order(StringComparer.Ordinal).ToList();

    private static string StripScheme(string url) => url.Contains("://", StringComparison.Ordinal) ? new Uri(url).Authority : url;
}
