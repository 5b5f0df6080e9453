using Modular.Abstractions.Settings;

namespace Modular.Core.Config;

/// <summary>
/// The keys of the core's configuration tables, as data: what the binder accepts, what an unknown
/// key is compared with for "did you mean", and what <c>modular check</c> could describe. Plugin
/// tables ([server.auth], [cluster.tls], …) are keys of type table here; their settings are the
/// plugin's own.
/// </summary>
internal static class ConfigKeys
{
    public static IReadOnlyList<SettingKey> Root { get; } =
    [
        new("plugins", SettingType.List, "[]", "plugins to load: bundled names or folders"),
        new("server", SettingType.Table, null, "the client listener and limits"),
        new("monitor", SettingType.Table, null, "the HTTP monitoring listener"),
        new("log", SettingType.Table, null, "logging"),
        new("accounts", SettingType.Table, null, "accounts and their users"),
        new("cluster", SettingType.Table, null, "routes to other servers"),
        new("gateway", SettingType.Table, null, "gateways to other clusters (a super-cluster)"),
        new("leafnodes", SettingType.Table, null, "leaf node connections: accepted, and remotes dialed"),
    ];

    public static IReadOnlyList<SettingKey> Server { get; } =
    [
        new("name", SettingType.String, null, "the server name (default: the server id)"),
        new("listen", SettingType.Address, "0.0.0.0:4222", "where clients connect"),
        new("advertise", SettingType.Address, null, "the client URL given to others (port defaults to the listen port)"),
        new("max_payload", SettingType.Size, "1MB", "largest message payload"),
        new("max_control_line", SettingType.Size, "4KB", "longest protocol line"),
        new("max_pending", SettingType.Size, "64MB", "bytes queued to a client before it is a slow consumer"),
        new("max_connections", SettingType.Integer, "65536", "most clients at once"),
        new("max_subscriptions", SettingType.Integer, "0", "most subscriptions per client (0: no limit)"),
        new("ping_interval", SettingType.Duration, "2m", "how often idle connections are pinged"),
        new("ping_max", SettingType.Integer, "2", "unanswered pings before a connection is stale"),
        new("auth_timeout", SettingType.Duration, "2s", "time a client has to send CONNECT"),
        new("write_deadline", SettingType.Duration, "10s", "longest a write may block"),
        new("lame_duck_duration", SettingType.Duration, "2m", "time over which clients are closed in lame duck mode"),
        new("lame_duck_grace_period", SettingType.Duration, "10s", "wait before lame duck mode starts closing clients"),
        new("auth_token", SettingType.String, null, "a token every client must send"),
        new("auth", SettingType.Table, null, "plugin table: client authentication"),
        new("tls", SettingType.Table, null, "plugin table: client transport (TLS)"),
    ];

    public static IReadOnlyList<SettingKey> Monitor { get; } =
    [
        new("listen", SettingType.Address, "127.0.0.1:8222", "where the HTTP monitoring endpoints listen"),
        new("token", SettingType.String, null, "a bearer token every request must carry (/healthz stays open)"),
        new("user", SettingType.String, null, "basic auth user (with password)"),
        new("password", SettingType.String, null, "basic auth password (with user)"),
        new("base_path", SettingType.String, null, "a path prefix for every endpoint, e.g. /nats"),
        new("tls", SettingType.Table, null, "HTTPS for monitoring: cert_file and key_file"),
    ];

    public static IReadOnlyList<SettingKey> MonitorTls { get; } =
    [
        new("cert_file", SettingType.String, null, "the certificate (PEM), relative to the config file"),
        new("key_file", SettingType.String, null, "its private key (PEM), relative to the config file"),
    ];

    public static IReadOnlyList<SettingKey> Log { get; } =
    [
        new("level", SettingType.Choice, "info", "verbose, debug, info, warning, error or fatal"),
        new("file", SettingType.String, null, "a file to log to as well as the console"),
        new("format", SettingType.Choice, "text", "text or json"),
    ];

    public static IReadOnlyList<SettingKey> Cluster { get; } =
    [
        new("name", SettingType.String, null, "the cluster name (agreed with peers when not set)"),
        new("listen", SettingType.Address, "0.0.0.0:6222", "where routes connect"),
        new("routes", SettingType.List, "[]", "route URLs to dial: nats-route://[user:password@]host:port"),
        new("pool_size", SettingType.Integer, "3", "route connections per peer (-1: one route, no pooling)"),
        new("advertise", SettingType.Address, null, "the route URL given to others"),
        new("no_advertise", SettingType.Boolean, "false", "do not tell clients about other servers"),
        new("connect_retries", SettingType.Integer, "0", "redials of an explicit route before giving up (0: forever)"),
        new("connect_backoff", SettingType.Boolean, "false", "redial with growing delays"),
        new("ping_interval", SettingType.Duration, null, "how often routes are pinged (default: server.ping_interval, at most 30s)"),
        new("tls", SettingType.Table, null, "plugin table: route transport (TLS)"),
        new("auth", SettingType.Table, null, "plugin table: route authentication"),
        new("compression", SettingType.Table, null, "plugin table: route compression"),
        new("discovery", SettingType.Table, null, "plugin table: route discovery"),
        new("pinning", SettingType.Table, null, "plugin table: route pooling"),
    ];

