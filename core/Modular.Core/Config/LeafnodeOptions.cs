namespace Modular.Core.Config;

/// <summary>The <c>[leafnodes]</c> table (nats-server's <c>leafnodes {}</c>): accepting leaf nodes, and the remotes this server dials as one.</summary>
public sealed class LeafnodeOptions
{
    /// <summary>The listen host; null: no leaf listener (a server that only dials remotes).</summary>
    public string? Host { get; set; }

    public int Port { get; set; } = 7422;

    /// <summary>The leaf URL given to leaf nodes (host:port) in <c>leafnode_urls</c>; null: the listen address.</summary>
    public string? Advertise { get; set; }

    /// <summary>Leaf logins and the accounts they bind to; empty: the accounts' users, or the global account when there are none.</summary>
    public List<LeafUserOptions> Users { get; set; } = new();

    /// <summary>The hubs this server dials as a leaf node.</summary>
    public List<RemoteLeafOptions> Remotes { get; set; } = new();

    /// <summary>[leafnodes.tls] and [leafnodes.auth], by key: each selects a plugin for its seam.</summary>
    public Dictionary<string, PluginTable> PluginTables { get; set; } = new(StringComparer.Ordinal);
}

/// <summary>One leaf login of <c>[leafnodes] authorization</c>.</summary>
public sealed class LeafUserOptions
{
    public string User { get; set; } = "";

    public string Password { get; set; } = "";

    /// <summary>Instead of user and password: the login's public user nkey (U...); the leaf signs the INFO's nonce with its seed.</summary>
    public string? Nkey { get; set; }

    /// <summary>The account the leaf connection is bound to; the global account when not set.</summary>
    public string? Account { get; set; }
}

/// <summary>One entry of <c>remotes = [{ url(s), account }]</c>.</summary>
public sealed class RemoteLeafOptions
{
    /// <summary><c>nats-leaf://[user:password@]host:port</c> of the hub's servers, dialed in turn.</summary>
    public List<Uri> Urls { get; set; } = new();

    /// <summary>The local account the connection is bound to; the global account when not set.</summary>
    public string? Account { get; set; }

    /// <summary>Subjects not imported from the hub (nats-server's deny_imports): no LS+ for them, and the CONNECT's deny_pub names them.</summary>
    public List<string> DenyImports { get; set; } = new();

    /// <summary>Subjects not exported to the hub (nats-server's deny_exports): no message on them goes out.</summary>
    public List<string> DenyExports { get; set; } = new();

    /// <summary>A .creds file (full path; read again at each connection, so it can be rotated): the CONNECT carries its JWT and the hub's nonce signed with its seed.</summary>
    public string? CredentialsFile { get; set; }

    /// <summary>A user nkey seed (SU...): the CONNECT carries its public key and the hub's nonce signed with it.</summary>
    public string? NkeySeed { get; set; }
}
