namespace Modular.Core.Config;

/// <summary>A whole broker configuration, bound from one TOML file (DESIGN.md §3) or the defaults.</summary>
public sealed class ModularOptions
{
    /// <summary>The file this was read from (a full path when read by <see cref="ConfigLoader.Load"/>), or null for the built-in defaults.</summary>
    public string? SourceFile { get; set; }

    /// <summary>The file as the user named it (for messages); null for the built-in defaults.</summary>
    public string? SourceName { get; set; }

    /// <summary>The root <c>plugins</c> list: bare names (bundled) and paths (relative to the file).</summary>
    public List<string> Plugins { get; set; } = new();

    /// <summary>The 1-based line of each entry of <see cref="Plugins"/>, for error messages.</summary>
    public Dictionary<string, int> PluginLines { get; set; } = new(StringComparer.Ordinal);

    public ServerOptions Server { get; set; } = new();

    public MonitorOptions Monitor { get; set; } = new();

    public LogOptions Log { get; set; } = new();

    /// <summary>Named accounts; empty means every client lands in the global account <c>$G</c>.</summary>
    public Dictionary<string, AccountOptions> Accounts { get; set; } = new(StringComparer.Ordinal);

    /// <summary>Null when there is no <c>[cluster]</c> table: the server runs alone.</summary>
    public ClusterOptions? Cluster { get; set; }

    /// <summary>Null when there is no <c>[gateway]</c> table: the cluster is not part of a super-cluster.</summary>
    public GatewayOptions? Gateway { get; set; }

    /// <summary>The <c>[leafnodes]</c> table; null when the server neither accepts nor dials leaf nodes.</summary>
    public LeafnodeOptions? Leafnodes { get; set; }

    /// <summary>Things that work but deserve a look (e.g. a very large max_payload); the host logs them at start and <c>check</c> prints them.</summary>
    public List<ConfigError> Warnings { get; set; } = new();
}
