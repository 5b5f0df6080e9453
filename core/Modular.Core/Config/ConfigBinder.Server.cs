using Modular.Abstractions.Settings;

namespace Modular.Core.Config;

/// <summary>The [server], [monitor] and [log] tables.</summary>
internal sealed partial class ConfigBinder
{
    /// <summary>Above this max_payload is refused (as nats-server does).</summary>
    internal const long MaxPayloadLimit = 64L * 1024 * 1024;

    /// <summary>Above this max_payload works but is discouraged (nats-server warns too).</summary>
    internal const long MaxPayloadWarning = 8L * 1024 * 1024;

    private static readonly string[] LogLevels = ["verbose", "debug", "info", "information", "warning", "warn", "error", "fatal"];

    private static readonly string[] LogFormats = ["text", "json"];

    /// <summary>Binds [server]; returns the listen node (for the port conflict check).</summary>
    private ConfigNode? BindServer(ConfigTable table, ServerOptions server)
    {
        ConfigNode? listen = null;
        ConfigNode? lameDuckDuration = null;
        ConfigNode? lameDuckGrace = null;
        foreach (var (key, node) in table.Entries)
        {
            switch (key)
            {
                case "name":
                    if (TryName(node, out var name))
                    {
                        server.Name = name;
                    }

                    break;
                case "listen":
                    listen = node;
                    if (TryListen(node, out var host, out var port))
                    {
                        server.Host = host;
                        server.Port = port;
                    }

                    break;
                case "advertise":
                    if (TryString(node, out var advertise))
                    {
                        // The port may be left out (the listen port then), so any placeholder does here.
                        if (HostPortParser.TryParse(advertise, 0, out _, out _, out var error))
                        {
                            server.Advertise = advertise.Trim();
                        }
                        else
                        {
                            Error(node, $"expected host:port like \"nats.example.com:4222\", got {node.Describe()}: {error}");
                        }
                    }

                    break;
                case "max_payload":
                    if (TrySize(node, 1, MaxPayloadLimit, out var maxPayload))
                    {
                        server.MaxPayload = (int)maxPayload;
                        if (maxPayload > MaxPayloadWarning)
                        {
                            Warn(node, $"max_payload above {FormatSize(MaxPayloadWarning)} is discouraged; large messages hold up everything else on a connection");
                        }
                    }

                    break;
                case "max_control_line":
                    if (TrySize(node, 1, MaxPayloadLimit, out var maxControlLine))
                    {
                        server.MaxControlLine = (int)maxControlLine;
                    }

                    break;
                case "max_pending":
                    if (TrySize(node, 1, long.MaxValue, out var maxPending))
                    {
                        server.MaxPending = maxPending;
                    }

                    break;
                case "max_connections":
                    if (TryInt(node, 1, int.MaxValue, out var maxConnections))
                    {
                        server.MaxConnections = maxConnections;
                    }

                    break;
                case "max_subscriptions":
                    if (TryInt(node, 0, int.MaxValue, out var maxSubscriptions))
                    {
                        server.MaxSubscriptions = maxSubscriptions;
                    }

                    break;
                case "ping_interval":
                    if (TryDuration(node, allowZero: false, out var pingInterval))
                    {
                        server.PingInterval = pingInterval;
                    }

                    break;
                case "ping_max":
                    if (TryInt(node, 0, int.MaxValue, out var pingMax))
                    {
                        server.PingMax = pingMax;
                    }

                    break;
                case "auth_timeout":
                    if (TryDuration(node, allowZero: false, out var authTimeout))
                    {
                        server.AuthTimeout = authTimeout;
                    }

                    break;
                case "write_deadline":
                    if (TryDuration(node, allowZero: false, out var writeDeadline))
                    {
                        server.WriteDeadline = writeDeadline;
                    }

                    break;
                case "lame_duck_duration":
                    if (TryDuration(node, allowZero: false, out var lameDuckDurationValue))
                    {
                        lameDuckDuration = node;
                        server.LameDuckDuration = lameDuckDurationValue;
                    }

                    break;
                case "lame_duck_grace_period":
                    if (TryDuration(node, allowZero: true, out var lameDuckGraceValue))
                    {
                        lameDuckGrace = node;
                        server.LameDuckGracePeriod = lameDuckGraceValue;
                    }

                    break;
                case "auth":
                case "tls":
                    // [server.auth] / [server.tls] use = "plugin": the client authenticator or TLS comes from a plugin.
                    if (ExpectTable(node) is { } authTable && BindPluginTable(authTable) is { } authPlugin)
                    {
                        server.PluginTables[key] = authPlugin;
                    }

                    break;
                case "auth_token":
                    if (TryNonEmptyString(node, out var token))
                    {
                        server.AuthToken = token;
                    }

                    break;
                default:
                    Unknown(node, ConfigKeys.Server);
                    break;
            }
        }

        if ((lameDuckGrace ?? lameDuckDuration) is { } blame && server.LameDuckGracePeriod >= server.LameDuckDuration)
        {
            Error(blame, $"lame_duck_grace_period ({DurationParser.Format(server.LameDuckGracePeriod)}) must be shorter than lame_duck_duration ({DurationParser.Format(server.LameDuckDuration)})");
        }

        return listen;
    }

