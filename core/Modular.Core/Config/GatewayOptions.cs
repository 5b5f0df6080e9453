namespace Modular.Core.Config;

/// <summary>The <c>[gateway]</c> table: this server's side of a super-cluster (nats-server's <c>gateway {}</c>).</summary>
public sealed class GatewayOptions
{
    /// <summary>The name of this server's cluster in the super-cluster; every server of the cluster uses the same.</summary>
    public string Name { get; set; } = "";

    public string Host { get; set; } = "0.0.0.0";

    public int Port { get; set; } = 7222;

    /// <summary>The gateway URL given to other clusters (host:port); null: the listen address.</summary>
    public string? Advertise { get; set; }

    /// <summary>Redials of an implicit (gossiped) gateway before it is forgotten; 0: one attempt. Explicit gateways are redialed forever.</summary>
    public int ConnectRetries { get; set; }

    /// <summary>Refuse inbound gateways whose cluster is not in <see cref="Gateways"/>.</summary>
    public bool RejectUnknown { get; set; }

    /// <summary>The other clusters this one dials (one outbound connection per cluster).</summary>
    public List<RemoteGatewayOptions> Gateways { get; set; } = new();

    /// <summary>Sub-tables that select a plugin with <c>use</c> ([gateway.tls]), by table name.</summary>
    public Dictionary<string, PluginTable> PluginTables { get; set; } = new(StringComparer.Ordinal);
}

/// <summary>One entry of <c>gateways = [{ name, urls }]</c>.</summary>
public sealed class RemoteGatewayOptions
{
    public string Name { get; set; } = "";

    /// <summary><c>nats://host:port</c> of servers of that cluster; any one is enough, the rest are learned.</summary>
    public List<Uri> Urls { get; set; } = new();
}
