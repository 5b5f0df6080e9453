using Microsoft.Extensions.Logging;
using Modular.Abstractions.Auth;
using Modular.Abstractions.Transport;
using Modular.Core.Protocol;

namespace Modular.Core.Routes.Handshake;

/// <summary>
/// The route handshake (protocol.md §2.1) as a state machine: the dialing side sends CONNECT and
/// holds its INFO until the peer's INFO tells it which place to take; the accepting side sends
/// INFO at once and must see CONNECT (authenticated, same cluster) first. Each protocol line
/// yields a <see cref="HandshakeOutcome"/> that the connection applies; this class does no I/O.
/// Only the connection's read loop calls it.
/// </summary>
public sealed class RouteHandshake
{
    private readonly IRouteHandshakeHost _host;
    private readonly ulong _id;
    private readonly RouteDialTarget? _dialTarget;
    private readonly RouteConnection? _route;
    private readonly ILogger _logger;
    private RouteConnectInfo? _pendingConnect;
    private Task<AuthDecision>? _pendingAuth;

    /// <param name="dialTarget">What we dialed; null on the accepting side.</param>
    /// <param name="route">The connection, passed on to the host (a cluster name adoption spares it).</param>
    public RouteHandshake(IRouteHandshakeHost host, ulong id, RouteDialTarget? dialTarget, RouteConnection? route, ILogger logger)
    {
        _host = host;
        _id = id;
        _dialTarget = dialTarget;
        _route = route;
        _logger = logger;
    }

    private bool DidSolicit => _dialTarget is not null;

    /// <summary>True once the accepting side took the peer's CONNECT.</summary>
    public bool ConnectReceived { get; private set; }

    /// <summary>The peer's first INFO; null until it is accepted.</summary>
    public RouteInfo? RemoteInfo { get; private set; }

    /// <summary>The authentication of a CONNECT is still running: nothing after it is read until <see cref="CompleteAuthenticationAsync"/>.</summary>
    public bool AwaitingAuthentication => _pendingAuth is not null;

    /// <summary>The accepting side takes nothing but CONNECT until it has one.</summary>
    public bool MustSeeConnectFirst => !ConnectReceived && !DidSolicit;

    /// <summary>The first line: CONNECT when dialing, our INFO when accepting.</summary>
    public byte[] FirstLine()
    {
        if (!DidSolicit)
        {
            return _host.BuildInfo(_route).ToLine();
        }

        var credentials = _host.Credentials.CredentialsFor(_dialTarget!.Url);
        return new RouteConnectInfo
        {
            User = credentials.User,
            Password = credentials.Password,
            Name = _host.ServerId,
            Cluster = _host.ClusterName,
            ClusterDynamic = _host.IsClusterNameDynamic,
            Lnoc = true,
        }.ToLine();
    }

    /// <summary>The dialing side's INFO, held back until the registry placed the route so it can name the slot or account.</summary>
    public byte[] HeldBackInfo(int poolIndex, bool noPool, string? pinnedAccount, string? compressionMode)
    {
        var info = _host.BuildInfo(_route);
        info.RoutePoolIndex = noPool ? 0 : poolIndex;
        info.RouteAccount = pinnedAccount;
        info.GossipMode = (int)(_dialTarget?.GossipMode ?? Abstractions.Discovery.GossipMode.Default);
        if (compressionMode is not null)
        {
            info.Compression = compressionMode;
        }

        return info.ToLine();
    }

    /// <param name="remote">Where the connection comes from, and <paramref name="features"/> what its wrappers published: for authentication.</param>
    public HandshakeOutcome OnConnect(ReadOnlySpan<byte> json, System.Net.EndPoint? remote, ConnectionFeatures features)
    {
        if (DidSolicit || ConnectReceived || _pendingConnect is not null)
        {
            return HandshakeOutcome.Continue; // a CONNECT after the first is ignored, as nats-server does
        }

        var connect = RouteConnectInfo.Parse(json);
        if (connect is null)
        {
            return HandshakeOutcome.Refuse(RouteCloseReason.ProtocolViolation, flush: true);
        }

        if (!string.IsNullOrEmpty(connect.Lang))
        {
            return HandshakeOutcome.Refuse(RouteCloseReason.ProtocolViolation, "attempted to connect to route port");
        }

        if (!string.IsNullOrEmpty(connect.Gateway))
        {
            return HandshakeOutcome.Refuse(RouteCloseReason.ProtocolViolation, $"Rejecting connection from gateway \"{connect.Gateway}\" on the Route port");
        }

        var request = new AuthRequest(ConnectionKind.Route, connect.User, connect.Password, null, remote, features);
        var decision = _host.Authenticator.AuthenticateAsync(request);
        if (decision.IsCompleted)
        {
            return Authenticated(connect, decision.Result);
        }

        // A slow check (bcrypt) runs elsewhere; the read loop waits for it before reading on.
        _pendingConnect = connect;
        _pendingAuth = decision.AsTask();
        return new HandshakeOutcome(HandshakeResult.AwaitAuthentication, PendingAuth: _pendingAuth);
    }