    /// <summary>Binds [monitor]: the table turns monitoring on (127.0.0.1:8222 unless listen says otherwise).</summary>
    private ConfigNode? BindMonitor(ConfigTable table, MonitorOptions monitor)
    {
        ConfigNode? listen = null;
        monitor.Host = ConfigLoader.DefaultMonitorHost;
        monitor.Port = ConfigLoader.DefaultMonitorPort;
        foreach (var (key, node) in table.Entries)
        {
            switch (key)
            {
                case "listen":
                    listen = node;
                    if (TryListen(node, out var host, out var port))
                    {
                        monitor.Host = host;
                        monitor.Port = port;
                    }

                    break;
                case "token":
                    if (TryNonEmptyString(node, out var token))
                    {
                        monitor.Token = token;
                    }

                    break;
                case "user":
                    if (TryNonEmptyString(node, out var user))
                    {
                        monitor.User = user;
                    }

                    break;
                case "password":
                    if (TryNonEmptyString(node, out var password))
                    {
                        monitor.Password = password;
                    }

                    break;
                case "base_path":
                    if (TryString(node, out var basePath))
                    {
                        BindMonitorBasePath(node, basePath, monitor);
                    }

                    break;
                case "tls":
                    if (ExpectTable(node) is { } tls)
                    {
                        BindMonitorTls(node, tls, monitor);
                    }

                    break;
                default:
                    Unknown(node, ConfigKeys.Monitor);
                    break;
            }
        }

        if ((monitor.User is null) != (monitor.Password is null))
        {
            Error(table.TryGet("user", out var half) || table.TryGet("password", out half) ? half : table, "user and password go together (HTTP basic auth)");
        }

        return listen;
    }

    private void BindMonitorBasePath(ConfigNode node, string basePath, MonitorOptions monitor)
    {
        var trimmed = basePath.Trim('/');
        if (trimmed.Contains('?', StringComparison.Ordinal) || trimmed.Contains('#', StringComparison.Ordinal) || trimmed.Any(char.IsWhiteSpace))
        {
            Error(node, $"base_path \"{basePath}\" is not a URL path");
            return;
        }

        monitor.BasePath = trimmed.Length == 0 ? "" : "/" + trimmed;
    }

    private void BindMonitorTls(ConfigNode tlsNode, ConfigTable table, MonitorOptions monitor)
    {
        foreach (var (key, node) in table.Entries)
        {
            switch (key)
            {
                case "cert_file":
                    if (TryNonEmptyString(node, out var cert))
                    {
                        monitor.TlsCertFile = cert;
                    }

                    break;
                case "key_file":
                    if (TryNonEmptyString(node, out var keyFile))
                    {
                        monitor.TlsKeyFile = keyFile;
                    }

                    break;
                default:
                    Unknown(node, ConfigKeys.MonitorTls);
                    break;
            }
        }

        if (monitor.TlsCertFile is null || monitor.TlsKeyFile is null)
        {
            Error(tlsNode, "monitor.tls needs both cert_file and key_file");
        }
    }

    private void BindLog(ConfigTable table, LogOptions log)
    {
        foreach (var (key, node) in table.Entries)
        {
            switch (key)
            {
                case "level":
                    if (TryChoice(node, LogLevels, out var level))
                    {
                        log.Level = level switch
                        {
                            "information" => "info",
                            "warn" => "warning",
                            _ => level,
                        };
                    }

                    break;
                case "file":
                    if (TryNonEmptyString(node, out var file))
                    {
                        log.File = file;
                    }

                    break;
                case "format":
                    if (TryChoice(node, LogFormats, out var format))
                    {
                        log.Format = format;
                    }

                    break;
                default:
                    Unknown(node, ConfigKeys.Log);
                    break;
            }
        }
    }
}
