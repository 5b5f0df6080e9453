using System.Text;
using Microsoft.Extensions.Logging;
using Modular.Abstractions.Auth;
using Modular.Abstractions.Transport;
using Modular.Core.Accounts;
using Modular.Core.Routes.Peers;

namespace Modular.Core.Routes;

// The handshake (protocol.md §2.1): the dialing side sends CONNECT and holds its INFO until the
// peer's INFO tells it which pool slot to take; the accepting side sends INFO at once and must see
// CONNECT first. A connection is registered on the peer's INFO, then both sides dump interest.
public sealed partial class RouteConnection
{
    private bool _connectReceived;
    private int _registered;

    // A CONNECT whose authentication has not answered yet: nothing after it is read until it has.
    private (RouteConnectInfo Connect, Task<AuthDecision> Decision)? _pendingConnect;

    /// <summary>The peer's first INFO; null until it arrives.</summary>
    public RouteInfo? RemoteInfo { get; private set; }

    public string? RemoteId => RemoteInfo?.ServerId;

    public string? RemoteName => RemoteInfo?.ServerName;

    /// <summary>True once the connection carries interest and messages.</summary>
    public bool IsRegistered => Volatile.Read(ref _registered) != 0;

    /// <summary>The pool slot this connection holds (0 for a legacy or pinned route).</summary>
    public int PoolIndex { get; private set; }

    /// <summary>True when the peer does not pool (nats-server 2.9, or pool_size -1): this one connection carries every account.</summary>
    public bool NoPool { get; private set; }

    /// <summary>The account a pinned route is dedicated to; null for pooled and legacy routes.</summary>
    public Account? PinnedAccount { get; private set; }

    /// <summary>True when the peer takes HMSG (said headers:true).</summary>
    public bool RemoteHeaders => RemoteInfo?.Headers ?? false;

    private void StartHandshake()
    {
        if (DidSolicit)
        {
            var credentials = _manager.Credentials.CredentialsFor(DialTarget!.Url);
            var connect = new RouteConnectInfo
            {
                User = credentials.User,
                Password = credentials.Password,
                Name = _server.ServerId,
                Cluster = _manager.ClusterName,
                ClusterDynamic = _manager.IsClusterNameDynamic,
                Lnoc = true,
            };
            _output.SendNow(connect.ToLine());
        }
        else
        {
            _output.SendNow(_manager.BuildInfo(this).ToLine());
        }
    }

    private void ProcessConnect(ReadOnlySpan<byte> json)
    {
        if (DidSolicit || _connectReceived)
        {
            return; // a CONNECT after the first is ignored, as nats-server does
        }

        var connect = RouteConnectInfo.Parse(json);
        if (connect is null)
        {
            BeginClose(RouteCloseReason.ProtocolViolation, flushFirst: true);
            return;
        }

        if (!string.IsNullOrEmpty(connect.Lang))
        {
            CloseWithError("attempted to connect to route port", RouteCloseReason.ProtocolViolation);
            return;
        }

        if (!string.IsNullOrEmpty(connect.Gateway))
        {
            CloseWithError($"Rejecting connection from gateway \"{connect.Gateway}\" on the Route port", RouteCloseReason.ProtocolViolation);
            return;
        }

        var request = new AuthRequest(ConnectionKind.Route, connect.User, connect.Password, null, _connection.RemoteEndPoint, _connection.Features);
        var decision = _manager.Authenticator.AuthenticateAsync(request);
        if (decision.IsCompleted)
        {
            FinishConnect(connect, decision.Result);
        }
        else
        {
            // A slow check (bcrypt) runs elsewhere; the read loop waits for it before reading on.
            _pendingConnect = (connect, decision.AsTask());
        }
    }

    /// <summary>Completes a CONNECT whose authentication was still running (unless the route closed meanwhile).</summary>
    private async Task CompletePendingConnectAsync()
    {
        var (connect, decision) = _pendingConnect!.Value;
        _pendingConnect = null;
        AuthDecision result;
        try
        {
            result = await decision.ConfigureAwait(false);
        }
        catch (Exception e)
        {
            _logger.LogError("rid:{rid} - route authentication failed: {error}", Id, e.Message);
            result = AuthDecision.Deny;
        }

        if (!IsClosing)
        {
            FinishConnect(connect, result);
        }
    }

    private void FinishConnect(RouteConnectInfo connect, AuthDecision decision)
    {
        if (!decision.Allowed)
        {
            _logger.LogWarning("rid:{rid} - route authorization failed for user {user}", Id, connect.User ?? "");
            CloseWithError(Protocol.ErrorMessages.AuthorizationViolation, RouteCloseReason.AuthenticationViolation);
            return;
        }

        if (!string.Equals(connect.Cluster, _manager.ClusterName, StringComparison.Ordinal) && !_manager.TryAdoptClusterName(connect.Cluster, connect.ClusterDynamic, this))
        {
            _logger.LogError("rid:{rid} - Rejecting connection, cluster name \"{theirs}\" does not match \"{ours}\"", Id, connect.Cluster, _manager.ClusterName);
            CloseWithError($"Rejecting connection, cluster name \"{connect.Cluster}\" does not match \"{_manager.ClusterName}\"", RouteCloseReason.ClusterNameConflict);
            return;
        }

        _connectReceived = true;
    }

