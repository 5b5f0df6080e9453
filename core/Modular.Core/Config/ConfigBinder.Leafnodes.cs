namespace Modular.Core.Config;

/// <summary>The [leafnodes] table, named as nats-server's leafnodes {} block.</summary>
internal sealed partial class ConfigBinder
{
    // The accounts [leafnodes] names, with where; checked once [accounts] is read, wherever it stands.
    private readonly List<(string Account, ConfigNode Node)> _leafAccounts = new();

    /// <summary>Binds [leafnodes]; returns the listen node (for the port conflict check).</summary>
    private ConfigNode? BindLeafnodes(ConfigTable table, LeafnodeOptions leafnodes)
    {
        ConfigNode? listen = null;
        foreach (var (key, node) in table.Entries)
        {
            switch (key)
            {
                case "listen":
                    listen = node;
                    if (TryListen(node, out var host, out var port))
                    {
                        leafnodes.Host = host;
                        leafnodes.Port = port;
                    }

                    break;
                case "host":
                    listen ??= node;
                    if (TryString(node, out var hostOnly))
                    {
                        leafnodes.Host = hostOnly.Trim();
                    }

                    break;
                case "port":
                    listen ??= node;
                    if (TryInt(node, 0, 65535, out var portOnly))
                    {
                        leafnodes.Port = portOnly;
                        leafnodes.Host ??= "0.0.0.0";
                    }

                    break;
                case "advertise":
                    if (TryString(node, out var advertise))
                    {
                        if (HostPortParser.TryParse(advertise, leafnodes.Port, out _, out _, out var error))
                        {
                            leafnodes.Advertise = advertise.Trim();
                        }
                        else
                        {
                            Error(node, $"expected host:port like \"10.0.0.1:7422\", got {node.Describe()}: {error}");
                        }
                    }

                    break;
                case "authorization":
                    if (ExpectTable(node) is { } authorization)
                    {
                        BindLeafAuthorization(authorization, leafnodes.Users);
                    }

                    break;
                case "remotes":
                    BindRemoteLeafs(node, leafnodes.Remotes);
                    break;
                default:
                    if (node is ConfigTable pluginTable && ConfigKeys.Leafnodes.Any(k => k.Name == key && k.Type == Modular.Abstractions.Settings.SettingType.Table))
                    {
                        if (BindPluginTable(pluginTable) is { } bound)
                        {
                            leafnodes.PluginTables[key] = bound;
                        }
                    }
                    else
                    {
                        Unknown(node, ConfigKeys.Leafnodes);
                    }

                    break;
            }
        }

        return listen;
    }

    private void BindLeafAuthorization(ConfigTable table, List<LeafUserOptions> users)
    {
        var single = new LeafUserOptions();
        ConfigNode? singleNode = null;
        foreach (var (key, node) in table.Entries)
        {
            switch (key)
            {
                case "user":
                    singleNode = node;
                    if (TryString(node, out var user))
                    {
                        single.User = user;
                    }

                    break;
                case "password":
                    if (TryString(node, out var password))
                    {
                        single.Password = password;
                    }

                    break;
                case "account":
                    if (TryName(node, out var account))
                    {
                        single.Account = account;
                        _leafAccounts.Add((account, node));
                    }

                    break;
                case "users":
                    BindLeafUsers(node, users);
                    break;
                default:
                    Unknown(node, ConfigKeys.LeafAuthorization);
                    break;
            }
        }

        if (singleNode is not null)
        {
            users.Add(single);
        }
    }

    private void BindLeafUsers(ConfigNode node, List<LeafUserOptions> users)
    {
        if (node is not ConfigArray array)
        {
            Error(node, $"expected a list like [ {{ user = \"leaf\", password = \"...\", account = \"A\" }} ], got {node.Describe()}");
            return;
        }

        foreach (var item in array.Items)
        {
            if (item is not ConfigTable table)
            {
                Error(item, $"expected {{ user = \"...\", password = \"...\", account = \"...\" }}, got {item.Describe()}");
                continue;
            }

            var login = new LeafUserOptions();
            foreach (var (key, value) in table.Entries)
            {
                switch (key)
                {
                    case "user":
                        if (TryString(value, out var user))
                        {
                            login.User = user;
                        }

                        break;
                    case "password":
                        if (TryString(value, out var password))
                        {
                            login.Password = password;
                        }

                        break;
                    case "nkey":
                        if (TryString(value, out var nkey))
                        {
                            if (Leafnodes.LeafCredentials.IsUserPublicKey(nkey.Trim()))
                            {
                                login.Nkey = nkey.Trim();
                            }
                            else
                            {
                                Error(value, $"expected a public user nkey like \"UD...\" (56 characters), got {value.Describe()}");
                            }
                        }

                        break;
                    case "account":
                        if (TryName(value, out var account))
                        {
                            login.Account = account;
                            _leafAccounts.Add((account, value));
                        }

                        break;
                    default:
                        Unknown(value, ConfigKeys.LeafUser);
                        break;
                }
            }

            users.Add(login);
        }
    }

