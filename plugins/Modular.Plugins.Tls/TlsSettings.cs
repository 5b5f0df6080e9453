using System.Security.Authentication;
using Modular.Abstractions.Plugins;
using Modular.Abstractions.Settings;

namespace Modular.Plugins.Tls;

/// <summary>The keys of a [cluster.tls] or [server.tls] table, bound strictly (names as nats-server's tls block).</summary>
internal sealed record TlsSettings
{
    public required string CertFile { get; init; }

    public required string KeyFile { get; init; }

    public string? CaFile { get; init; }

    /// <summary>Ask for and verify the peer's certificate (mutual TLS); the dialer always verifies the server's unless insecure.</summary>
    public bool Verify { get; init; }

    /// <summary>Routes only: the dialer does not verify the server's certificate.</summary>
    public bool Insecure { get; init; }

    public TimeSpan Timeout { get; init; }

    /// <summary>Routes only: the name the dialer verifies the peer's certificate against, instead of the route URL's host.</summary>
    public string? ServerName { get; init; }

    /// <summary>Clients only: the TLS handshake comes before INFO.</summary>
    public bool HandshakeFirst { get; init; }

    public SslProtocols Protocols { get; init; }

    public bool IsRoute { get; init; }

    /// <summary>[leafnodes.tls]: accepted after the INFO (peers' certificates asked for only with verify), dialed as a TLS client that checks the hub's certificate unless insecure.</summary>
    public bool IsLeaf { get; init; }

    /// <summary>Reads the table; every problem is recorded on <paramref name="settings"/> with its key and line.</summary>
    /// <summary>The keys of a tls table, as data.</summary>
    public static SettingKey[] Keys { get; } =
    [
        new("cert_file", SettingType.String, null, "this server's certificate (PEM), relative to the config file; required"),
        new("key_file", SettingType.String, null, "its private key (PEM); required"),
        new("ca_file", SettingType.String, null, "CAs to trust for peers' certificates (default: the system's)"),
        new("verify", SettingType.Boolean, "true for routes, false for clients", "peers must present a certificate that verifies"),
        new("insecure", SettingType.Boolean, "false", "[cluster.tls], [leafnodes.tls]: do not check the certificate of a peer this server dials"),
        new("timeout", SettingType.Duration, "2s", "longest a handshake may take"),
        new("server_name", SettingType.String, null, "[cluster.tls], [leafnodes.tls]: the name to check dialed peers' certificates against (default: each URL's host)"),
        new("handshake_first", SettingType.Boolean, "false", "[server.tls]: the client handshake comes before INFO"),
        new("min_version", SettingType.Choice, "1.2", "lowest TLS version: 1.2 or 1.3"),
    ];

    public static TlsSettings Bind(PluginContext context)
    {
        var settings = context.Settings;
        // Gateways are server-to-server as routes are: TLS from the first byte, peers verified by default.
        var isRoute = context.TableName.StartsWith("cluster.", StringComparison.Ordinal) || context.TableName.StartsWith("gateway.", StringComparison.Ordinal);
        var isLeaf = context.TableName.StartsWith("leafnodes.", StringComparison.Ordinal);
        settings.Declare(Keys);
        var cert = settings.GetRequiredString("cert_file");
        var key = settings.GetRequiredString("key_file");
        var ca = settings.GetString("ca_file");
        if (ca is not null && ca.Trim().Length == 0)
        {
            settings.AddError("ca_file", "must not be empty; leave it out to trust the system's certificate authorities");
            ca = null;
        }

        // nats-server always verifies route peers; for clients it asks for a certificate only with verify.
        var verify = settings.GetBoolean("verify", defaultValue: isRoute);
        var insecure = settings.GetBoolean("insecure", false);
        var timeout = settings.GetDuration("timeout", TimeSpan.FromSeconds(2));
        if (settings.Contains("timeout") && timeout <= TimeSpan.Zero)
        {
            settings.AddError("timeout", "must be more than zero");
        }

        var serverName = settings.GetString("server_name");
        var handshakeFirst = settings.GetBoolean("handshake_first", false);
        var minVersion = settings.GetChoice("min_version", "1.2", "1.2", "1.3");
        if (isRoute && handshakeFirst)
        {
            settings.AddError("handshake_first", "routes always do the TLS handshake before any protocol byte; handshake_first is for [server.tls]");
        }

        if (isLeaf && handshakeFirst)
        {
            settings.AddError("handshake_first", "leaf node connections do the TLS handshake after the hub's INFO; handshake_first is for [server.tls]");
        }

        if (!isRoute && !isLeaf && serverName is not null)
        {
            settings.AddError("server_name", "server_name is the name a dialing server checks a route peer's certificate against; it belongs in [cluster.tls]");
        }

        if (!isRoute && !isLeaf && insecure)
        {
            settings.AddError("insecure", "insecure skips checking a route peer's certificate when this server dials; it belongs in [cluster.tls]");
        }

        if (serverName is not null && serverName.Trim().Length == 0)
        {
            settings.AddError("server_name", "must not be empty; leave it out to check against the host of each route URL");
            serverName = null;
        }

        return new TlsSettings
        {
            CertFile = cert.Length == 0 ? "" : context.ResolvePath(cert),
            KeyFile = key.Length == 0 ? "" : context.ResolvePath(key),
            CaFile = ca is null ? null : context.ResolvePath(ca),
            Verify = verify,
            Insecure = insecure,
            Timeout = timeout <= TimeSpan.Zero ? TimeSpan.FromSeconds(2) : timeout,
            ServerName = serverName?.Trim(),
            HandshakeFirst = handshakeFirst,
            Protocols = minVersion == "1.3" ? SslProtocols.Tls13 : SslProtocols.Tls12 | SslProtocols.Tls13,
            IsRoute = isRoute,
            IsLeaf = isLeaf,
        };
    }
}
