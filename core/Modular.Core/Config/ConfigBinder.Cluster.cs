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
                    BindRoutes(node, cluster.Routes, cluster.RouteLines);
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

    private void BindRoutes(ConfigNode node, List<Uri> routes, List<int> lines)
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

            if (TryParseRoute(text, out var route, out var problem))
            {
                routes.Add(route);
                lines.Add(item.Line);
            }
            else
            {
                Error(item, $"expected a route URL like \"nats-route://[user:password@]host:6222\", got {item.Describe()}: {problem}");
            }
        }
    }

    internal static bool TryParseRoute(string text, out Uri route, out string problem)
    {
        route = null!;
        problem = "";
        if (!Uri.TryCreate(EscapeUserInfo(text.Trim()), UriKind.Absolute, out var uri))
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

    /// <summary>
    /// A password pasted into a route URL may hold '/', '?', '#' or '@' (a password hash often has '/'):
    /// everything between "://" and the last '@' is the user info, so those are escaped there
    /// before the URL is parsed, and a plugin sees the password as written.
    /// </summary>
    private static string EscapeUserInfo(string text)
    {
        var start = text.IndexOf("://", StringComparison.Ordinal);
        var at = text.LastIndexOf('@');
        if (start < 0 || at < start)
        {
            return text;
        }

        var userInfo = text[(start + 3)..at]
            .Replace("/", "%2F", StringComparison.Ordinal)
            .Replace("?", "%3F", StringComparison.Ordinal)
            .Replace("#", "%23", StringComparison.Ordinal)
            .Replace("@", "%40", StringComparison.Ordinal);
        return text[..(start + 3)] + userInfo + text[at..];
    }
}
