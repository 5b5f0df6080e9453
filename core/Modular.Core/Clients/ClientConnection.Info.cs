using Modular.Abstractions.Auth;
using Modular.Abstractions.Transport;
using Modular.Core.Protocol;

namespace Modular.Core.Clients;

// INFO sent after the connection is established (async INFO), and checking a connected client
// again after a configuration reload.
public sealed partial class ClientConnection
{
    // 1 once the first PONG after CONNECT is queued: async INFO may follow from then on (nats-server's
    // firstPongSent). Before it, nats.go's connect still expects PONG as the very next line.
    private int _firstPongSent;

    // The connect URL version the last INFO this client got was built from.
    private long _infoUrlsVersion;

    /// <summary>
    /// Sends <paramref name="info"/> as an async INFO (with <c>"ldm":true</c> when <paramref name="lameDuck"/>)
    /// if this client announced protocol 1 or later in its CONNECT and its first PING was answered, as
    /// nats-server does; safe from any thread. True if it was queued.
    /// </summary>
    internal bool SendAsyncInfo(ServerInfo info, bool lameDuck)
    {
        if (IsClosing || !_connected || Volatile.Read(ref _firstPongSent) == 0 || Volatile.Read(ref _options).Protocol < 1)
        {
            return false;
        }

        var ip = RemoteEndPoint?.Address.ToString();
        return _output.SendNow(info.ToClientInfoLine(Id, ip, lameDuck: lameDuck));
    }

    /// <summary>The initial INFO: remembers which version of the connect URLs it carries.</summary>
    private byte[] InitialInfoLine()
    {
        var info = _server.ClientInfo;
        _infoUrlsVersion = info.ConnectUrlsVersion;
        return info.ToClientInfoLine(Id, RemoteEndPoint?.Address.ToString());
    }

    /// <summary>
    /// Read loop, on the first PING after CONNECT: marks the client as taking async INFO, and if the
    /// connect URLs changed (or lame duck mode began) since its INFO, sends the current INFO right
    /// after the PONG, so no update falls between the two.
    /// </summary>
    private void OnFirstPong()
    {
        // A full fence: either this read sees a change made before, or that change's sender sees the flag.
        Interlocked.Exchange(ref _firstPongSent, 1);
        if (_options.Protocol < 1 || _server.ClientUrlsVersion == _infoUrlsVersion)
        {
            return;
        }

        var ip = RemoteEndPoint?.Address.ToString();
        Send(_server.ClientInfo.ToClientInfoLine(Id, ip, lameDuck: _server.IsLameDuck));
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
