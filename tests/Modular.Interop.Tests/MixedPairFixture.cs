using Modular.Testing;

namespace Modular.Interop.Tests;

/// <summary>
/// One modular node (index 0, default pool) and one real nats-server node (index 1), each listing
/// the other in its routes. A missing nats-server binary fails every test of the class with a
/// message saying how to get it.
/// </summary>
public abstract class MixedPairFixture : IAsyncLifetime
{
    private TestCluster? _cluster;

    /// <summary>The nats-server program (throws <see cref="PeerProgramMissingException"/> when absent).</summary>
    protected abstract NodeProgram Peer();

    /// <summary>pool_size written in the nats-server config (null: leave it out).</summary>
    protected abstract int? PeerPoolSize { get; }

    /// <summary>Route connections each side should end with.</summary>
    public abstract int ExpectedConnections { get; }

    /// <summary>Whether one of those connections is the pinned $SYS route.</summary>
    public abstract bool ExpectsPinnedSys { get; }

    public TestCluster Cluster => _cluster ?? throw new InvalidOperationException("The mixed cluster did not start");

    public Node Modular => Cluster[0];

    public Node NatsServer => Cluster[1];

    public string PeerLabel { get; private set; } = "";

    public async Task InitializeAsync()
    {
        var peer = Peer();
        PeerLabel = peer.Label;
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(90));
        _cluster = await TestCluster.StartFormedAsync(
            new ClusterSpec
            {
                Size = 2,
                NamePrefix = "mix-",
                Backend = NodeBackend.Process, // interop runs every server as a process
                ProgramFor = i => i == 0 ? NodeProgram.Modular : peer,
                AdjustNode = (i, node) => i == 1 ? node with { PoolSize = PeerPoolSize } : node,
            },
            timeout.Token);

        // Tests read raw clients line by line: a route dropped and dialed again right after forming would
        // cost them interest and send them async INFOs (see WaitRoutesSettledAsync).
        await _cluster.WaitRoutesSettledAsync(ExpectedConnections, TimeSpan.FromSeconds(2), cancellationToken: timeout.Token);
    }

    public async Task DisposeAsync()
    {
        if (_cluster is not null)
        {
            await _cluster.DisposeAsync();
        }
    }
}

/// <summary>Debian bookworm's nats-server 2.9.10: a legacy peer (one route, no pool, no $SYS route).</summary>
public sealed class NatsServer29Pair : MixedPairFixture
{
    protected override NodeProgram Peer() => NodeProgram.NatsServer29;

    protected override int? PeerPoolSize => null;

    public override int ExpectedConnections => 1;

    public override bool ExpectsPinnedSys => false;
}

/// <summary>nats-server 2.10 with pool_size 3: 3 pooled routes plus the pinned $SYS route.</summary>
public sealed class NatsServer210Pair : MixedPairFixture
{
    protected override NodeProgram Peer() => NodeProgram.NatsServer210;

    protected override int? PeerPoolSize => 3;

    public override int ExpectedConnections => 4;

    public override bool ExpectsPinnedSys => true;
}
