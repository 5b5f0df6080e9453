using System.Text;
using Microsoft.Extensions.Logging;
using Modular.Abstractions.Transport;
using Modular.Core.Accounts;
using Modular.Core.Delivery;
using Modular.Core.Protocol;
using Modular.Core.Routes;
using Modular.Core.Routes.Closing;
using Modular.Core.Routes.Health;

namespace Modular.Core.Leafnodes;

/// <summary>
/// One leaf node connection (nats-server leafnode.go), bound to one account, so no line names one:
/// interest is <c>LS+ subject [queue weight]</c> / <c>LS- subject [queue]</c>, messages LMSG (HMSG
/// with headers). The side that accepted is the hub: the leaf's interest is this cluster's (routes
/// and gateways hear of it), its messages spread as a client's, and it hears of all interest here.
/// The side that dialed is the spoke: it announces only this server's own interest, and what the hub
/// sends reaches local subscribers only. Both are properties the router reads
/// (<see cref="Subjects.IMessagePeer"/>); the read loop and the rest are the peer connection's.
/// </summary>
public sealed partial class LeafConnection : PeerSessions.PeerConnection
{
    private readonly ILeafSessionHost _manager;

    /// <param name="remote">The remote dialed (this side is the spoke); null for an accepted connection.</param>
    public LeafConnection(ILeafSessionHost manager, ModularConnection connection, ulong id, RemoteLeaf? remote, Uri? url, ILogger logger)
        : base(manager.Host, connection, id, didSolicit: remote is not null, manager.PingInterval, logger, "leafnode", leafDialect: true, awaitsConnect: true)
    {
        _manager = manager;
        Remote = remote;
        Url = url;
        _denyOut = LeafSubjectDeny.For(remote?.DenyExports);
        DeniedInterest = LeafSubjectDeny.For(remote?.DenyImports);
    }

    // Subjects no message goes out on (a remote's deny_exports; on the hub side, the leaf's deny_pub),
    // and whose interest from the other side is ignored. Null when none: the hot path checks a field.
    private LeafSubjectDeny? _denyOut;

    /// <summary>Subjects whose interest is not announced to the other side (a remote's deny_imports); null when none.</summary>
    internal LeafSubjectDeny? DeniedInterest { get; }

    /// <summary>The remote dialed; null when the leaf dialed us.</summary>
    public RemoteLeaf? Remote { get; }

    /// <summary>The URL dialed; null when accepted.</summary>
    public Uri? Url { get; }

    /// <summary>True when this server is the spoke of the connection (it dialed a hub).</summary>
    public bool IsSpoke => DidSolicit;

    /// <summary>The account the connection is bound to; null before the handshake.</summary>
    public Account? Account { get; private set; }

    /// <summary>The hub's interest (spoke side) stays here; a leaf's (hub side) is this cluster's to announce.</summary>
    public override bool AnnouncesInterest => !DidSolicit;

    public override bool IsClusterInterest => !DidSolicit;

    /// <summary>The leaf's cluster (hub side, when it has one): its interest goes to route peers as LS+ with it.</summary>
    public override string? LeafOrigin => !DidSolicit && !string.IsNullOrEmpty(RemoteCluster) ? RemoteCluster : null;

    public override ReadOnlySpan<byte> RemoteLeafCluster => _remoteClusterBytes;

    public override bool TakesMeshTraffic => !DidSolicit;

    public override bool IsQueueFallback => true;

    public override bool SpreadsLikeLocal => !DidSolicit;

    public override bool SendMessage(ReadOnlySpan<byte> account, in OutboundMessage message, List<byte[]>? queues, FlushBatch batch) =>
        (_denyOut is null || !_denyOut.Denies(message.Subject)) && Writer.Write(default, message, queues, RemoteHeaders, batch);

    protected override void OnStarted()
    {
        if (!DidSolicit)
        {
            // The accepting side speaks first; the leaf answers with CONNECT only (after TLS, when the INFO says tls_required).
            var info = _manager.BuildInfo(Id);
            _nonce = info.Nonce ?? "";
            Output.SendNow(info.ToLine());
            if (info.TlsRequired)
            {
                _upgrade = Modular.Abstractions.Transport.ConnectionRole.Accepted;
            }
        }
    }

    protected override async Task OnClosedAsync()
    {
        if (Account is { } account)
        {
            _interest?.Stop(account);
        }

        RemoteInterest.RemoveAll();
        Output.Buffer.Release();
        await Connection.DisposeAsync().ConfigureAwait(false);
        _manager.OnClosed(this);
        LogClosed("lid", RemoteName);
    }

    protected override bool Dispatch(ref RouteCommand command)
    {
        switch (command.Op)
        {
            case RouteOp.Connect:
                OnConnect(command.Text);
                break;
            case RouteOp.Info:
                OnInfo(command.Text);
                break;
            case RouteOp.Ping:
                Output.SendNow(ProtocolTokens.Pong);
                break;
            case RouteOp.Pong:
                KeepAlive.OnPong();
                break;
            case RouteOp.Err:
                OnRemoteError(Encoding.UTF8.GetString(command.Text));
                return false;
            case RouteOp.Subscribe when IsRegistered:
                if (IsOurLoopSubject(command.Subject))
                {
                    OnLoopDetected();
                    return false;
                }

                if (_denyOut is { } deny && Subjects.SubjectValidator.IsLiteral(command.Subject) && deny.Denies(command.Subject))
                {
                    // As nats-server: interest in a subject we may not send on is ignored.
                    break;
                }

                RemoteInterest.Subscribe(default, default, command.Subject, command.Queue, command.Weight);
                break;
            case RouteOp.Unsubscribe when IsRegistered:
                RemoteInterest.Unsubscribe(default, default, command.Subject, command.Queue);
                break;
            case RouteOp.Message when IsRegistered:
                Receiver.Receive(ref command);
                break;
        }

        return true;
    }

    /// <summary>Periodic: PINGs, stale and slow detection, the CONNECT deadline of an accepted connection.</summary>
    internal void OnTimerTick(long nowTicks)
    {
        var action = KeepAlive.Tick(nowTicks, IsClosing, Output.ClosingSinceTicks, IsRegistered, MustSeeConnectFirst, Output.Buffer.FlushStartedTicks);
        if (action != KeepAliveAction.None)
        {
            Closer.Apply(action, RemoteName, () => Logger.LogWarning("lid:{lid} - Stale leafnode connection to {remote}, closing", Id, RemoteName));
        }
    }
}
