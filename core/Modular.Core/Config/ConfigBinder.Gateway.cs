namespace Modular.Core.Config;

/// <summary>The [gateway] table.</summary>
internal sealed partial class ConfigBinder
{
    /// <summary>Binds [gateway]; returns the listen node (for the port conflict check).</summary>
    private ConfigNode? BindGateway(ConfigTable table, GatewayOptions gateway)
    {
        ConfigNode? listen = null;
        var hasName = false;
        foreach (var (key, node) in table.Entries)
        {
            switch (key)
            {
                case "name":
                    if (TryName(node, out var name))
                    {
                        gateway.Name = name;
                        hasName = true;
                    }

                    break;
                case "listen":
                    listen = node;
                    if (TryListen(node, out var host, out var port))
                    {
                        gateway.Host = host;
                        gateway.Port = port;
                    }

                    break;
                case "advertise":
                    if (TryString(node, out var advertise))
                    {
                        if (HostPortParser.TryParse(advertise, gateway.Port, out _, out _, out var error))
                        {
                            gateway.Advertise = advertise.Trim();
                        }
                        else
                        {
                            Error(node, $"expected host:port like \"10.0.0.1:7222\", got {node.Describe()}: {error}");
                        }
                    }

                    break;
                case "connect_retries":
                    if (TryInt(node, 0, int.MaxValue, out var connectRetries))
                    {
                        gateway.ConnectRetries = connectRetries;
                    }

                    break;
                case "reject_unknown":
                    if (TryBool(node, out var rejectUnknown))
                    {
                        gateway.RejectUnknown = rejectUnknown;
                    }

                    break;
                case "gateways":
                    BindRemoteGateways(node, gateway.Gateways);
                    break;
                default:
                    if (node is ConfigTable pluginTable && ConfigKeys.Gateway.Any(k => k.Name == key && k.Type == Modular.Abstractions.Settings.SettingType.Table))
                    {
                        if (BindPluginTable(pluginTable) is { } bound)
                        {
                            gateway.PluginTables[key] = bound;
                        }
                    }
                    else
                    {
                        Unknown(node, ConfigKeys.Gateway);
                    }

                    break;
            }
        }

        if (!hasName)
        {
            Error(table, "missing name = \"<cluster name>\": every server of a cluster names the same gateway");
        }

        return listen;
    }

    private void BindRemoteGateways(ConfigNode node, List<RemoteGatewayOptions> remotes)
    {
        if (node is not ConfigArray array)
        {
            Error(node, $"expected a list like [ {{ name = \"B\", urls = [\"nats://host:7222\"] }} ], got {node.Describe()}");
            return;
        }

        foreach (var item in array.Items)
        {
            if (item is not ConfigTable table)
            {
                Error(item, $"expected {{ name = \"...\", urls = [\"nats://host:7222\"] }}, got {item.Describe()}");
                continue;
            }

            var remote = new RemoteGatewayOptions();
            var hasName = false;
            foreach (var (key, value) in table.Entries)
            {
                switch (key)
                {
                    case "name":
                        if (TryName(value, out var name))
                        {
                            remote.Name = name;
                            hasName = true;
                        }

                        break;
                    case "urls":
                        BindGatewayUrls(value, remote.Urls);
                        break;
                    default:
                        Unknown(value, ConfigKeys.RemoteGateway);
                        break;
                }
            }

            if (!hasName)
            {
                Error(table, "missing name = \"<cluster name>\" of the remote gateway");
                continue;
            }

            if (remotes.Any(r => r.Name == remote.Name))
            {
                Error(table, $"gateway \"{remote.Name}\" is already listed");
                continue;
            }

            remotes.Add(remote);
        }
    }

    private void BindGatewayUrls(ConfigNode node, List<Uri> urls)
    {
        if (node is not ConfigArray array)
        {
            Error(node, $"expected a list of URLs like [\"nats://host:7222\"], got {node.Describe()}");
            return;
        }

        foreach (var item in array.Items)
        {
            if (!TryString(item, out var text))
            {
                continue;
            }

            if (Uri.TryCreate(text.Trim(), UriKind.Absolute, out var url) && url.Host.Length > 0 && !url.IsDefaultPort && url.Port > 0
                && url.Scheme is "nats" or "tls" or "nats-route")
            {
                urls.Add(url);
            }
            else
            {
                Error(item, $"expected a gateway URL like \"nats://host:7222\", got {item.Describe()}");
            }
        }
    }
}