    public static IReadOnlyList<SettingKey> Gateway { get; } =
    [
        new("name", SettingType.String, null, "this cluster's name in the super-cluster (required)"),
        new("listen", SettingType.Address, "0.0.0.0:7222", "where gateways from other clusters connect"),
        new("advertise", SettingType.Address, null, "the gateway URL given to other clusters"),
        new("connect_retries", SettingType.Integer, "0", "redials of a gossiped gateway before it is forgotten"),
        new("reject_unknown", SettingType.Boolean, "false", "refuse gateways of clusters not listed in gateways"),
        new("gateways", SettingType.List, "[]", "clusters to dial: [{ name = \"B\", urls = [\"nats://host:7222\"] }]"),
        new("tls", SettingType.Table, null, "plugin table: gateway transport (TLS)"),
        new("auth", SettingType.Table, null, "plugin table: gateway authentication"),
    ];

    public static IReadOnlyList<SettingKey> RemoteGateway { get; } =
    [
        new("name", SettingType.String, null, "the remote cluster's gateway name"),
        new("urls", SettingType.List, "[]", "nats://host:port of servers of that cluster"),
    ];

    public static IReadOnlyList<SettingKey> Leafnodes { get; } =
    [
        new("listen", SettingType.Address, null, "where leaf nodes connect (no listener when not set)"),
        new("host", SettingType.String, "0.0.0.0", "the listen host (with port, instead of listen)"),
        new("port", SettingType.Integer, "7422", "the listen port (with host, instead of listen)"),
        new("advertise", SettingType.Address, null, "the leaf URL given to leaf nodes in leafnode_urls"),
        new("authorization", SettingType.Table, null, "leaf logins: user, password, account, or users = [{ user, password, account }]"),
        new("remotes", SettingType.List, "[]", "hubs to dial as a leaf node: [{ url = \"nats-leaf://host:7422\", account = \"A\" }]"),
        new("tls", SettingType.Table, null, "plugin table: leaf node transport (TLS), accepted and dialed"),
        new("auth", SettingType.Table, null, "plugin table: leaf node authentication"),
    ];

    public static IReadOnlyList<SettingKey> LeafAuthorization { get; } =
    [
        new("user", SettingType.String, null, "the one leaf login's user"),
        new("password", SettingType.String, null, "its password"),
        new("account", SettingType.String, null, "the account it binds to (default: the global account)"),
        new("users", SettingType.List, "[]", "several leaf logins: [{ user, password, account }]"),
    ];

    public static IReadOnlyList<SettingKey> LeafUser { get; } =
    [
        new("user", SettingType.String, null, "the leaf login's user"),
        new("password", SettingType.String, null, "its password"),
        new("nkey", SettingType.String, null, "instead of user and password: the login's public user nkey (U...); the leaf signs the INFO's nonce with its seed"),
        new("account", SettingType.String, null, "the account the leaf connection binds to"),
    ];

    public static IReadOnlyList<SettingKey> RemoteLeaf { get; } =
    [
        new("url", SettingType.String, null, "the hub's leaf URL: nats-leaf://[user:password@]host:port"),
        new("urls", SettingType.List, "[]", "several hub leaf URLs, dialed in turn"),
        new("account", SettingType.String, null, "the local account the connection binds to (default: the global account)"),
        new("deny_imports", SettingType.List, "[]", "subjects (wildcards allowed) this server does not take from the hub: no interest in them is sent"),
        new("deny_exports", SettingType.List, "[]", "subjects (wildcards allowed) this server does not send to the hub"),
        new("credentials", SettingType.String, null, "a .creds file (a user JWT and its nkey seed): the CONNECT carries the JWT and the hub's nonce signed with the seed"),
        new("nkey", SettingType.String, null, "a user nkey seed (SU...): the CONNECT carries its public key and the hub's nonce signed with it"),
    ];

    public static IReadOnlyList<SettingKey> Account { get; } =
    [
        new("users", SettingType.List, "[]", "the account's users: [{ user = \"...\", password = \"...\" }]"),
    ];

    public static IReadOnlyList<SettingKey> User { get; } =
    [
        new("user", SettingType.String, null, "the user name"),
        new("password", SettingType.String, null, "the password (or a hash, for an auth plugin that checks hashes)"),
    ];
}