    private void ProcessInfo(ReadOnlySpan<byte> json)
    {
        var info = RouteInfo.Parse(json);
        if (info is null)
        {
            BeginClose(RouteCloseReason.ProtocolViolation, flushFirst: true);
            return;
        }

        if (_awaitingCompressedInfo)
        {
            // The first INFO after the switch-over: now the route registers.
            _awaitingCompressedInfo = false;
            Register(DidSolicit ? RemoteInfo! : info);
            return;
        }

        if (RemoteInfo is not null)
        {
            ProcessAsyncInfo(info);
            return;
        }

        if (info.ServerId == _server.ServerId)
        {
            _logger.LogDebug("rid:{rid} - detected a route to self, closing", Id);
            BeginClose(RouteCloseReason.DuplicateRoute, flushFirst: false);
            return;
        }

        if (DidSolicit && !string.IsNullOrEmpty(info.Cluster) && info.Cluster != _manager.ClusterName
            && !_manager.TryAdoptClusterName(info.Cluster, info.ClusterDynamic, this))
        {
            _logger.LogError("rid:{rid} - Rejecting route, cluster name \"{theirs}\" does not match \"{ours}\"", Id, info.Cluster, _manager.ClusterName);
            BeginClose(RouteCloseReason.ClusterNameConflict, flushFirst: false);
            return;
        }

        if (!string.IsNullOrEmpty(info.ServerName) && info.ServerName == _server.ServerName)
        {
            _logger.LogError("rid:{rid} - Remote server has a duplicate name: {name}", Id, info.ServerName);
            BeginClose(RouteCloseReason.DuplicateServerName, flushFirst: false);
            return;
        }

        RemoteInfo = info;
        if (TryStartCompression(info))
        {
            return;
        }

        Register(info);
    }

    private void Register(RouteInfo info)
    {
        if (!DidSolicit)
        {
            RemoteInfo = info;
        }

        var outcome = _manager.TryRegister(this, info);
        switch (outcome.Result)
        {
            case RegistrationResult.Registered:
                break;
            case RegistrationResult.Error:
                CloseWithError(outcome.Error!, outcome.Reason);
                return;
            default:
                _logger.LogDebug("rid:{rid} - closing route to {remote}: {reason}", Id, info.ServerId, outcome.Reason.Describe());
                BeginClose(outcome.Reason, flushFirst: false);
                return;
        }

        _logger.LogInformation(
            "rid:{rid} - Route connection created to {remoteName} ({remoteId}) at {remote}{kind}",
            Id,
            info.ServerName,
            info.ServerId,
            RemoteEndPoint,
            PinnedAccount is not null ? $", pinned to account {PinnedAccount.Name}" : NoPool ? ", no pool" : $", pool index {PoolIndex}");
        _nextPingTicks = Environment.TickCount64 + Math.Min(1000, (long)_manager.PingInterval.TotalMilliseconds) + Random.Shared.Next(200);
    }

    /// <summary>Called by the manager under its lock once the slot is decided, before anyone else can see this route.</summary>
    internal void AssignSlot(int poolIndex, bool noPool, Account? pinnedAccount)
    {
        PoolIndex = poolIndex;
        NoPool = noPool;
        PinnedAccount = pinnedAccount;
        _parser.AccountImplied = pinnedAccount is not null;
        if (DidSolicit)
        {
            // The dialing side's INFO was held back until now so it can name the slot or account.
            var info = _manager.BuildInfo(this);
            info.RoutePoolIndex = noPool ? 0 : poolIndex;
            info.RouteAccount = pinnedAccount?.Name;
            info.GossipMode = (int)(DialTarget?.GossipMode ?? Abstractions.Discovery.GossipMode.Default);
            if (_manager.Compression is not null)
            {
                // The dialer's INFO names the mode it settled on ("off" when nothing is compressed).
                info.Compression = CompressionMode;
            }
            _output.SendNow(info.ToLine());
        }

        Volatile.Write(ref _registered, 1);
    }

    private void ProcessAsyncInfo(RouteInfo info)
    {
        if (!string.IsNullOrEmpty(info.RouteAccountAddRequestId))
        {
            // A pinned account added by a config reload (protocol.md §3.7): a request when it names
            // the account, our own request confirmed when it does not.
            if (!string.IsNullOrEmpty(info.RouteAccount))
            {
                _manager.OnPinRequested(this, info);
            }
            else
            {
                _manager.OnPinConfirmed(info.RouteAccountAddRequestId);
            }

            return;
        }

        if (info.ServerId != RemoteInfo!.ServerId)
        {
            _manager.OnGossip(this, info);
            return;
        }

        if (info.LameDuckMode)
        {
            _logger.LogInformation("rid:{rid} - peer {remote} entered lame duck mode", Id, info.ServerName);
            _manager.OnPeerLameDuck(this);
        }
    }

    private void ProcessRemoteError(ReadOnlySpan<byte> text)
    {
        var message = Encoding.UTF8.GetString(text);
        if (DialTarget?.PinnedAccount is { } pinned && RemoteId is { } remote && message.Contains("No route for account", StringComparison.Ordinal))
        {
            // The peer does not pin this account: its interest and messages go on the pooled route meanwhile.
            _manager.OnPinRefused(remote, pinned);
        }

        // A peer that refuses our pinned route or pool slot for good: do not keep dialing it.
        // A refused account is not redialed either: it travels on the pool until the peer pins it
        // (by reload it then asks us, and the missing pinned route is dialed again).
        var reason = message.Contains("dedicated route", StringComparison.OrdinalIgnoreCase) || message.Contains("Duplicate", StringComparison.OrdinalIgnoreCase)
            ? RouteCloseReason.DuplicateRoute
            : message.Contains("No route for account", StringComparison.Ordinal) ? RouteCloseReason.MissingAccount : RouteCloseReason.RemoteError;
        BeginClose(reason, flushFirst: false);
    }
}
