using Modular.Abstractions.Plugins;
using Modular.Abstractions.Pooling;
using Modular.Plugins.AccountPinning;

[assembly: ModularPlugin("pinning", typeof(AccountPinningPlugin), ModularSeam.RoutePooling)]

namespace Modular.Plugins.AccountPinning;

/// <summary>
/// Pins accounts to dedicated route connections (route_account), one per peer per account, as
/// nats-server's <c>cluster.accounts</c>: their interest and messages travel only there, without
/// the account field. Other accounts keep nats-server's FNV-1a placement over the pool.
/// </summary>
public sealed class AccountPinningPlugin : IModularPlugin, IRoutePoolingPolicy
{
    private readonly List<string> _accounts = new();

    public IReadOnlyCollection<string> DedicatedAccounts => _accounts;

    public void Configure(PluginContext context)
    {
        var settings = context.Settings;
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var account in settings.GetStringList("accounts"))
        {
            if (string.IsNullOrWhiteSpace(account) || account.Contains(' ', StringComparison.Ordinal))
            {
                settings.AddError("accounts", $"\"{account}\" is not an account name");
            }
            else if (!seen.Add(account))
            {
                settings.AddError("accounts", $"account \"{account}\" is listed twice");
            }
            else
            {
                _accounts.Add(account);
            }
        }

        if (_accounts.Count == 0 && !settings.HasErrors)
        {
            settings.AddError("accounts", "list at least one account to pin");
        }
    }

    /// <summary>nats-server's placement for every account that is not pinned.</summary>
    public int PoolIndexFor(ReadOnlySpan<byte> account, int poolSize) => NatsPoolIndex.Of(account, poolSize);
}
