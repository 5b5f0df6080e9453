using System.Text;

namespace Modular.Testing.Secure;

/// <summary>
/// A cluster node with TLS routes and route authorization: its ports, the route URLs it dials
/// (with user:password@ when given), its TLS files and route user. Rendered as modular TOML (tables
/// [cluster.tls] use "tls", [cluster.auth] use "bcrypt") or as a nats-server config.
/// </summary>
public sealed record SecureNodeSpec
{
    public required string Name { get; init; }

    public required NodePorts Ports { get; init; }

    public string ClusterName { get; init; } = "c1";

    /// <summary>Full route URLs, e.g. nats-route://ruser:secret@localhost:6222.</summary>
    public IReadOnlyList<string> Routes { get; init; } = [];

    public TlsFiles? Tls { get; init; }

    public bool Verify { get; init; } = true;

    /// <summary>TLS handshake timeout; longer than nats-server's 2 s default, for test machines under load.</summary>
    public int TlsTimeoutSeconds { get; init; } = 4;

    /// <summary>Route user and the password as stored (a bcrypt hash or plain text); null: no route authorization.</summary>
    public (string User, string Password)? RouteAuth { get; init; }

    public int? PoolSize { get; init; }

    /// <summary>Extra lines for modular's [server] table (e.g. a client [server.tls] needs its own table: use <see cref="ExtraToml"/>).</summary>
    public string ExtraToml { get; init; } = "";

    public string LogLevel { get; init; } = "info";

    public static string RouteUrl(int port, string host = "localhost", string? user = null, string? password = null) =>
        user is null ? $"nats-route://{host}:{port}" : $"nats-route://{Uri.EscapeDataString(user)}:{Uri.EscapeDataString(password ?? "")}@{host}:{port}";

    public string ToModularToml()
    {
        var toml = new StringBuilder();
        var plugins = new List<string>();
        if (Tls is not null)
        {
            plugins.Add("\"tls\"");
        }

        if (RouteAuth is not null)
        {
            plugins.Add("\"bcrypt\"");
        }

        if (plugins.Count > 0)
        {
            toml.Append("plugins = [").Append(string.Join(", ", plugins)).Append("]\n\n");
        }

        toml.Append("[server]\nname = ").Append(Q(Name)).Append("\nlisten = ").Append(Q($"127.0.0.1:{Ports.Client}")).Append('\n')
            .Append("\n[monitor]\nlisten = ").Append(Q($"127.0.0.1:{Ports.Monitor}")).Append('\n')
            .Append("\n[log]\nlevel = ").Append(Q(LogLevel)).Append('\n')
            .Append("\n[cluster]\nname = ").Append(Q(ClusterName)).Append("\nlisten = ").Append(Q($"127.0.0.1:{Ports.Cluster}")).Append('\n')
            .Append("routes = [").Append(string.Join(", ", Routes.Select(Q))).Append("]\n")
            // Advertise the name the certificates carry: gossiped URLs then match the configured
            // routes, so nats-server peers do not also dial an implicit route with their own hashed
            // password (which any server, nats-server included, rejects).
            .Append("advertise = ").Append(Q($"localhost:{Ports.Cluster}")).Append('\n');
        if (PoolSize is { } pool)
        {
            toml.Append("pool_size = ").Append(pool).Append('\n');
        }

        if (Tls is { } tls)
        {
            toml.Append("\n[cluster.tls]\nuse = \"tls\"\ncert_file = ").Append(Q(tls.Cert)).Append("\nkey_file = ").Append(Q(tls.Key))
                .Append("\nca_file = ").Append(Q(tls.Ca)).Append("\nverify = ").Append(Verify ? "true" : "false").Append("\ntimeout = \"").Append(TlsTimeoutSeconds).Append("s\"\n");
        }

        if (RouteAuth is { } auth)
        {
            toml.Append("\n[cluster.auth]\nuse = \"bcrypt\"\nuser = ").Append(Q(auth.User)).Append("\npassword = ").Append(Q(auth.Password)).Append('\n');
        }

        toml.Append(ExtraToml);
        return toml.ToString();
    }

    public string ToNatsServerConf()
    {
        var conf = new StringBuilder();
        conf.Append("server_name: ").Append(Q(Name)).Append('\n')
            .Append("listen: ").Append(Q($"127.0.0.1:{Ports.Client}")).Append('\n')
            .Append("http: ").Append(Q($"127.0.0.1:{Ports.Monitor}")).Append('\n')
            .Append("cluster {\n  name: ").Append(Q(ClusterName)).Append("\n  listen: ").Append(Q($"127.0.0.1:{Ports.Cluster}")).Append('\n')
            .Append("  routes: [").Append(string.Join(", ", Routes.Select(Q))).Append("]\n")
            .Append("  advertise: ").Append(Q($"localhost:{Ports.Cluster}")).Append('\n');
        if (PoolSize is { } pool)
        {
            conf.Append("  pool_size: ").Append(pool).Append('\n');
        }

        if (Tls is { } tls)
        {
            conf.Append("  tls {\n    cert_file: ").Append(Q(tls.Cert)).Append("\n    key_file: ").Append(Q(tls.Key))
                .Append("\n    ca_file: ").Append(Q(tls.Ca)).Append("\n    verify: ").Append(Verify ? "true" : "false").Append("\n    timeout: ").Append(TlsTimeoutSeconds).Append("\n  }\n");
        }

        if (RouteAuth is { } auth)
        {
            conf.Append("  authorization {\n    user: ").Append(Q(auth.User)).Append("\n    password: ").Append(Q(auth.Password)).Append("\n    timeout: 3\n  }\n");
        }

        conf.Append("}\n");
        return conf.ToString();
    }

    // TOML and nats-server's format both take a double-quoted string with \" and \\ escapes.
    private static string Q(string value) =>
        "\"" + value.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("\"", "\\\"", StringComparison.Ordinal) + "\"";
}