    private void BindRemoteLeafs(ConfigNode node, List<RemoteLeafOptions> remotes)
    {
        if (node is not ConfigArray array)
        {
            Error(node, $"expected a list like [ {{ url = \"nats-leaf://host:7422\", account = \"A\" }} ], got {node.Describe()}");
            return;
        }

        foreach (var item in array.Items)
        {
            if (item is not ConfigTable table)
            {
                Error(item, $"expected {{ url = \"nats-leaf://host:7422\", account = \"A\" }}, got {item.Describe()}");
                continue;
            }

            var remote = new RemoteLeafOptions();
            foreach (var (key, value) in table.Entries)
            {
                switch (key)
                {
                    case "url":
                        BindLeafUrl(value, remote.Urls);
                        break;
                    case "urls":
                        if (value is ConfigArray urls)
                        {
                            foreach (var url in urls.Items)
                            {
                                BindLeafUrl(url, remote.Urls);
                            }
                        }
                        else
                        {
                            Error(value, $"expected a list of URLs like [\"nats-leaf://host:7422\"], got {value.Describe()}");
                        }

                        break;
                    case "account":
                        if (TryName(value, out var account))
                        {
                            remote.Account = account;
                            _leafAccounts.Add((account, value));
                        }

                        break;
                    case "deny_imports":
                        BindDenySubjects(value, remote.DenyImports);
                        break;
                    case "deny_exports":
                        BindDenySubjects(value, remote.DenyExports);
                        break;
                    case "credentials":
                        if (TryNonEmptyString(value, out var creds))
                        {
                            var path = Path.IsPathRooted(creds) ? creds : Path.Combine(ConfigDirectory, creds);
                            if (Leafnodes.LeafCredentials.FromFile(path, out var problem) is null)
                            {
                                Error(value, problem!);
                            }
                            else
                            {
                                remote.CredentialsFile = path;
                            }
                        }

                        break;
                    case "nkey":
                        if (TryNonEmptyString(value, out var seed))
                        {
                            if (Leafnodes.LeafCredentials.FromSeed(seed, out var problem) is null)
                            {
                                // Never the seed itself in the message: it is a secret.
                                Error(value, $"expected a user nkey seed (SU...): {problem}");
                            }
                            else
                            {
                                remote.NkeySeed = seed.Trim();
                            }
                        }

                        break;
                    default:
                        Unknown(value, ConfigKeys.RemoteLeaf);
                        break;
                }
            }

            if (remote.CredentialsFile is not null && remote.NkeySeed is not null)
            {
                Error(table, "credentials and nkey both set on one remote; keep one");
                continue;
            }

            if (remote.Urls.Count == 0)
            {
                Error(table, "missing url = \"nats-leaf://host:7422\" of the remote");
                continue;
            }

            remotes.Add(remote);
        }
    }

    private void BindDenySubjects(ConfigNode node, List<string> subjects)
    {
        if (node is not ConfigArray array)
        {
            Error(node, $"expected a list of subjects like [\"secret.>\"], got {node.Describe()}");
            return;
        }

        foreach (var item in array.Items)
        {
            if (!TryString(item, out var subject))
            {
                continue;
            }

            if (Subjects.SubjectValidator.IsValidSubscribeSubject(System.Text.Encoding.UTF8.GetBytes(subject)))
            {
                subjects.Add(subject);
            }
            else
            {
                Error(item, $"expected a subject like \"secret.>\", got {item.Describe()}");
            }
        }
    }

    private void BindLeafUrl(ConfigNode node, List<Uri> urls)
    {
        if (!TryString(node, out var text))
        {
            return;
        }

        if (Uri.TryCreate(text.Trim(), UriKind.Absolute, out var url) && url.Host.Length > 0 && url.Port > 0
            && url.Scheme is "nats" or "nats-leaf" or "tls")
        {
            urls.Add(url);
        }
        else
        {
            Error(node, $"expected a leaf URL like \"nats-leaf://host:7422\", got {node.Describe()}");
        }
    }

    // A relative credentials path starts at the configuration file's folder (as nats-server's).
    private string ConfigDirectory => File.Exists(_file) ? Path.GetDirectoryName(Path.GetFullPath(_file)) ?? Environment.CurrentDirectory : Environment.CurrentDirectory;

    /// <summary>Accounts named in [leafnodes] must be configured ones (the global account aside).</summary>
    private void CheckLeafAccounts(ModularOptions options)
    {
        foreach (var (account, node) in _leafAccounts)
        {
            if (account != Accounts.Account.GlobalName && !options.Accounts.ContainsKey(account))
            {
                Error(node, $"account \"{account}\" is not configured in [accounts]");
            }
        }
    }
}
