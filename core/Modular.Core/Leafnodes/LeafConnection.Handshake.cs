using System.Text;
using Microsoft.Extensions.Logging;
using Modular.Abstractions.Auth;
using Modular.Abstractions.Transport;
using Modular.Core.Routes;

namespace Modular.Core.Leafnodes;

// The handshake (nats-server leafnode.go): the accepting side sends INFO; the soliciting side answers
// with CONNECT only (its name, cluster, the account it binds, credentials) and is registered at once;
// the accepting side authenticates the CONNECT, binds the connection to the login's account and
// registers. Registered, each side sends its interest (LS+) with its loop-detection subject.
// With TLS ([leafnodes.tls]) the accepting side's INFO says tls_required and is the last plaintext:
// the accepting side starts the TLS handshake as server right after it, the soliciting side as client
// once it has read it (before its CONNECT). The read loop holds its input meanwhile (HoldsInput).
public sealed partial class LeafConnection
{
    private int _registered;
    private LeafInterest? _interest;
    private byte[] _remoteClusterBytes = [];

    // The TLS upgrade the read loop must run before it reads on; null when none is due.
    private Modular.Abstractions.Transport.ConnectionRole? _upgrade;

    // A CONNECT whose [leafnodes.auth] decision is still being made (the input is held until it is).

    // The nonce of the INFO: the accepting side's (an nkey login signs it), or the hub's (the soliciting side signs it).
    private string _nonce = "";

    // The soliciting side's account, bound once the upgrade is done and the CONNECT sent.
    private Accounts.Account? _accountAfterUpgrade;

    /// <summary>The remote server's name (its CONNECT's or INFO's); null before the handshake.</summary>
    public override string? RemoteName => RemoteServerName ?? RemoteServerId;

    public string? RemoteServerName { get; private set; }

    public string? RemoteServerId { get; private set; }

    /// <summary>The remote's cluster name; null or empty when it runs alone.</summary>
    public string? RemoteCluster
    {
        get;
        private set
        {
            field = value;
            _remoteClusterBytes = string.IsNullOrEmpty(value) ? [] : Encoding.UTF8.GetBytes(value);
        }
    }

    /// <summary>The peer takes HMSG (said headers:true).</summary>
    public bool RemoteHeaders { get; private set; }

    public override bool IsRegistered => Volatile.Read(ref _registered) != 0;

    private void OnConnect(ReadOnlySpan<byte> json)
    {
        if (!MustSeeConnectFirst)
        {
            return;
        }

        var connect = LeafConnectInfo.Parse(json);
        if (connect is null)
        {
            Closer.WithError(null, RouteCloseReason.ProtocolViolation);
            return;
        }

        if (!string.IsNullOrEmpty(connect.Lang))
        {
            Closer.WithError("Client connected to leafnode port", RouteCloseReason.ProtocolViolation);
            return;
        }

        if (!string.IsNullOrEmpty(connect.Gateway))
        {
            Closer.WithError($"Rejecting connection from gateway \"{connect.Gateway}\" on the leafnode port", RouteCloseReason.ProtocolViolation);
            return;
        }

        if (!string.IsNullOrEmpty(connect.Cluster) && connect.Cluster == _manager.ClusterName)
        {
            Closer.WithError("Leafnode has same cluster name as the hub", RouteCloseReason.ProtocolViolation);
            return;
        }

        if (_manager.Authenticator is { } authenticator)
        {
            // [leafnodes.auth]: the CONNECT's credentials through the auth seam. A slow check (bcrypt)
            // holds the input until it is decided, as a gateway's.
            var request = new AuthRequest(ConnectionKind.Leafnode, connect.User, connect.Password, connect.Token, RemoteEndPoint, Connection.Features, connect.Nkey, connect.Signature, _nonce, connect.Jwt);
            Authenticate(authenticator, request, decision => Authorize(connect, decision));
            return;
        }

        var account = _manager.Authenticate(connect, _nonce, out var error);
        if (account is null)
        {
            Logger.LogError("lid:{lid} - Leafnode authentication failed for user {user}", Id, connect.User ?? connect.Nkey);
            Closer.WithError(error ?? Protocol.ErrorMessages.AuthorizationViolation, RouteCloseReason.AuthenticationViolation);
            return;
        }

        Accept(connect, account);
    }

