using Modular.Testing;

namespace Modular.Plugins.Gossip.Tests;

/// <summary>Node plans for the gossip tests: who seeds whom.</summary>
internal static class GossipSpecs
{
    /// <summary>
    /// <paramref name="size"/> nodes named <paramref name="prefix"/>1…; node i lists the cluster ports
    /// <paramref name="seedsOf"/>(i) gives (indexes into the same plan).
    /// </summary>
    public static ConfigBuilder[] Plan(int size, string prefix, Func<int, int[]> seedsOf, Func<int, ConfigBuilder, ConfigBuilder>? adjust = null)
    {
        var ports = Enumerable.Range(0, size).Select(_ => NodePorts.Allocate()).ToArray();
        return Enumerable.Range(0, size)
            .Select(i =>
            {
                var spec = new ConfigBuilder
                {
                    Name = $"{prefix}{i + 1}",
                    Ports = ports[i],
                    Routes = seedsOf(i).Select(j => ConfigBuilder.RouteUrl(ports[j].Cluster)).ToArray(),
                };
                return adjust?.Invoke(i, spec) ?? spec;
            })
            .ToArray();
    }

    /// <summary>Every node but the first lists only the first.</summary>
    public static int[] Star(int i) => i == 0 ? [] : [0];

    /// <summary>Node i lists node i-1 only.</summary>
    public static int[] Chain(int i) => i == 0 ? [] : [i - 1];

    /// <summary>The program under test (modular, or a reference server when MODULAR_CLUSTER_SERVER says so).</summary>
    public static NodeProgram Program => NodeProgram.UnderTest;

    /// <summary>Route connections per peer with default pool settings: 1 for nats-server 2.9 (no pool), else 3 pooled + $SYS.</summary>
    public static int DefaultConnectionsPerPeer =>
        Program.Flavor == NodeFlavor.NatsServer && Program.Label.Contains("v2.9.", StringComparison.Ordinal) ? 1 : 4;

    /// <summary>Gossip on, in modular's way (the plugin); nats-server gossips anyway.</summary>
    public static ConfigBuilder Gossiping(ConfigBuilder spec, string mode = "default") =>
        Program.Flavor == NodeFlavor.Modular ? spec.WithGossip(mode) : spec;
}
