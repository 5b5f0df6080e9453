namespace Modular.Core.Config;

/// <summary>The <c>[cluster]</c> table and its plugin sub-tables.</summary>
public sealed class ClusterOptions
{
    public string? Name { get; set; }

    public string Host { get; set; } = "0.0.0.0";

    public int Port { get; set; } = 6222;

    public List<Uri> Routes { get; set; } = new();

    /// <summary>The line each of <see cref="Routes"/> is written on (same order), for plugins that check the route list.</summary>
    public List<int> RouteLines { get; set; } = new();

    /// <summary>Pooled route connections per remote; -1 turns pooling off. A 0 in the file means the default, 3.</summary>
    public int PoolSize { get; set; } = 3;

    public string? Advertise { get; set; }

    public bool NoAdvertise { get; set; }

    public int ConnectRetries { get; set; }

    /// <summary>Double the wait between failed dials up to 30 s, instead of a fixed second.</summary>
    public bool ConnectBackoff { get; set; }

    /// <summary>cluster.ping_interval, or the server's ping_interval when not set (routes cap it at 30 s).</summary>
    public TimeSpan PingInterval { get; set; } = TimeSpan.FromMinutes(2);

    /// <summary>Sub-tables that select a plugin with <c>use</c> (tls, auth, compression, discovery, pinning, or any other), by table name.</summary>
    public Dictionary<string, PluginTable> PluginTables { get; set; } = new(StringComparer.Ordinal);
}
