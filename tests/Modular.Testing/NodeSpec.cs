
namespace Modular.Testing;

/// <summary>The three loopback ports of one node, chosen before any node starts so routes can name them.</summary>
public sealed record NodePorts(int Client, int Monitor, int Cluster)
{
    public static NodePorts Allocate() => new(FreePort.Next(), FreePort.Next(), FreePort.Next());
}

/// <summary>Which server program a node runs.</summary>
public enum NodeFlavor
{
    Modular,
    NatsServer,
}

/// <summary>
/// What one cluster node is: its name, ports, cluster settings and accounts. Rendered as TOML for
/// <c>modular</c> and as a nats-server config file for a reference peer.
/// </summary>
public sealed record NodeSpec
{
    public required string Name { get; init; }

    public required NodePorts Ports { get; init; }

    public string ClusterName { get; init; } = "c1";

    /// <summary>Cluster ports this node dials (<c>nats-route://127.0.0.1:PORT</c>).</summary>
    public IReadOnlyList<int> Routes { get; init; } = [];

    /// <summary>
    /// <c>pool_size</c>; null leaves it out (the server's default: 3 for modular and nats-server 2.10,
    /// no pooling for 2.9). -1 turns pooling off.
    /// </summary>
    public int? PoolSize { get; init; }

    /// <summary>Account name → users. Any account makes client auth required.</summary>
    public IReadOnlyDictionary<string, (string User, string Password)[]> Accounts { get; init; } =
        new Dictionary<string, (string User, string Password)[]>();

    public string LogLevel { get; init; } = "info";

    /// <summary>
    /// nats-server only: <c>no_sys_acc: true</c>, so a reference server sends no <c>$SYS</c> interest on
    /// routes (as nats-server's own raw route tests run it). Modular has no such key; it is not written there.
    /// </summary>
    public bool NoSystemAccount { get; init; }

    /// <summary>
    /// modular only: the root <c>plugins = [...]</c> list (bundled names such as "gossip", "pinning"),
    /// written before the first table. Empty: no plugins key.
    /// </summary>
    public IReadOnlyList<string> Plugins { get; init; } = [];

    /// <summary>
    /// Extra lines written inside the cluster section, after routes and pool_size: TOML for modular
    /// (e.g. <c>connect_retries = 1</c>), nats-server syntax for a reference peer (e.g.
    /// <c>accounts: ["A"]</c>). Null: none.
    /// </summary>
    public string? ExtraClusterConfig { get; init; }

    /// <summary>
    /// Extra server settings, one per line: TOML inside <c>[server]</c> for modular (e.g.
    /// <c>lame_duck_duration = "4s"</c>), top-level nats-server syntax for a reference peer (e.g.
    /// <c>lame_duck_duration: "4s"</c>). Null: none.
    /// </summary>
    public string? ExtraServerConfig { get; init; }

    /// <summary>
    /// Text appended at the end of the config file: for modular, plugin tables such as
    /// <c>[cluster.discovery]</c>; for nats-server, top-level settings. Null: none.
    /// </summary>
    public string? ExtraConfig { get; init; }

    /// <summary>How long the harness waits for the node to serve (null: 30 s); many nodes started at once on a small machine need more.</summary>
    public TimeSpan? StartTimeout { get; init; }

    /// <summary>Route connections expected per remote server for this pool setting with a peer of the same setting.</summary>
    public int ConnectionsPerPeer => PoolSize switch
    {
        null or 0 => 4,
        < 0 => 1,
        { } size => size + 1,
    };
}
