using Modular.Abstractions.Settings;

namespace Modular.Core.Config;

/// <summary>The [cluster] table and its plugin sub-tables ([cluster.tls], [cluster.auth], …).</summary>
internal sealed partial class ConfigBinder
{
    /// <summary>The scheme of a route URL, as nats-server writes it.</summary>
    internal const string RouteScheme = "nats-route";

    /// <summary>Binds [cluster]; returns the listen node (for the port conflict check).</summary>
    private ConfigNode? BindCluster(ConfigTable table, ClusterOptions cluster, ServerOptions server)
    {
        ConfigNode? listen = null;
        var pingIntervalSet = false;
        foreach (var (key, node) in table.Entries)
        {
            switch (key)
            {
                case "name":
                    if (TryName(node, out var name))
                    {
                        cluster.Name = name;
                    }

                    break;
                case "listen":
                    listen = node;
                    if (TryListen(node, out var host, out var port))
                    {
                        cluster.Host = host;
                        cluster.Port = port;
                    }

                    break;
                case "routes":
                    BindRoutes(node, cluster.Routes);
                    break;
                case "pool_size":
                    if (TryInt(node, -1, int.MaxValue, out var poolSize))
                    {
                        // 0 means the default, as in nats-server; -1 turns pooling off.
                        cluster.PoolSize = poolSize == 0 ? ConfigLoader.DefaultPoolSize : poolSize;
                    }

                    break;
                case "advertise":
                    if (TryString(node, out var advertise))
                    {
                        if (HostPortParser.TryParse(advertise, cluster.Port, out _, out _, out var error))
                        {
                            cluster.Advertise = advertise.Trim();
                        }
                        else
                        {
                            Error(node, $"expected host:port like \"10.0.0.1:6222\", got {node.Describe()}: {error}");
                        }
                    }

                    break;
                case "no_advertise":
                    if (TryBool(node, out var noAdvertise))
                    {
                        cluster.NoAdvertise = noAdvertise;
                    }

                    break;
                case "connect_retries":
                    if (TryInt(node, 0, int.MaxValue, out var connectRetries))
                    {
                        cluster.ConnectRetries = connectRetries;
                    }

                    break;
                case "connect_backoff":
                    if (TryBool(node, out var connectBackoff))
                    {
                        cluster.ConnectBackoff = connectBackoff;
                    }

                    break;
                case "ping_interval":
                    pingIntervalSet = true;
                    if (TryDuration(node, allowZero: false, out var pingInterval))
                    {
                        cluster.PingInterval = pingInterval;
                        if (pingInterval > ConfigLoader.RoutePingIntervalCap)
                        {
                            Warn(node, $"routes ping at most every {DurationParser.Format(ConfigLoader.RoutePingIntervalCap)}; {DurationParser.Format(pingInterval)} is capped");
                        }
                    }

                    break;
                default:
                    if (node is ConfigTable pluginTable)
                    {
                        if (BindPluginTable(pluginTable) is { } bound)
                        {
                            cluster.PluginTables[key] = bound;
                        }
                    }
                    else if (ConfigKeys.Cluster.Any(k => k.Name == key && k.Type == SettingType.Table))
                    {
                        ExpectTable(node);
                    }
                    else
                    {
                        Unknown(node, ConfigKeys.Cluster);
                    }

                    break;
            }
        }

        if (!pingIntervalSet)
        {
            // As in nats-server: without cluster.ping_interval, routes use the server's.
            cluster.PingInterval = server.PingInterval;
        }

        return listen;
    }

    private void BindRoutes(ConfigNode node, List<Uri> routes)
    {
        if (node is not ConfigArray array)
        {
            Error(node, $"expected a list of route URLs like [\"nats-route://host:6222\"], got {node.Describe()}");
            return;
        }

        foreach (var item in array.Items)
        {
            if (!TryString(item, out var text))
            {
                continue;
            }

            if (HasBcryptPassword(text))
            {
                // nats-server issue #750: the URL carries what this server sends; a hash can never match.
                Error(item, "the password in this route URL is a bcrypt hash, but a route URL holds the plain password this server sends to the peer "
                    + "(the peer compares it with the hash in its own [cluster.auth]); put the plain password here and the hash only in [cluster.auth] password");
                continue;
            }

            if (TryParseRoute(text, out var route, out var problem))
            {
                routes.Add(route);
            }
            else
            {
                Error(item, $"expected a route URL like \"nats-route://[user:password@]host:6222\", got {item.Describe()}: {problem}");
            }
        }
    }

    /// <summary>True when the userinfo of a route URL has a bcrypt hash as its password (<c>$2a$</c>, <c>$2b$</c>, … as nats-server detects them).</summary>
    internal static bool HasBcryptPassword(string text)
    {
        var start = text.IndexOf("://", StringComparison.Ordinal);
        var at = text.LastIndexOf('@');
        if (start < 0 || at < start)
        {
            return false;
        }

        var userInfo = text[(start + 3)..at];
        var colon = userInfo.IndexOf(':', StringComparison.Ordinal);
        if (colon < 0)
        {
            return false;
        }

        var password = Uri.UnescapeDataString(userInfo[(colon + 1)..]);
        return System.Text.RegularExpressions.Regex.IsMatch(password, @"^\$2[abxy]\$\d{2}\$");
    }

    internal static bool TryParseRoute(string text, out Uri route, out string problem)
    {
        route = null!;
        problem = "";
        if (!Uri.TryCreate(text.Trim(), UriKind.Absolute, out var uri))
        {
            problem = "not a URL";
            return false;
        }

        if (!string.Equals(uri.Scheme, RouteScheme, StringComparison.OrdinalIgnoreCase))
        {
            problem = $"the scheme must be {RouteScheme}://";
            return false;
        }

        if (uri.Host.Length == 0)
        {
            problem = "missing host";
            return false;
        }

        if (uri.IsDefaultPort || uri.Port <= 0)
        {
            problem = "needs a port (1..65535)";
            return false;
        }

        if (uri.AbsolutePath != "/" || uri.Query.Length > 0 || uri.Fragment.Length > 0)
        {
            problem = "a route URL has no path, query or fragment";
            return false;
        }

        if (uri.UserInfo.StartsWith(':'))
        {
            problem = "the user before : must not be empty";
            return false;
        }

        route = uri;
        return true;
    }

    /// <summary>A table that selects a plugin: <c>use</c> is required; the rest is kept raw for the plugin.</summary>
    private PluginTable? BindPluginTable(ConfigTable table)
    {
        var plugin = new PluginTable { TableName = table.Path, Line = table.Line };
        var hasUse = false;
        var valid = true;
        foreach (var (key, node) in table.Entries)
        {
            if (key == "use")
            {
                hasUse = true;
                plugin.UseLine = node.Line;
                if (TryNonEmptyString(node, out var use))
                {
                    plugin.Use = use.Trim();
                }
                else
                {
                    valid = false;
                }

                continue;
            }

            if (key == "plugins")
            {
                Unknown(node, Array.Empty<SettingKey>());
                valid = false;
                continue;
            }

            plugin.Settings[key] = TomlTreeReader.ToModel(node);
            plugin.SettingLines[key] = node.Line;
        }

        if (!hasUse)
        {
            Error(table, $"missing use = \"<plugin name>\": [{table.Path}] selects a plugin, and use names it");
            return null;
        }

        return valid ? plugin : null;
    }
}
