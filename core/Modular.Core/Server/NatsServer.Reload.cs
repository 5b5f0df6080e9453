using Microsoft.Extensions.Logging;
using Modular.Core.Auth;
using Modular.Core.Clients;
using Modular.Core.Config;

namespace Modular.Core.Server;

// Configuration reload of what can change without a restart: the accounts and their users (the
// built-in authenticator). The host decides what else may change (the log level) and refuses the rest.
public sealed partial class NatsServer
{
    /// <summary>When the configuration was last reloaded (UTC); null before any reload.</summary>
    public DateTime? LastReload { get; private set; }

    /// <summary>
    /// Replaces the accounts and users with <paramref name="accounts"/>: new logins use them at once,
    /// and every connected client is checked again with the credentials of its CONNECT, as
    /// nats-server does; those no longer allowed (or now in another account) are closed with
    /// "Authorization Violation". Returns how many clients were closed. Throws
    /// <see cref="InvalidOperationException"/> when a plugin authenticates clients (its users are its own).
    /// </summary>
    public async Task<int> ReloadAccountsAsync(Dictionary<string, AccountOptions> accounts)
    {
        if (Seams.ClientAuthenticator is not null)
        {
            throw new InvalidOperationException("clients are authenticated by a plugin, whose users cannot be reloaded here");
        }

        Options.Accounts = accounts;
        var authenticator = new ConfiguredUsersAuthenticator(Options);
        Authenticator = authenticator;
        RefreshClientInfo();
        LastReload = DateTime.UtcNow;

        var closed = 0;
        foreach (var client in _clients.Values.ToList())
        {
            if (!await client.RecheckAuthorizationAsync(authenticator).ConfigureAwait(false))
            {
                closed++;
            }
        }

        _logger.LogInformation("Reloaded accounts: {accounts} account(s), {users} user(s); {closed} client(s) no longer authorized were closed",
            accounts.Count,
            accounts.Values.Sum(a => a.Users.Count),
            closed);
        return closed;
    }
}
