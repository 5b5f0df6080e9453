using System.Text.Json;
using Microsoft.Extensions.Logging;
using Modular.Abstractions.Auth;
using Modular.Core.Accounts;
using Modular.Core.Protocol;
using Modular.Core.Routes;
using Modular.Core.Subjects;

namespace Modular.Core.Gateways;

// The handshake (nats-server gateway.go): the accepting side sends INFO; the dialer checks the
// gateway name in it, answers CONNECT {gateway: ours} and its own INFO, and registers; the accepting
// side checks the CONNECT (a gateway, and one it accepts), then registers on the dialer's INFO and
// sends this cluster's interest. Later INFOs carry commands (gossip, interest-only mode).
public sealed partial class GatewayConnection
{
    private int _registered;
    private readonly List<(Account Account, Subscription Subscription)> _replyRoutes = new();
    private readonly HashSet<string> _interestOnlyAccounts = new(StringComparer.Ordinal);

    /// <summary>The accounts the remote switched to interest-only on this outbound connection (gateway_cmd 2), for /gatewayz.</summary>
    public IReadOnlyList<string> InterestOnlyAccounts
    {
        get
        {
            lock (_interestOnlyAccounts)
            {
                return _interestOnlyAccounts.ToList();
            }
        }
    }

    /// <summary>The remote's first INFO; null until it arrives.</summary>
    public GatewayInfo? RemoteInfo { get; private set; }

    public string? RemoteId => RemoteInfo?.ServerId;

    public override string? RemoteName => RemoteInfo?.ServerName;

    public bool RemoteHeaders => RemoteInfo?.Headers ?? false;

    /// <summary>True once the connection carries interest and messages.</summary>
    public override bool IsRegistered => Volatile.Read(ref _registered) != 0;

    private void OnConnect(ReadOnlySpan<byte> json)
    {
        if (!MustSeeConnectFirst)
        {
            return;
        }

        RouteConnectInfo? connect;
        try
        {
            connect = JsonSerializer.Deserialize<RouteConnectInfo>(json, new JsonSerializerOptions { PropertyNameCaseInsensitive = true });
        }
        catch (JsonException)
        {
            connect = null;
        }

        if (connect is null || string.IsNullOrEmpty(connect.Gateway))
        {
            // A client or a route dialed the gateway port.
            Closer.WithError("attempted to connect to gateway port", RouteCloseReason.ProtocolViolation);
            return;
        }

        if (!_manager.Accepts(connect.Gateway))
        {
            Logger.LogError("gid:{gid} - Rejecting connection from gateway {cluster}", Id, connect.Gateway);
            Closer.WithError($"Connection to gateway \"{_manager.Name}\" rejected", RouteCloseReason.ProtocolViolation);
            return;
        }

        // [gateway.auth] (nats-server's gateway authorization): the CONNECT's user and password,
        // through the auth seam. A slow check (bcrypt) holds the input until it is decided.
        var request = new Modular.Abstractions.Auth.AuthRequest(Modular.Abstractions.Transport.ConnectionKind.Gateway, connect.User, connect.Password, null, RemoteEndPoint, Connection.Features);
        Authenticate(_manager.Authenticator, request, decision => Authorize(connect, decision));
    }

    protected override bool HoldsInput => AwaitingAuthentication;

    protected override async ValueTask<bool> ReleaseInputAsync()
    {
        await CompleteAuthenticationAsync().ConfigureAwait(false);
        return true;
    }

    private void Authorize(RouteConnectInfo connect, AuthDecision decision)
    {
        if (!decision.Allowed)
        {
            Logger.LogError("gid:{gid} - Gateway authorization failed for {cluster} (user {user})", Id, connect.Gateway, connect.User ?? "");
            Closer.WithError(ErrorMessages.AuthorizationViolation, RouteCloseReason.AuthenticationViolation);
            return;
        }

        RemoteCluster = connect.Gateway;
        OnConnectAccepted();
    }

    private void OnInfo(ReadOnlySpan<byte> json)
    {
        var info = GatewayInfo.Parse(json);
        if (info is null)
        {
            Closer.WithError(null, RouteCloseReason.ProtocolViolation);
            return;
        }

        if (RemoteInfo is not null)
        {
            OnLaterInfo(info);
            return;
        }

        if (IsOutbound)
        {
            OnFirstOutboundInfo(info);
        }
        else
        {
            OnFirstInboundInfo(info);
        }
    }

