using System.Text;
using Modular.Testing;

namespace Modular.Interop.Tests.Compression;

/// <summary>
/// S2 route compression (protocol.md §5) between two modular servers at every mode, and between
/// modular and nats-server 2.10 in both dialing directions: /routez shows each side's chosen level
/// (levels are asymmetric), and messages cross intact both ways — a JSON-like payload and a 200 KiB
/// random one, which exercise compressed and uncompressed chunks.
/// </summary>
public sealed class RouteCompressionTests
{
    public static TheoryData<string, string, string, string> ModularPairs => new()
    {
        // mode on A, mode on B, what A's /routez shows, what B's /routez shows
        { "s2_fast", "s2_fast", "s2_fast", "s2_fast" },
        { "s2_fast", "s2_better", "s2_fast", "s2_better" },
        { "s2_best", "accept", "s2_best", "s2_best" },
        { "accept", "accept", "off", "off" },
        { "off", "s2_fast", "off", "off" },
        { "s2_auto", "accept", "s2_uncompressed", "s2_fast" },
    };

    [Theory]
    [MemberData(nameof(ModularPairs))]
    public async Task Compression_TwoModularServers_ChosenLevelsAndIntactMessages(string modeA, string modeB, string shownA, string shownB)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(90));
        var ct = timeout.Token;
        await using var group = new TestCluster();
        var (a, b) = await group.AddDialingPairAsync((NodeProgram.Modular, ModularSpec("cz-a", modeA)), (NodeProgram.Modular, ModularSpec("cz-b", modeB)), NodeBackend.Process, ct);
        Node[] nodes = [a, b];
        await group.WaitFormedAsync(timeout: TimeSpan.FromSeconds(30), cancellationToken: ct);

        await AssertCompressionAsync(nodes[0], shownA, ct);
        await AssertCompressionAsync(nodes[1], shownB, ct);
        await AssertMessagesBothWaysAsync(nodes[0], nodes[1], ct);
    }

    [Theory]
    [InlineData("s2_fast", "s2_better", true)]
    [InlineData("s2_better", "s2_fast", false)]
    [InlineData("accept", "s2_best", true)]
    [InlineData("s2_best", "accept", false)]
    [InlineData("s2_auto", "s2_fast", true)]
    [InlineData("off", "s2_fast", false)]
    public async Task Compression_ModularAndNatsServer210_BothWays(string modularMode, string natsMode, bool modularDials)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(120));
        var ct = timeout.Token;
        var natsSpec = new ConfigBuilder
        {
            Name = "czn",
            PoolSize = 3,
            ExtraClusterConfig = $"compression: {natsMode}",
        };
        await using var group = new TestCluster();
        (NodeProgram, ConfigBuilder) modularNode = (NodeProgram.Modular, ModularSpec("czm", modularMode));
        (NodeProgram, ConfigBuilder) natsNode = (NodeProgram.NatsServer210, natsSpec);
        var (dialer, accepter) = await group.AddDialingPairAsync(modularDials ? modularNode : natsNode, modularDials ? natsNode : modularNode, NodeBackend.Process, ct);
        Node[] nodes = modularDials ? [dialer, accepter] : [accepter, dialer];
        await group.WaitFormedAsync(timeout: TimeSpan.FromSeconds(30), cancellationToken: ct);

        var expectedOff = modularMode == "off" || natsMode == "off";
        foreach (var node in nodes)
        {
            await Modular.Testing.Wait.Until(
                async () =>
                {
                    var routez = await MonitorEndpoints.RoutezAsync(node, cancellationToken: ct);
                    return routez.Routes.Count == 4 && routez.Routes.All(r => expectedOff ? r.Compression == "off" : r.Compression?.StartsWith("s2_", StringComparison.Ordinal) == true);
                },
                TimeSpan.FromSeconds(20),
                $"{node.Name}: 4 routes, each {(expectedOff ? "off" : "compressed")}: {(await MonitorEndpoints.RoutezAsync(node, cancellationToken: ct)).Summary()}");
        }

        await AssertMessagesBothWaysAsync(nodes[0], nodes[1], ct);
    }

    private static ConfigBuilder ModularSpec(string name, string mode) => new()
    {
        Name = name,
        Plugins = ["s2"],
        ExtraConfig = $"[cluster.compression]\nuse = \"s2\"\nmode = \"{mode}\"",
    };

    private static async Task AssertCompressionAsync(Node node, string expected, CancellationToken ct)
    {
        var last = "";
        await Modular.Testing.Wait.Until(
            async () =>
            {
                var routez = await MonitorEndpoints.RoutezAsync(node, cancellationToken: ct);
                last = routez.Summary();
                return routez.Routes.Count > 0 && routez.Routes.All(r => r.Compression == expected);
            },
            TimeSpan.FromSeconds(20),
            $"{node.Name}: every route should show compression \"{expected}\"");
        Assert.False(string.IsNullOrEmpty(last));
    }

    private static async Task AssertMessagesBothWaysAsync(Node a, Node b, CancellationToken ct)
    {
        var json = Encoding.UTF8.GetBytes(string.Concat(Enumerable.Range(0, 200).Select(i => $"{{\"order\":{i},\"status\":\"shipped\",\"items\":[\"book\",\"pen\"]}}")));
        var random = new byte[200 * 1024];
        new Random(7).NextBytes(random);
        foreach (var (from, to) in new[] { (a, b), (b, a) })
        {
            await using var publisher = await Clients.ConnectAsync(from, ct);
            await using var subscriber = await Clients.ConnectAsync(to, ct);
            await using var subscription = await subscriber.SubscribeCoreAsync<byte[]>("cz.data", cancellationToken: ct);
            await Propagation.AwaitInterestAsync(publisher, subscriber, ct);
            for (var i = 0; i < 20; i++)
            {
                await publisher.PublishAsync("cz.data", i % 2 == 0 ? json : random, cancellationToken: ct);
            }

            for (var i = 0; i < 20; i++)
            {
                var message = await subscription.Msgs.ReadAsync(ct);
                Assert.True((i % 2 == 0 ? json : random).AsSpan().SequenceEqual(message.Data), $"message {i} from {from.Name} to {to.Name} arrived altered");
            }
        }
    }
}
