using Modular.Abstractions.Settings;

namespace Modular.Core.Config;

/// <summary>
/// Binds a <see cref="ConfigTable"/> tree into <see cref="ModularOptions"/> by hand, collecting
/// every problem instead of stopping at the first. One partial file per part of the file.
/// </summary>
internal sealed partial class ConfigBinder
{
    private const string UnknownKeyMessage = "unknown key (a typo, or an option this version does not have)";

    private readonly string _file;
    private readonly List<ConfigError> _errors = new();
    private readonly List<ConfigError> _warnings = new();

    public ConfigBinder(string file)
    {
        _file = file;
    }

    public IReadOnlyList<ConfigError> Errors => _errors;

    public IReadOnlyList<ConfigError> Warnings => _warnings;

    public ModularOptions Bind(ConfigTable root)
    {
        var options = new ModularOptions();
        ConfigNode? serverListen = null;
        ConfigNode? monitorListen = null;
        ConfigNode? clusterListen = null;
        ConfigNode? gatewayListen = null;
        ConfigNode? leafListen = null;
        foreach (var (key, node) in root.Entries)
        {
            switch (key)
            {
                case "plugins":
                    BindPlugins(node, options.Plugins, options.PluginLines);
                    break;
                case "server":
                    if (ExpectTable(node) is { } server)
                    {
                        serverListen = BindServer(server, options.Server);
                    }

                    break;
                case "monitor":
                    if (ExpectTable(node) is { } monitor)
                    {
                        monitorListen = BindMonitor(monitor, options.Monitor);
                    }

                    break;
                case "log":
                    if (ExpectTable(node) is { } log)
                    {
                        BindLog(log, options.Log);
                    }

                    break;
                case "accounts":
                    if (ExpectTable(node) is { } accounts)
                    {
                        BindAccounts(accounts, options.Accounts);
                    }

                    break;
                case "cluster":
                    if (ExpectTable(node) is { } cluster)
                    {
                        options.Cluster = new ClusterOptions();
                        clusterListen = BindCluster(cluster, options.Cluster, options.Server);
                    }

                    break;
                case "gateway":
                    if (ExpectTable(node) is { } gateway)
                    {
                        options.Gateway = new GatewayOptions();
                        gatewayListen = BindGateway(gateway, options.Gateway);
                    }

                    break;
                case "leafnodes":
                    if (ExpectTable(node) is { } leafnodes)
                    {
                        options.Leafnodes = new LeafnodeOptions();
                        leafListen = BindLeafnodes(leafnodes, options.Leafnodes);
                    }

                    break;
                default:
                    Unknown(node, ConfigKeys.Root);
                    break;
            }
        }

        CheckPortConflicts(options, serverListen, monitorListen, clusterListen, gatewayListen, leafListen);
        CheckLeafAccounts(options);
        return options;
    }

    private void BindPlugins(ConfigNode node, List<string> plugins, Dictionary<string, int> pluginLines)
    {
        if (node is not ConfigArray array)
        {
            Error(node, $"expected a list of plugin names or folders like [\"tls\", \"./my-plugins/x\"], got {node.Describe()}");
            return;
        }

        var seen = new Dictionary<string, ConfigNode>(StringComparer.Ordinal);
        foreach (var item in array.Items)
        {
            if (!TryString(item, out var plugin))
            {
                continue;
            }

            if (plugin.Trim().Length == 0)
            {
                Error(item, "a plugin name or folder must not be empty");
            }
            else if (seen.TryGetValue(plugin, out var first))
            {
                Error(item, $"\"{plugin}\" is already listed (line {first.Line})");
            }
            else
            {
                seen.Add(plugin, item);
                plugins.Add(plugin);
                pluginLines[plugin] = item.Line;
            }
        }
    }

    /// <summary>Two listeners on the same port, where their hosts overlap, cannot both bind.</summary>
    private void CheckPortConflicts(ModularOptions options, ConfigNode? serverListen, ConfigNode? monitorListen, ConfigNode? clusterListen, ConfigNode? gatewayListen, ConfigNode? leafListen)
    {
        var listeners = new List<(string Key, string Host, int Port, ConfigNode? Node)>
        {
            ("server.listen", options.Server.Host, options.Server.Port, serverListen),
        };
        if (options.Monitor.Host is { } monitorHost)
        {
            listeners.Add(("monitor.listen", monitorHost, options.Monitor.Port, monitorListen));
        }

        if (options.Cluster is { } cluster)
        {
            listeners.Add(("cluster.listen", cluster.Host, cluster.Port, clusterListen));
        }

        if (options.Gateway is { } gatewayOptions)
        {
            listeners.Add(("gateway.listen", gatewayOptions.Host, gatewayOptions.Port, gatewayListen));
        }

        if (options.Leafnodes is { Host: { } leafHost } leafOptions)
        {
            listeners.Add(("leafnodes.listen", leafHost, leafOptions.Port, leafListen));
        }

        for (var i = 1; i < listeners.Count; i++)
        {
            for (var j = 0; j < i; j++)
            {
                var (key, host, port, node) = listeners[i];
                var other = listeners[j];
                if (port == 0 || port != other.Port || !HostsOverlap(host, other.Host))
                {
                    continue;
                }

                var blame = node ?? other.Node;
                var otherKey = node is null ? key : other.Key;
                if (blame is not null)
                {
                    Error(blame, $"port {port} is also used by {otherKey}");
                }
            }
        }
    }

    private static bool HostsOverlap(string a, string b) =>
        string.Equals(a, b, StringComparison.OrdinalIgnoreCase) || IsAnyAddress(a) || IsAnyAddress(b);

    private static bool IsAnyAddress(string host) => host is "0.0.0.0" or "::";

    private void Error(ConfigNode node, string message) => _errors.Add(new ConfigError(_file, node.Line, node.Path, message));

    private void Warn(ConfigNode node, string message) => _warnings.Add(new ConfigError(_file, node.Line, node.Path, message));

    /// <summary>Reports a key the table does not declare, with a hint when it is close to a declared one.</summary>
    private void Unknown(ConfigNode node, IReadOnlyList<SettingKey> knownKeys)
    {
        var key = LastKey(node.Path);
        if (key == "plugins" && node.Path != "plugins")
        {
            Error(node, "unknown key: plugins is a root key, so it must stand before the first [table]");
            return;
        }

        var suggestion = KeySuggester.Suggest(key, knownKeys.Select(k => k.Name));
        Error(node, suggestion is null ? UnknownKeyMessage : $"{UnknownKeyMessage}; did you mean \"{suggestion}\"?");
    }

    private ConfigTable? ExpectTable(ConfigNode node)
    {
        if (node is ConfigTable table)
        {
            return table;
        }

        Error(node, $"expected a table ([{node.Path}]), got {node.Describe()}");
        return null;
    }

    private static string LastKey(string path)
    {
        var dot = path.LastIndexOf('.');
        return dot < 0 ? path : path[(dot + 1)..];
    }
}
