namespace Modular.Core.Config;

/// <summary>The [accounts.NAME] tables.</summary>
internal sealed partial class ConfigBinder
{
    private void BindAccounts(ConfigTable table, Dictionary<string, AccountOptions> accounts)
    {
        // A user logs in by name alone, so a name may belong to one account only.
        var owners = new Dictionary<string, (string Account, ConfigNode Node)>(StringComparer.Ordinal);
        foreach (var (name, node) in table.Entries)
        {
            if (node is not ConfigTable accountTable)
            {
                Error(node, $"expected an account table like [accounts.{name}], got {node.Describe()}");
                continue;
            }

            if (name.Trim().Length == 0 || name.Any(char.IsWhiteSpace))
            {
                Error(node, "an account name must not be empty or contain spaces");
                continue;
            }

            var account = new AccountOptions();
            foreach (var (key, value) in accountTable.Entries)
            {
                switch (key)
                {
                    case "users":
                        BindUsers(name, value, account.Users, owners);
                        break;
                    default:
                        Unknown(value, ConfigKeys.Account);
                        break;
                }
            }

            accounts[name] = account;
        }
    }

    private void BindUsers(string account, ConfigNode node, List<UserOptions> users, Dictionary<string, (string Account, ConfigNode Node)> owners)
    {
        if (node is not ConfigArray array)
        {
            Error(node, $"expected a list like [ {{ user = \"alice\", password = \"...\" }} ], got {node.Describe()}");
            return;
        }

        foreach (var item in array.Items)
        {
            if (item is not ConfigTable userTable)
            {
                Error(item, $"expected {{ user = \"...\", password = \"...\" }}, got {item.Describe()}");
                continue;
            }

            var user = new UserOptions();
            ConfigNode? userNode = null;
            var hasPassword = false;
            var valid = true;
            foreach (var (key, value) in userTable.Entries)
            {
                switch (key)
                {
                    case "user":
                        userNode = value;
                        if (TryNonEmptyString(value, out var name))
                        {
                            user.User = name;
                        }
                        else
                        {
                            valid = false;
                        }

                        break;
                    case "password":
                        hasPassword = true;
                        if (TryString(value, out var password))
                        {
                            user.Password = password;
                        }
                        else
                        {
                            valid = false;
                        }

                        break;
                    default:
                        Unknown(value, ConfigKeys.User);
                        break;
                }
            }

            if (userNode is null)
            {
                Error(userTable, "missing user = \"<name>\"");
                continue;
            }

            if (!hasPassword)
            {
                Error(userTable, $"missing password for user \"{user.User}\"");
                valid = false;
            }

            if (!valid)
            {
                continue;
            }

            if (owners.TryGetValue(user.User, out var owner))
            {
                var where = owner.Account == account ? "already listed in this account" : $"already a user of account \"{owner.Account}\"";
                Error(userNode, $"user \"{user.User}\" is {where} (line {owner.Node.Line}); a user name may belong to one account only");
                continue;
            }

            owners.Add(user.User, (account, userNode));
            users.Add(user);
        }
    }
}
