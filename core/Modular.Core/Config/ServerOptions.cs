namespace Modular.Core.Config;

/// <summary>The <c>[server]</c> table. Defaults are nats-server's.</summary>
public sealed class ServerOptions
{
    /// <summary>server_name; null means the generated server id is used.</summary>
    public string? Name { get; set; }

    public string Host { get; set; } = "0.0.0.0";

    public int Port { get; set; } = 4222;

    /// <summary>
    /// advertise (nats-server's client_advertise): the "host:port" (or "host", then the listen port)
    /// clients are told to use, in INFO host/port and in every server's connect_urls, instead of the
    /// listen address; for servers behind NAT or a load balancer. Null: the listen address.
    /// </summary>
    public string? Advertise { get; set; }

    public int MaxPayload { get; set; } = 1024 * 1024;

    public int MaxControlLine { get; set; } = 4096;

    /// <summary>Outbound bytes a client may have pending before it is cut off as a slow consumer.</summary>
    public long MaxPending { get; set; } = 64L * 1024 * 1024;

    public int MaxConnections { get; set; } = 64 * 1024;

    /// <summary>0 means unlimited.</summary>
    public int MaxSubscriptions { get; set; }

    public TimeSpan PingInterval { get; set; } = TimeSpan.FromMinutes(2);

    public int PingMax { get; set; } = 2;

    public TimeSpan AuthTimeout { get; set; } = TimeSpan.FromSeconds(2);

    public TimeSpan WriteDeadline { get; set; } = TimeSpan.FromSeconds(10);

    public TimeSpan LameDuckDuration { get; set; } = TimeSpan.FromMinutes(2);

    public TimeSpan LameDuckGracePeriod { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>A token clients may present as auth_token instead of a user; null means none.</summary>
    public string? AuthToken { get; set; }

    /// <summary>Plugin tables under [server]: only <c>auth</c> ([server.auth], the client authenticator), by table name.</summary>
    public Dictionary<string, PluginTable> PluginTables { get; set; } = new(StringComparer.Ordinal);
}