    private void Authorize(LeafConnectInfo connect, AuthDecision decision)
    {
        if (!decision.Allowed)
        {
            Logger.LogError("lid:{lid} - Leafnode authentication failed for user {user}", Id, connect.User);
            Closer.WithError(Protocol.ErrorMessages.AuthorizationViolation, RouteCloseReason.AuthenticationViolation);
            return;
        }

        Accept(connect, _manager.Bind(decision.Account ?? Accounts.Account.GlobalName));
    }

    private void Accept(LeafConnectInfo connect, Accounts.Account account)
    {
        OnConnectAccepted();
        RemoteServerName = connect.Name;
        RemoteServerId = connect.ServerId;
        RemoteCluster = connect.Cluster;
        RemoteHeaders = connect.Headers;
        _denyOut = LeafSubjectDeny.For(connect.DenyPub);
        Register(account);
    }

    private void OnInfo(ReadOnlySpan<byte> json)
    {
        var info = LeafInfo.Parse(json);
        if (info is null)
        {
            Closer.WithError(null, RouteCloseReason.ProtocolViolation);
            return;
        }

        if (!DidSolicit)
        {
            // The accepting side does not expect an INFO (only a compression negotiation would send one).
            return;
        }

        if (info.LeafnodeUrls is { Count: > 0 } urls)
        {
            Remote!.Learn(urls, Url!);
        }

        if (IsRegistered)
        {
            return;
        }

        if (info.ClientId == 0 || info.LeafnodeUrls is null)
        {
            Logger.LogError("lid:{lid} - Attempted to connect to a non-leafnode port at {url}", Id, Url);
            BeginClose(RouteCloseReason.ProtocolViolation, flushFirst: false);
            return;
        }

        if (info.ServerId == Server.ServerId)
        {
            BeginClose(RouteCloseReason.DuplicateRoute, flushFirst: false);
            return;
        }

        _nonce = info.Nonce ?? "";
        RemoteServerName = string.IsNullOrEmpty(info.ServerName) ? info.ServerId : info.ServerName;
        RemoteServerId = info.ServerId;
        RemoteCluster = info.Cluster;
        RemoteHeaders = info.Headers;
        if (!Server.Accounts.TryGet(Remote!.Account, out var account))
        {
            BeginClose(RouteCloseReason.MissingAccount, flushFirst: false);
            return;
        }

        if (info.TlsRequired || _manager.HasTls)
        {
            // As nats-server: a remote with TLS always upgrades, and the hub's tls_required asks for it.
            _upgrade = Modular.Abstractions.Transport.ConnectionRole.Dialed;
            _accountAfterUpgrade = account;
            return;
        }

        SendConnectAndRegister(account);
    }

    private void SendConnectAndRegister(Accounts.Account account)
    {
        var (user, password) = Credentials(Url!);
        var credentials = Remote!.LoadCredentials(out var problem);
        if (problem is not null)
        {
            // The file was good when the configuration was read; it changed since.
            Logger.LogError("lid:{lid} - Leafnode credentials for {url}: {error}", Id, Url, problem);
            BeginClose(RouteCloseReason.AuthenticationViolation, flushFirst: false);
            return;
        }

        Output.SendNow(new LeafConnectInfo
        {
            Version = Server.Version,
            ServerId = Server.ServerId,
            Name = Server.ServerName,
            Cluster = _manager.ClusterName,
            Headers = true,
            RemoteAccount = account.Name,
            DenyPub = Remote!.DenyImports.Count == 0 ? null : Remote.DenyImports.ToList(),
            User = user,
            Password = password,
            Jwt = credentials?.Jwt,
            Nkey = credentials is { Jwt: null } ? credentials.PublicKey : null,
            Signature = credentials?.Sign(_nonce),
            Protocol = 1,
        }.ToLine());
        Register(account);
    }

