using Modular.Testing;
using static Modular.Testing.ClientInfoReader;

namespace Modular.Interop.Tests;

/// <summary>
/// Client connect_urls across a modular node and a real nats-server (protocol.md §1.3, §9): each learns
/// the other's client URL from its route INFO and lists it to its clients, and each takes the other
/// out of that list when it announces lame duck mode. Each test runs its own pair, since lame duck
/// mode ends with the server exiting.
/// </summary>
public abstract class MixedConnectUrlsTests
{
    private static readonly TimeSpan InfoTimeout = TimeSpan.FromSeconds(15);

    /// <summary>The nats-server program (throws <see cref="PeerProgramMissingException"/> when absent).</summary>
    protected abstract NodeProgram Peer();

    /// <summary>pool_size written in the nats-server config (null: leave it out).</summary>
    protected abstract int? PeerPoolSize { get; }

    [Fact]
    public async Task EachListsTheOther_AndDropsItWhenItEntersLameDuckMode()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(120));
        var ct = timeout.Token;
        var peer = Peer();
        await using var cluster = await TestCluster.StartFormedAsync(
            new ClusterSpec
            {
                Size = 2,
                NamePrefix = "mixurl-",
                Backend = NodeBackend.Process, // interop runs every server as a process
                ProgramFor = i => i == 0 ? NodeProgram.Modular : peer,
                AdjustNode = (i, node) => i == 0
                    ? node with { ExtraServerConfig = "lame_duck_duration = \"4s\"\nlame_duck_grace_period = \"3s\"" }
                    : node with { PoolSize = PeerPoolSize, ExtraServerConfig = "lame_duck_duration: \"30s\"\nlame_duck_grace_period: \"29s\"" },
            },
            ct);
        // A route dropped and dialed again right after forming would be heard as connect_urls changes.
        var connectionsPerPeer = PeerPoolSize is null ? 1 : PeerPoolSize.Value + 1;
        await cluster.WaitRoutesSettledAsync(connectionsPerPeer, TimeSpan.FromSeconds(2), cancellationToken: ct);
        var (modular, nats) = (cluster[0], cluster[1]);
        var modularUrl = $"127.0.0.1:{modular.ClientPort}";
        var natsUrl = $"127.0.0.1:{nats.ClientPort}";
        var both = new[] { modularUrl, natsUrl };

        // Both list both: nats-server learned modular's URL from its route INFO, and modular nats-server's.
        var (onModular, _) = await ConnectAsyncInfoClientAsync(modular.ClientPort, ct);
        await using var closeOnModular = onModular;
        var (onNats, _) = await ConnectAsyncInfoClientAsync(nats.ClientPort, ct);
        await using var closeOnNats = onNats;
        await AssertListsAsync(modular, both, ct);
        await AssertListsAsync(nats, both, ct);

        // nats-server in lame duck mode: modular's clients are told it is gone.
        nats.Signal(12);
        await WaitForConnectUrlsAsync(onModular, [modularUrl], InfoTimeout, ct);
        await WaitForInfoAsync(onNats, IsLameDuck, "with ldm from " + peer.Label, InfoTimeout, ct);

        // Killed (nats-server's lame duck mode lasts at least 30 s) and back with a new server id: listed again.
        await nats.RestartAsync(ct);
        await WaitForConnectUrlsAsync(onModular, both, InfoTimeout, ct);
        await cluster.WaitRoutesSettledAsync(connectionsPerPeer, TimeSpan.FromSeconds(2), cancellationToken: ct);
        var (onNatsAgain, _) = await ConnectAsyncInfoClientAsync(nats.ClientPort, ct);
        await using var closeOnNatsAgain = onNatsAgain;
        await AssertListsAsync(nats, both, ct);

        // modular in lame duck mode: nats-server's clients are told it is gone; modular's own client is told to move there.
        modular.Signal(12);
        var ldm = await WaitForInfoAsync(onModular, IsLameDuck, "with ldm", InfoTimeout, ct);
        Assert.Equal(new[] { natsUrl }, SortedConnectUrls(ldm));
        await WaitForConnectUrlsAsync(onNatsAgain, [natsUrl], InfoTimeout, ct);
        Assert.Equal(0, await modular.WaitExitAsync(TimeSpan.FromSeconds(20)));
    }

    /// <summary>A new client of <paramref name="node"/> gets an INFO listing exactly <paramref name="urls"/> (retried while routes settle).</summary>
    private static async Task AssertListsAsync(Node node, IReadOnlyList<string> urls, CancellationToken ct)
    {
        var expected = urls.Order(StringComparer.Ordinal).ToList();
        IReadOnlyList<string> last = [];
        var deadline = DateTime.UtcNow + InfoTimeout;
        while (DateTime.UtcNow < deadline)
        {
            await using var raw = await RawConnection.ConnectAsync(node.ClientPort, $"raw client on {node.Name}", cancellationToken: ct);
            last = SortedConnectUrls(await ReadInfoAsync(raw, ct));
            if (last.SequenceEqual(expected))
            {
                return;
            }

            await Task.Delay(100, ct);
        }

        Assert.Fail($"{node.Program.Label} {node.Name}: connect_urls [{string.Join(", ", last)}], expected [{string.Join(", ", expected)}]\n{node.Describe(30)}");
    }
}

/// <summary>Against Debian bookworm's nats-server 2.9.10 (one route, no pool).</summary>
public sealed class MixedConnectUrlsTests29 : MixedConnectUrlsTests
{
    protected override NodeProgram Peer() => NodeProgram.NatsServer29;

    protected override int? PeerPoolSize => null;
}

/// <summary>Against nats-server 2.10 with pool_size 3.</summary>
public sealed class MixedConnectUrlsTests210 : MixedConnectUrlsTests
{
    protected override NodeProgram Peer() => NodeProgram.NatsServer210;

    protected override int? PeerPoolSize => 3;
}
