using Modular.Abstractions.Auth;
using Modular.Abstractions.Transport;
using Modular.Core.Protocol;

namespace Modular.Core.Clients;

// INFO sent after the connection is established (async INFO), and checking a connected client
// again after a configuration reload.
public sealed partial class ClientConnection
{
    /// <summary>
    /// Sends an INFO with <c>"ldm":true</c> if this client announced protocol 1 or later in its CONNECT
    /// (older clients do not expect INFO after the first); safe from any thread. True if it was queued.
    /// </summary>
    internal bool SendLameDuckInfo(ServerInfo info)
    {
        if (IsClosing || !_connected || Volatile.Read(ref _options).Protocol < 1)
        {
            return false;
        }

        var ip = RemoteEndPoint?.Address.ToString();
        return _output.SendNow(info.ToClientInfoLine(Id, ip, lameDuck: true));
    }

    /// <summary>
    /// After a reload: asks <paramref name="authenticator"/> again about this client's CONNECT
    /// credentials. A client that is no longer allowed, or would now land in another account, is
    /// closed with "Authorization Violation". False when it was closed.
    /// </summary>
    internal async Task<bool> RecheckAuthorizationAsync(IAuthenticator authenticator)
    {
        if (IsClosing || !_connected)
        {
            return true;
        }

        var options = Volatile.Read(ref _options);
        var request = new AuthRequest(ConnectionKind.Client, options.User, options.Password, options.AuthToken, _connection.RemoteEndPoint, _connection.Features);
        AuthDecision decision;
        try
        {
            decision = await authenticator.AuthenticateAsync(request).ConfigureAwait(false);
        }
        catch (Exception)
        {
            decision = AuthDecision.Deny;
        }

        var account = decision.Account ?? Accounts.Account.GlobalName;
        if (decision.Allowed && account == _account.Name)
        {
            return true;
        }

        CloseWithError(ErrorMessages.AuthorizationViolation, CloseReason.AuthenticationViolation);
        return false;
    }
}
