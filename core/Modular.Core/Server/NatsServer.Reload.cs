using Microsoft.Extensions.Logging;
using Modular.Core.Auth;
using Modular.Core.Clients;
using Modular.Core.Config;

namespace Modular.Core.Server;

// Configuration reload of what can change without a restart: the accounts and their users (the
// built-in authenticator), the configured routes, and the seams whose plugins were reconfigured
// (authentication, TLS, pinned accounts). The host decides what else may change (the log level)
// and refuses the rest.
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

        // An added account exists from now on (/accountz lists it, as at start-up); a removed one
        // stays until restart, as in nats-server, since routes and subscriptions may still name it.
        foreach (var name in accounts.Keys)
        {
            Accounts.GetOrAdd(name);
        }

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

    /// <summary>
    /// Replaces the seams after a reload reconfigured their plugins. Authentication, credentials, the
    /// TLS wrappers (new connections handshake with the new certificates; established ones keep
    /// theirs, as nats-server) and the pooling policy (pinned accounts) may change; the transport,
    /// discovery, compression and when client TLS starts may not (<see cref="InvalidOperationException"/>,
    /// nothing applied; <see cref="SeamsThatCannotReload"/> tells beforehand). Clients are checked
    /// again when their authenticator changed. Returns what changed, for the log.
    /// </summary>
    public async Task<IReadOnlyList<string>> ReloadSeamsAsync(ServerSeams next)
    {
        var current = Seams;
        if (SeamsThatCannotReload(next) is { Count: > 0 } fixedSeams)
        {
            throw new InvalidOperationException(string.Join(", ", fixedSeams.Select(f => f.Part is null ? f.ServerSeam : f.ServerSeam + " " + f.Part)) + " cannot change without a restart");
        }

        var applied = new List<string>();
        Seams = next;
        if (!ReferenceEquals(next.ClientConnectionWrapper, current.ClientConnectionWrapper))
        {
            applied.Add("client TLS");
        }

        if (!ReferenceEquals(next.RouteConnectionWrapper, current.RouteConnectionWrapper))
        {
            applied.Add("route TLS");
        }

        if (!ReferenceEquals(next.LeafConnectionWrapper, current.LeafConnectionWrapper))
        {
            applied.Add("leaf node TLS");
        }

        if (!ReferenceEquals(next.LeafAuthenticator, current.LeafAuthenticator))
        {
            applied.Add("leaf node authentication");
        }

        if (!ReferenceEquals(next.ClientAuthenticator, current.ClientAuthenticator))
        {
            var authenticator = next.ClientAuthenticator ?? new ConfiguredUsersAuthenticator(Options);
            Authenticator = authenticator;
            var closed = 0;
            foreach (var client in _clients.Values.ToList())
            {
                if (!await client.RecheckAuthorizationAsync(authenticator).ConfigureAwait(false))
                {
                    closed++;
                }
            }

            applied.Add($"client authentication ({closed} client(s) no longer authorized were closed)");
        }

        ClientInfo = BuildClientInfo(ClientEndPoint?.Port ?? Options.Server.Port);
        if (!ReferenceEquals(next.RouteAuthenticator, current.RouteAuthenticator) || !ReferenceEquals(next.RouteCredentials, current.RouteCredentials))
        {
            applied.Add("route authentication");
        }

        if (Routes is not null)
        {
            var (pinned, unpinned) = await Routes.ReloadPoliciesAsync(next.Pooling, next.RouteCredentials, next.RouteAuthenticator).ConfigureAwait(false);
            if (pinned.Count > 0)
            {
                applied.Add("pinned accounts added: " + string.Join(", ", pinned));
            }

            if (unpinned.Count > 0)
            {
                applied.Add("pinned accounts removed: " + string.Join(", ", unpinned));
            }
        }

        LastReload = DateTime.UtcNow;
        return applied;
    }

    /// <summary>
    /// The seams <see cref="ReloadSeamsAsync"/> cannot take from <paramref name="next"/> (empty when it can):
    /// the transport, discovery and compression are fixed while running, and a client TLS wrapper
    /// only while it starts at the same point.
    /// </summary>
    public IReadOnlyList<FixedSeam> SeamsThatCannotReload(ServerSeams next)
    {
        var current = Seams;
        var fixedSeams = new List<FixedSeam>();
        if (!ReferenceEquals(next.Transport, current.Transport))
        {
            fixedSeams.Add(new FixedSeam(nameof(ServerSeams.Transport)));
        }

        if (!ReferenceEquals(next.Discovery, current.Discovery))
        {
            fixedSeams.Add(new FixedSeam(nameof(ServerSeams.Discovery)));
        }

        if (!ReferenceEquals(next.Compression, current.Compression))
        {
            fixedSeams.Add(new FixedSeam(nameof(ServerSeams.Compression)));
        }

        // Clients already connected started at the old point; a new wrapper starts at the same one or not at all.
        if (next.ClientConnectionWrapper?.ClientUpgrade != current.ClientConnectionWrapper?.ClientUpgrade)
        {
            fixedSeams.Add(new FixedSeam(nameof(ServerSeams.ClientConnectionWrapper), "whether the client handshake comes before INFO (or the table itself)"));
        }

        return fixedSeams;
    }
}
