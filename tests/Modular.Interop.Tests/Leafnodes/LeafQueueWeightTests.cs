using System.Net.Sockets;
using System.Text;
using Modular.Testing;
using NATS.Client.Core;

namespace Modular.Interop.Tests.Leafnodes;

/// <summary>
/// A queue group's members on another server of the hub cluster reach a leaf as one LS+ whose weight
/// is their number (the route's RS+ weight, as nats-server's qw), updated as members come and go.
/// The leaf is this test, on the wire.
/// </summary>
public sealed class LeafQueueWeightTests
{
    [Fact]
    public async Task QueueMembersOnRoutePeer_LeafToldTheirNumber()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        var ct = timeout.Token;
        var leafPort = FreePort.Next();
        await using var nodes = new TestCluster();
        var h1 = await nodes.AddAsync(NodeProgram.Modular, LeafPair.HubConfig(leafPort).Named("h1").Cluster("hub"), cancellationToken: ct);
        var h2 = await nodes.AddAsync(NodeProgram.Modular, LeafPair.WithAccounts(new ConfigBuilder { Name = "h2" }).Cluster("hub").Route(h1.RouteUrl), cancellationToken: ct);
        await TestCluster.WaitMeshAsync([h1, h2], TestCluster.FormTimeout, ct);

        using var leaf = new TcpClient();
        await leaf.ConnectAsync("127.0.0.1", leafPort, ct);
        var stream = leaf.GetStream();
        using var reader = new StreamReader(stream, Encoding.ASCII);
        var info = await reader.ReadLineAsync(ct);
        Assert.StartsWith("INFO ", info);
        await stream.WriteAsync(Encoding.ASCII.GetBytes("CONNECT {\"name\":\"raw\",\"server_id\":\"RAWLEAF1\",\"headers\":true,\"protocol\":1,\"user\":\"leafA\",\"pass\":\"pw\"}\r\n"), ct);

        var subject = "leaf.weight." + Guid.NewGuid().ToString("N");
        await using var onH2 = await Clients.ConnectAsync(h2, ct, "a", LeafPair.Password);
        var members = new List<INatsSub<int>>();
        for (var i = 0; i < 3; i++)
        {
            members.Add(await onH2.SubscribeCoreAsync<int>(subject, queueGroup: "workers", cancellationToken: ct));
        }

        await onH2.PingAsync(ct);
        await ReadUntilAsync(reader, $"LS+ {subject} workers 3", ct);

        await members[0].DisposeAsync();
        await members[1].DisposeAsync();
        await ReadUntilAsync(reader, $"LS+ {subject} workers 1", ct);
        await members[2].DisposeAsync();
        await ReadUntilAsync(reader, $"LS- {subject} workers", ct);
    }

    private static async Task ReadUntilAsync(StreamReader reader, string expected, CancellationToken ct)
    {
        using var wait = CancellationTokenSource.CreateLinkedTokenSource(ct);
        wait.CancelAfter(TimeSpan.FromSeconds(20));
        var seen = new List<string>();
        while (true)
        {
            string? line;
            try
            {
                line = await reader.ReadLineAsync(wait.Token);
            }
            catch (OperationCanceledException) when (!ct.IsCancellationRequested)
            {
                throw new TimeoutException($"no \"{expected}\" in 20 s; the hub sent:\n{string.Join("\n", seen)}");
            }

            Assert.NotNull(line);
            if (line == expected)
            {
                return;
            }

            seen.Add(line);
        }
    }
}
