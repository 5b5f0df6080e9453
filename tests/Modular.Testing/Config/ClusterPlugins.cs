namespace Modular.Testing;

/// <summary>Config fragments for the bundled gossip and pinning plugins (and nats-server's equivalents).</summary>
public static class ClusterPlugins
{
    /// <summary>modular: loads the gossip plugin and selects it in <c>[cluster.discovery]</c>.</summary>
    public static ConfigBuilder WithGossip(this ConfigBuilder spec, string mode = "default", params string[] seeds) =>
        spec with
        {
            Plugins = spec.Plugins.Contains("gossip") ? spec.Plugins : [.. spec.Plugins, "gossip"],
            ExtraConfig = Join(
                spec.ExtraConfig,
                $"[cluster.discovery]\nuse = \"gossip\"\nmode = \"{mode}\"\n"
                + (seeds.Length == 0 ? "" : $"seeds = [{string.Join(", ", seeds.Select(s => "\"" + s + "\""))}]\n")),
        };

    /// <summary>modular: loads the pinning plugin with these accounts; nats-server: <c>cluster.accounts</c>.</summary>
    public static ConfigBuilder WithPinnedAccounts(this ConfigBuilder spec, NodeFlavor flavor, params string[] accounts)
    {
        var list = string.Join(", ", accounts.Select(a => "\"" + a + "\""));
        return flavor == NodeFlavor.Modular
            ? spec with
            {
                Plugins = spec.Plugins.Contains("pinning") ? spec.Plugins : [.. spec.Plugins, "pinning"],
                ExtraConfig = Join(spec.ExtraConfig, $"[cluster.pinning]\nuse = \"pinning\"\naccounts = [{list}]\n"),
            }
            : spec with { ExtraClusterConfig = Join(spec.ExtraClusterConfig, $"accounts: [{list}]\n") };
    }

    /// <summary>Adds a line to the cluster section (<c>connect_retries = 1</c> for modular, <c>connect_retries: 1</c> for nats-server).</summary>
    public static ConfigBuilder WithClusterLine(this ConfigBuilder spec, string line) =>
        spec with { ExtraClusterConfig = Join(spec.ExtraClusterConfig, line + "\n") };

    private static string Join(string? first, string second) =>
        string.IsNullOrEmpty(first) ? second : first.TrimEnd('\n') + "\n\n" + second;
}