    /// <summary>
    /// Waits for the authentication that <see cref="OnConnect"/> left pending (a check that failed
    /// denies) and decides on it; null when the route closed meanwhile.
    /// </summary>
    public async Task<HandshakeOutcome?> CompleteAuthenticationAsync(Func<bool> closed)
    {
        var pending = _pendingAuth!;
        _pendingAuth = null;
        AuthDecision decision;
        try
        {
            decision = await pending.ConfigureAwait(false);
        }
        catch (Exception e)
        {
            _logger.LogError("rid:{rid} - route authentication failed: {error}", _id, e.Message);
            decision = AuthDecision.Deny;
        }

        return closed() ? null : OnAuthenticated(decision);
    }

    /// <summary>The authentication of the CONNECT that <see cref="OnConnect"/> left pending answered.</summary>
    public HandshakeOutcome OnAuthenticated(AuthDecision decision)
    {
        var connect = _pendingConnect!;
        _pendingConnect = null;
        return Authenticated(connect, decision);
    }

    private HandshakeOutcome Authenticated(RouteConnectInfo connect, AuthDecision decision)
    {
        if (!decision.Allowed)
        {
            _logger.LogWarning("rid:{rid} - route authorization failed for user {user}", _id, connect.User ?? "");
            return HandshakeOutcome.Refuse(RouteCloseReason.AuthenticationViolation, ErrorMessages.AuthorizationViolation);
        }

        if (!string.Equals(connect.Cluster, _host.ClusterName, StringComparison.Ordinal) && !_host.TryAdoptClusterName(connect.Cluster, connect.ClusterDynamic, _route))
        {
            var ours = _host.ClusterName;
            _logger.LogError("rid:{rid} - Rejecting connection, cluster name \"{theirs}\" does not match \"{ours}\"", _id, connect.Cluster, ours);
            return HandshakeOutcome.Refuse(RouteCloseReason.ClusterNameConflict, $"Rejecting connection, cluster name \"{connect.Cluster}\" does not match \"{ours}\"");
        }

        ConnectReceived = true;
        return HandshakeOutcome.Continue;
    }

    public HandshakeOutcome OnInfo(ReadOnlySpan<byte> json)
    {
        var info = RouteInfo.Parse(json);
        if (info is null)
        {
            return HandshakeOutcome.Refuse(RouteCloseReason.ProtocolViolation, flush: true);
        }

        if (RemoteInfo is not null)
        {
            return new HandshakeOutcome(HandshakeResult.Update, Info: info, Update: Classify(info));
        }

        if (info.ServerId == _host.ServerId)
        {
            _logger.LogDebug("rid:{rid} - detected a route to self, closing", _id);
            return HandshakeOutcome.Refuse(RouteCloseReason.DuplicateRoute);
        }

        if (DidSolicit && !string.IsNullOrEmpty(info.Cluster) && info.Cluster != _host.ClusterName
            && !_host.TryAdoptClusterName(info.Cluster, info.ClusterDynamic, _route))
        {
            _logger.LogError("rid:{rid} - Rejecting route, cluster name \"{theirs}\" does not match \"{ours}\"", _id, info.Cluster, _host.ClusterName);
            return HandshakeOutcome.Refuse(RouteCloseReason.ClusterNameConflict);
        }

        if (!string.IsNullOrEmpty(info.ServerName) && info.ServerName == _host.ServerName)
        {
            _logger.LogError("rid:{rid} - Remote server has a duplicate name: {name}", _id, info.ServerName);
            return HandshakeOutcome.Refuse(RouteCloseReason.DuplicateServerName);
        }

        RemoteInfo = info;
        return new HandshakeOutcome(HandshakeResult.Accepted, Info: info);
    }

    /// <summary>
    /// The first INFO after a compression switch-over arrived: the route registers now, with the
    /// accepting side's view of the peer taken from it (the dialer's real INFO comes compressed).
    /// </summary>
    public RouteInfo OnInfoAfterSwitch(RouteInfo info)
    {
        if (!DidSolicit)
        {
            RemoteInfo = info;
        }

        return RemoteInfo!;
    }

    private InfoUpdate Classify(RouteInfo info)
    {
        if (info.Extra is { } extra && extra.TryGetValue("gateway", out var gateway) && gateway.ValueKind == System.Text.Json.JsonValueKind.String)
        {
            return InfoUpdate.Gateway;
        }

        if (!string.IsNullOrEmpty(info.RouteAccountAddRequestId))
        {
            return string.IsNullOrEmpty(info.RouteAccount) ? InfoUpdate.PinConfirmation : InfoUpdate.PinRequest;
        }

        if (info.ServerId != RemoteInfo!.ServerId)
        {
            return InfoUpdate.Gossip;
        }

        return info.LameDuckMode ? InfoUpdate.LameDuck : InfoUpdate.None;
    }

    /// <summary>
    /// How the close reason follows from the peer's -ERR: a peer that refuses our pinned route or
    /// pool slot for good is not redialed, nor is a refused account (it travels on the pool until
    /// the peer pins it: by reload it then asks us, and the missing pinned route is dialed again).
    /// </summary>
    public static RouteCloseReason ReasonForRemoteError(string message) =>
        message.Contains("dedicated route", StringComparison.OrdinalIgnoreCase) || message.Contains("Duplicate", StringComparison.OrdinalIgnoreCase)
            ? RouteCloseReason.DuplicateRoute
            : IsPinRefusal(message) ? RouteCloseReason.MissingAccount : RouteCloseReason.RemoteError;

    /// <summary>The peer does not pin the account of our pinned route.</summary>
    public static bool IsPinRefusal(string message) => message.Contains("No route for account", StringComparison.Ordinal);
}