    private void OnFirstOutboundInfo(GatewayInfo info)
    {
        var expected = Remote!.Name;
        if (string.IsNullOrEmpty(info.Gateway))
        {
            Closer.WithError($"Attempt to connect to gateway \"{expected}\" using wrong port", RouteCloseReason.ProtocolViolation);
            return;
        }

        if (info.Gateway != expected)
        {
            var refusal = $"Connection from \"{_manager.Name}\" rejected, wanted to connect to \"{expected}\", this is \"{info.Gateway}\"";
            Logger.LogError("gid:{gid} - Failing connection to gateway {expected}, remote gateway name is {actual}: {refusal}", Id, expected, info.Gateway, refusal);
            Closer.WithError(refusal, RouteCloseReason.ProtocolViolation);
            return;
        }

        if (info.ServerId == Server.ServerId)
        {
            BeginClose(RouteCloseReason.DuplicateRoute, flushFirst: false);
            return;
        }

        RemoteInfo = info;

        // The dialed URL's user:password, else [gateway.auth]'s own (nats-server: the gateway authorization user).
        var credentials = Url is null ? default : _manager.CredentialsFor(Url);
        var connect = new RouteConnectInfo
        {
            Echo = false,
            Headers = true,
            Name = Server.ServerId,
            Gateway = _manager.Name,
            User = credentials.User,
            Password = credentials.Password,
        };
        Output.SendNow(System.Text.Encoding.UTF8.GetBytes("CONNECT " + JsonSerializer.Serialize(connect) + "\r\n"));
        Output.SendNow(_manager.BuildInfo().ToLine());
        if (!_manager.TryRegisterOutbound(this, info))
        {
            BeginClose(RouteCloseReason.DuplicateRoute, flushFirst: true);
            return;
        }

        // Replies routed back to that cluster (_GR_.<its hash>.>) go out here whatever its interest.
        var replies = GatewayReply.ClusterWildcard(expected);
        foreach (var account in Server.Accounts.All)
        {
            var subscription = new Subscription(this, replies, null, Array.Empty<byte>());
            lock (_replyRoutes)
            {
                _replyRoutes.Add((account, subscription));
            }

            account.Subscriptions.Insert(subscription);
        }

        Register();
        Logger.LogInformation("gid:{gid} - Outbound gateway connection to {cluster} ({remote}) registered", Id, expected, info.ServerId);
    }

    private void OnFirstInboundInfo(GatewayInfo info)
    {
        if (info.ServerId == Server.ServerId)
        {
            BeginClose(RouteCloseReason.DuplicateRoute, flushFirst: false);
            return;
        }

        RemoteInfo = info;
        RemoteCluster ??= info.Gateway;
        Register();
        _manager.RegisterInbound(this, info);
        Logger.LogInformation("gid:{gid} - Inbound gateway connection from {cluster} ({remote}) registered", Id, RemoteCluster, info.ServerId);
    }

    private void OnLaterInfo(GatewayInfo info)
    {
        // The remote cluster's servers changed (nats-server sends its INFO again when a route peer
        // comes or goes): the URLs to dial on failover follow.
        if (info.Command == 0 && IsOutbound && info.GatewayUrls is { Count: > 0 } urls)
        {
            Remote!.ReplaceAnnounced(RemoteGateway.ParseInfoUrls(urls));
        }

        if (info.Command == GatewayInfo.CommandGossip && !string.IsNullOrEmpty(info.Gateway) && info.Gateway != _manager.Name)
        {
            _manager.OnGossip(info);
        }

        // Command 2 (an account switching to interest-only mode) lifts an A- on the account: its
        // interest follows as RS+. Otherwise this side always sends only where the remote announced
        // interest, so command 3 needs nothing.
        if (info.Command == GatewayInfo.CommandAllSubsStart && IsOutbound && info.CommandPayload is { } account)
        {
            _silence.Remove(account);
            lock (_interestOnlyAccounts)
            {
                _interestOnlyAccounts.Add(System.Text.Encoding.UTF8.GetString(account));
            }
        }
    }

    private void Register()
    {
        Volatile.Write(ref _registered, 1);
        KeepAlive.OnRegistered();
    }

    /// <summary>The reply routes leave the indexes with the connection.</summary>
    private void RemoveReplyRoutes()
    {
        lock (_replyRoutes)
        {
            foreach (var (account, subscription) in _replyRoutes)
            {
                subscription.Closed = true;
                account.Subscriptions.Remove(subscription);
            }

            _replyRoutes.Clear();
        }
    }
}