    protected override bool HoldsInput => _upgrade is not null || AwaitingAuthentication;

    /// <summary>Runs the TLS handshake the INFO called for, or waits for the auth decision; false closes the connection.</summary>
    protected override async ValueTask<bool> ReleaseInputAsync()
    {
        if (AwaitingAuthentication)
        {
            await CompleteAuthenticationAsync().ConfigureAwait(false);
            return true;
        }

        var role = _upgrade!.Value;
        _upgrade = null;
        // The INFO (accepting side) must be out before the handshake starts on the same stream.
        if (!await Output.WhenIdleAsync(TimeSpan.FromSeconds(5)).ConfigureAwait(false))
        {
            return false;
        }

        if (await _manager.UpgradeAsync(Connection, role, Url).ConfigureAwait(false) is { } error)
        {
            Logger.LogError("lid:{lid} - TLS leafnode handshake error with {remote}: {error}", Id, (object?)Url ?? RemoteEndPoint, error);
            BeginClose(RouteCloseReason.TlsHandshakeError, flushFirst: false);
            return false;
        }

        if (_accountAfterUpgrade is { } account)
        {
            _accountAfterUpgrade = null;
            SendConnectAndRegister(account);
        }

        return true;
    }

    private static (string? User, string? Password) Credentials(Uri url)
    {
        if (url.UserInfo.Length == 0)
        {
            return (null, null);
        }

        var colon = url.UserInfo.IndexOf(':');
        return colon < 0
            ? (Uri.UnescapeDataString(url.UserInfo), null)
            : (Uri.UnescapeDataString(url.UserInfo[..colon]), Uri.UnescapeDataString(url.UserInfo[(colon + 1)..]));
    }

    private void Register(Accounts.Account account)
    {
        Account = account;
        RemoteInterest.ImpliedAccount = account;
        if (LeafOrigin is { } origin)
        {
            Receiver.LeafOrigin = Encoding.UTF8.GetBytes(origin);
        }

        _manager.Register(this);
        Volatile.Write(ref _registered, 1);
        KeepAlive.OnRegistered();
        _interest = new LeafInterest(this, hubSide: !DidSolicit);
        _interest.Start(account, _manager.LoopDetectionSubject(account));
        Logger.LogInformation(
            "lid:{lid} - Leafnode connection {direction} {remote} ({remoteId}) at {endpoint} bound to account {account}",
            Id,
            DidSolicit ? "to" : "from",
            RemoteServerName,
            RemoteServerId,
            RemoteEndPoint,
            account.Name);
    }

    private bool IsOurLoopSubject(ReadOnlySpan<byte> subject) =>
        subject.StartsWith("$LDS."u8) && Account is { } account && subject.SequenceEqual(Encoding.UTF8.GetBytes(_manager.LoopDetectionSubject(account)));

    /// <summary>Our own loop-detection subject came back: the leaf topology has a cycle.</summary>
    private void OnLoopDetected()
    {
        var text = $"Loop detected for leafnode account=\"{Account?.Name}\". Delaying attempt to reconnect for {RemoteLeaf.LoopDetectedDelay.TotalSeconds:0}s";
        Logger.LogError("lid:{lid} - {error}", Id, text);
        Remote?.DelayNextDial(RemoteLeaf.LoopDetectedDelay);
        Closer.WithError(text, RouteCloseReason.ProtocolViolation);
    }

    private void OnRemoteError(string text)
    {
        Logger.LogWarning("lid:{lid} - Leafnode Error {error}", Id, text);
        if (text.Contains("Loop detected", StringComparison.Ordinal))
        {
            // As nats-server: the soliciting side waits 30 s before it dials again.
            Remote?.DelayNextDial(RemoteLeaf.LoopDetectedDelay);
        }

        BeginClose(RouteCloseReason.RemoteError, flushFirst: false);
    }
}
