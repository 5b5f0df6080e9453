using System.Runtime.CompilerServices;
using System.Buffers;
using System.Net;
using Microsoft.Extensions.Logging;
using Modular.Abstractions.Transport;
using Modular.Core.Delivery;
using Modular.Core.Protocol;
using Modular.Core.Routes.Closing;
using Modular.Core.Routes.Compression;
using Modular.Core.Routes.Handshake;
using Modular.Core.Routes.Health;
using Modular.Core.Routes.Interest;
using Modular.Core.Routes.Messages;

namespace Modular.Core.Routes;

/// <summary>
/// One route connection to another server of the cluster. Its read loop runs the handshake
/// (CONNECT/INFO), then takes interest (RS+/RS-) and messages (RMSG/HMSG) from the peer; other
/// connections queue RS+/RS- and RMSG to it. The decisions are made elsewhere and applied here:
/// the handshake by <see cref="RouteHandshake"/>, the peer's interest by <see cref="RemoteInterest"/>,
/// the clock by <see cref="RouteKeepAlive"/>, the place by the cluster's registry; it sees the
/// cluster only as <see cref="IRouteSessionHost"/>. The read loop, output, writer, receiver and
/// closer are the peer connection's (<see cref="PeerSessions.PeerConnection"/>), shared with gateways and leaf nodes.
/// </summary>
public sealed partial class RouteConnection : PeerSessions.PeerConnection
{
    private readonly IRouteSessionHost _manager;
    private readonly RouteHandshake _handshake;
    private readonly RouteCompressionSwitch _compression;

    public RouteConnection(IRouteSessionHost manager, ModularConnection connection, ulong id, bool didSolicit, RouteDialTarget? dialTarget, ILogger logger)
        : base(manager.Host, connection, id, didSolicit, manager.PingInterval, logger, "route")
    {
        _manager = manager;
        DialTarget = dialTarget;
        _handshake = new RouteHandshake(manager, id, didSolicit ? dialTarget : null, this, logger);
        _compression = new RouteCompressionSwitch(manager, connection, Output, logger, id);
    }

    /// <summary>What this side dialed (URL, and the pinned account when it is an account route); null when accepted.</summary>
    public RouteDialTarget? DialTarget { get; }

    public bool IsConfigured => DialTarget?.IsConfigured ?? false;

    protected override void OnStarted() => Output.SendNow(_handshake.FirstLine());

    protected override bool HoldsInput => _compression.Pending || _handshake.AwaitingAuthentication;

    protected override async ValueTask<bool> ReleaseInputAsync()
    {
        if (_handshake.AwaitingAuthentication)
        {
            if (await _handshake.CompleteAuthenticationAsync(() => IsClosing).ConfigureAwait(false) is { } authenticated)
            {
                Apply(authenticated);
            }

            return true;
        }

        if (_compression.Pending && !await _compression.SwitchAsync().ConfigureAwait(false))
        {
            BeginClose(RouteCloseReason.WriteError, flushFirst: false);
            return false;
        }

        return true;
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)] // hot path: optimized from its first call (docs/architecture.md, "JIT")
    protected override bool Dispatch(ref RouteCommand command)
    {
        if (_handshake.MustSeeConnectFirst && command.Op != RouteOp.Connect)
        {
            // The accepting side must see CONNECT first.
            Closer.WithError(ErrorMessages.AuthorizationViolation, RouteCloseReason.AuthenticationViolation);
            return false;
        }

        switch (command.Op)
        {
            case RouteOp.Connect:
                Apply(_handshake.OnConnect(command.Text, Connection.RemoteEndPoint, Connection.Features));
                break;
            case RouteOp.Info:
                ProcessInfo(command.Text);
                break;
            case RouteOp.Ping:
                Output.SendNow(ProtocolTokens.Pong);
                break;
            case RouteOp.Pong:
                ProcessPong();
                break;
            case RouteOp.Err:
                Logger.LogWarning("rid:{rid} - Route Error {error}", Id, System.Text.Encoding.UTF8.GetString(command.Text));
                ProcessRemoteError(command.Text);
                return false;
            // Interest and messages count only once the route is registered.
            case RouteOp.Subscribe when IsRegistered:
                RemoteInterest.Subscribe(command.Account, command.Origin, command.Subject, command.Queue, command.Weight);
                break;
            case RouteOp.Unsubscribe when IsRegistered:
                RemoteInterest.Unsubscribe(command.Account, command.Origin, command.Subject, command.Queue);
                break;
            case RouteOp.Message when IsRegistered:
                Receiver.Receive(ref command);
                break;
        }

        return true;
    }
}
