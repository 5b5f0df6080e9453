using Modular.Abstractions.Auth;
using Modular.Core.Accounts;
using Modular.Core.Config;

namespace Modular.Core.Broker;

/// <summary>
/// What a session that takes local subscriptions and publishes needs from the broker it runs in:
/// accounts, settings, the authenticator and the statistics it feeds (its interest reaches the cluster through the accounts' interest events).
/// Sessions depend on this, never on the server object; each session kind adds its own needs in
/// an interface beside it (clients: <c>Clients.IClientHost</c>).
/// </summary>
public interface IBrokerContext
{
    ModularOptions Options { get; }

    AccountRegistry Accounts { get; }

    /// <summary>Decides on a CONNECT; a reload may replace it, so read it when needed.</summary>
    IAuthenticator Authenticator { get; }

    /// <summary>Adds one read batch's message counts to the server-wide totals (/varz).</summary>
    void AddMessageCounts(long inMsgs, long inBytes, long outMsgs, long outBytes);
}
